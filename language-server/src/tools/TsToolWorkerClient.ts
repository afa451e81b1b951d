// The TypeScript tool as the LSP thread uses it: calls go to its worker thread (started on first use, again after it
// dies, ended on dispose), so a slow language service never stalls the server's event loop.
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { PendingToolCalls, type CompletionTool, type ToolQuery } from '../../../runtime/src/index.js';

/** The worker script: beside this file in the compiled tree (out/…/tools) and in the bundle (dist/). */
const workerPath = () => path.join(__dirname, 'tsToolWorker.js');

export class TsToolWorkerClient implements CompletionTool {
  private worker: Worker | undefined;
  private readonly calls = new PendingToolCalls();

  names(query: ToolQuery, signal: AbortSignal): Promise<readonly string[]> {
    if (signal.aborted) return Promise.resolve([]);
    const worker = this.ensureWorker();
    return this.calls.call(signal, (id) => worker.postMessage({ id, query }));
  }

  async dispose(): Promise<void> {
    const w = this.worker;
    this.worker = undefined;
    await w?.terminate();
  }

  private ensureWorker(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(workerPath());
    this.worker = worker;
    worker.unref();
    worker.on('message', (m: { id: number; names?: string[]; error?: string }) => this.calls.answer(m.id, m.names, m.error));
    const gone = (why: string) => {
      if (this.worker !== worker) return;
      this.worker = undefined;
      this.calls.failAll(new Error(`the TypeScript tool worker ${why}`));
    };
    worker.on('error', (err) => gone(`failed: ${err.message}`));
    worker.on('exit', (code) => gone(`exited with code ${code}`));
    return worker;
  }
}
