// The completion tool as the engine worker sees it: each call is a message to the owning thread (the LSP thread,
// which holds the language services), answered by a `toolResult`; an abort is a message too.
import type { CompletionTool, ToolQuery } from '../toolgen/CompletionTool.js';
import type { FromWorker } from './workerProtocol.js';

export class WorkerToolProxy implements CompletionTool {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (names: readonly string[]) => void; reject: (e: Error) => void }>();

  constructor(private readonly post: (m: FromWorker) => void) {}

  names(query: ToolQuery, signal: AbortSignal): Promise<readonly string[]> {
    if (signal.aborted) return Promise.resolve([]);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const onAbort = () => {
        this.pending.delete(id);
        this.post({ kind: 'toolAbort', id });
        resolve([]);
      };
      signal.addEventListener('abort', onAbort, { once: true });
      const settle = <T>(f: (v: T) => void) => (v: T) => {
        signal.removeEventListener('abort', onAbort);
        this.pending.delete(id);
        f(v);
      };
      this.pending.set(id, { resolve: settle(resolve), reject: settle(reject) });
      this.post({ kind: 'tool', id, query });
    });
  }

  /** The owner's answer (a late answer to an aborted call is dropped). */
  answer(id: number, names: string[] | undefined, error: string | undefined): void {
    const p = this.pending.get(id);
    if (!p) return;
    if (error !== undefined) p.reject(new Error(error));
    else p.resolve(names ?? []);
  }
}
