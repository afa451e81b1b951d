// The TypeScript tool as the LSP thread uses it: calls go to its worker thread (started on first use, again after it
// dies, ended on dispose), so a slow language service never stalls the server's event loop.
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { CompletionTool, ToolQuery } from '../../../runtime/src/index.js';

/** The worker script: beside this file in the compiled tree (out/…/tools) and in the bundle (dist/). */
const workerPath = () => path.join(__dirname, 'tsToolWorker.js');

export class TsToolWorkerClient implements CompletionTool {
  private worker: Worker | undefined;
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (n: string[]) => void; reject: (e: Error) => void }>();

  names(query: ToolQuery, signal: AbortSignal): Promise<readonly string[]> {
    if (signal.aborted) return Promise.resolve([]);
    const worker = this.ensureWorker();
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const onAbort = () => {
        this.pending.delete(id);
        resolve([]);
      };
      signal.addEventListener('abort', onAbort, { once: true });
      const settle = <T>(f: (v: T) => void) => (v: T) => {
        signal.removeEventListener('abort', onAbort);
        this.pending.delete(id);
        f(v);
      };
      this.pending.set(id, { resolve: settle(resolve), reject: settle(reject) });
      worker.postMessage({ id, query });
    });
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
    worker.on('message', (m: { id: number; names?: string[]; error?: string }) => {
      const p = this.pending.get(m.id);
      if (m.error !== undefined) p?.reject(new Error(m.error));
      else p?.resolve(m.names ?? []);
    });
    const gone = (why: string) => {
      if (this.worker !== worker) return;
      this.worker = undefined;
      for (const p of [...this.pending.values()]) p.reject(new Error(`the TypeScript tool worker ${why}`));
      this.pending.clear();
    };
    worker.on('error', (err) => gone(`failed: ${err.message}`));
    worker.on('exit', (code) => gone(`exited with code ${code}`));
    return worker;
  }
}
