// Completion-tool calls in flight across a message boundary (a worker, a thread): ids, aborts answered with no names
// at once, answers and failures routed back to their callers.
export class PendingToolCalls {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (names: readonly string[]) => void; reject: (e: Error) => void }>();

  /** Starts a call: `send(id)` posts it; an abort answers `[]` at once and tells the other side with `onAbort(id)`. */
  call(signal: AbortSignal, send: (id: number) => void, onAbort?: (id: number) => void): Promise<readonly string[]> {
    if (signal.aborted) return Promise.resolve([]);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const abort = () => {
        this.pending.delete(id);
        onAbort?.(id);
        resolve([]);
      };
      signal.addEventListener('abort', abort, { once: true });
      const settle = <T>(f: (v: T) => void) => (v: T) => {
        signal.removeEventListener('abort', abort);
        this.pending.delete(id);
        f(v);
      };
      this.pending.set(id, { resolve: settle(resolve), reject: settle(reject) });
      send(id);
    });
  }

  /** The other side's answer (a late answer to an aborted call is dropped). */
  answer(id: number, names: readonly string[] | undefined, error: string | undefined): void {
    const p = this.pending.get(id);
    if (!p) return;
    if (error !== undefined) p.reject(new Error(error));
    else p.resolve(names ?? []);
  }

  /** Fails every call in flight (the other side died). */
  failAll(err: Error): void {
    for (const p of [...this.pending.values()]) p.reject(err);
    this.pending.clear();
  }
}
