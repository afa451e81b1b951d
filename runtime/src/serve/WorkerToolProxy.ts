// The completion tool as the engine worker sees it: each call is a message to the owning thread (the LSP thread,
// which holds the language services), answered by a `toolResult`; an abort is a message too.
import type { CompletionTool, ToolQuery } from '../toolgen/CompletionTool.js';
import { PendingToolCalls } from '../toolgen/PendingToolCalls.js';
import type { FromWorker } from './workerProtocol.js';

export class WorkerToolProxy implements CompletionTool {
  private readonly calls = new PendingToolCalls();

  constructor(private readonly post: (m: FromWorker) => void) {}

  names(query: ToolQuery, signal: AbortSignal): Promise<readonly string[]> {
    return this.calls.call(signal, (id) => this.post({ kind: 'tool', id, query }), (id) => this.post({ kind: 'toolAbort', id }));
  }

  /** The owner's answer (a late answer to an aborted call is dropped). */
  answer(id: number, names: string[] | undefined, error: string | undefined): void {
    this.calls.answer(id, names, error);
  }
}
