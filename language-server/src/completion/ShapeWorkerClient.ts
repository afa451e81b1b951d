// The LSP thread's side of the shaping worker: completions are shaped (tree-sitter parses included) off this thread.
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { shapeCompletion, type ShapeInput, type ShapeOutcome } from './pipeline.js';

export type ShapeRequest = Omit<ShapeInput, 'parser'>;

export interface ShapeResponse {
  id: number;
  outcome?: ShapeOutcome;
  error?: string;
  /** Time the worker spent shaping (parses included). */
  ms: number;
  grammarFailures: [string, string][];
}

/** The worker script: beside this file in the compiled tree (out/…/completion) and in the bundle (dist/). */
const workerPath = () => path.join(__dirname, 'shapeWorker.js');

export class ShapeWorkerClient {
  private worker: Worker | undefined;
  private nextId = 1;
  private readonly pending = new Map<number, (r: ShapeResponse) => void>();

  /** Shapes in the worker; if the worker is gone, shapes here by indentation and bracket rules (no grammar). */
  async shape(req: ShapeRequest): Promise<ShapeResponse> {
    const id = this.nextId++;
    try {
      const worker = this.ensureWorker();
      return await new Promise<ShapeResponse>((resolve) => {
        this.pending.set(id, resolve);
        worker.postMessage({ id, req });
      });
    } catch (err) {
      const t0 = performance.now();
      return { id, outcome: shapeCompletion(req), error: (err as Error).message, ms: performance.now() - t0, grammarFailures: [] };
    }
  }

  /** Loads a language's grammar in the worker ahead of its first completion. */
  warm(languageId: string): void {
    try {
      this.ensureWorker().postMessage({ id: 0, warm: languageId });
    } catch {
      // shaping falls back to the rules without a grammar
    }
  }

  private ensureWorker(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(workerPath());
    worker.unref();
    worker.on('message', (r: ShapeResponse) => {
      this.pending.get(r.id)?.(r);
      this.pending.delete(r.id);
    });
    const gone = (why: string) => {
      if (this.worker !== worker) return;
      this.worker = undefined;
      for (const [id, resolve] of this.pending) resolve({ id, error: `the shaping worker ${why}`, ms: 0, grammarFailures: [] });
      this.pending.clear();
    };
    worker.on('error', (err) => gone(`failed: ${err.message}`));
    worker.on('exit', (code) => gone(`exited with code ${code}`));
    this.worker = worker;
    return worker;
  }

  async dispose(): Promise<void> {
    await this.worker?.terminate();
    this.worker = undefined;
  }
}
