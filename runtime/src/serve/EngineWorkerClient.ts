// The owner's side of the engine worker: inference runs off this thread; calls are messages, aborts reach the worker.
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { SpliceError } from '../errors.js';
import type { CoreStatus, ServeCompletionRequest, ServeSettings } from './ServingCore.js';
import type { SessionStats, StoreCompletion } from './SessionStore.js';
import type { FromWorker, ToWorker, WorkerCall } from './workerProtocol.js';
import type { ToolQuery } from '../toolgen/CompletionTool.js';

interface Pending {
  resolve: (v: unknown) => void;
  reject: (e: unknown) => void;
}

export interface EngineWorkerEvents {
  status: (status: CoreStatus) => void;
  log?: (line: string) => void;
  /** Answers the worker's tool calls (tool-guided decoding); without it every call gets no names. */
  tool?: (query: ToolQuery, signal: AbortSignal) => Promise<readonly string[]>;
}

/** The worker script: beside this file in the compiled tree (out/…/serve) and in the bundle (dist/). */
function workerPath(): string {
  return path.join(__dirname, 'engineWorker.js');
}

export class EngineWorkerClient {
  private worker: Worker | undefined;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private settings: ServeSettings | undefined;
  private stopped = false;
  /** Workers started so far. */
  private started = 0;

  constructor(private readonly events: EngineWorkerEvents) {}

  configure(settings: ServeSettings): void {
    this.settings = settings;
    void this.call({ method: 'configure', settings }).catch(() => undefined);
  }

  /** A completion; undefined when aborted or superseded. Rejects only when the worker fails (a SpliceError). */
  complete(uri: string, req: ServeCompletionRequest, signal?: AbortSignal): Promise<StoreCompletion | undefined> {
    return this.call({ method: 'complete', uri, req }, signal) as Promise<StoreCompletion | undefined>;
  }

  sync(uri: string, text: string): Promise<void> {
    return this.call({ method: 'sync', uri, text }) as Promise<void>;
  }

  warm(uri: string, text: string, offset?: number): Promise<void> {
    return this.call({ method: 'warm', uri, text, offset }) as Promise<void>;
  }

  opened(uri: string): void {
    void this.call({ method: 'opened', uri }).catch(() => undefined);
  }

  close(uri: string): Promise<void> {
    return this.call({ method: 'close', uri }) as Promise<void>;
  }

  stats(uri?: string): Promise<SessionStats[]> {
    return this.call({ method: 'stats', uri }) as Promise<SessionStats[]>;
  }

  /** Frees the engine in the worker, then ends the worker. */
  async shutdown(): Promise<void> {
    this.stopped = true;
    const w = this.worker;
    if (!w) return;
    await this.call({ method: 'shutdown' }).catch(() => undefined);
    await w.terminate();
  }

  private call(call: WorkerCall, signal?: AbortSignal): Promise<unknown> {
    if (this.stopped && call.method !== 'shutdown') return Promise.resolve(undefined);
    if (signal?.aborted) return Promise.resolve(undefined);
    const worker = this.ensureWorker();
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const onAbort = () => worker.postMessage({ kind: 'abort', id } satisfies ToWorker);
      signal?.addEventListener('abort', onAbort, { once: true });
      const done = (f: (v: unknown) => void) => (v: unknown) => {
        signal?.removeEventListener('abort', onAbort);
        this.pending.delete(id);
        f(v);
      };
      this.pending.set(id, { resolve: done(resolve), reject: done(reject) });
      worker.postMessage({ kind: 'call', id, call } satisfies ToWorker);
    });
  }

  /** Starts the worker (again, after a crash, with the last settings). */
  private ensureWorker(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(workerPath());
    this.worker = worker;
    worker.on('message', (m: FromWorker) => this.onMessage(m));
    worker.on('error', (err) => this.onExit(worker, `failed: ${err.message}`));
    worker.on('exit', (code) => this.onExit(worker, `exited with code ${code}`));
    // A worker started after a crash gets the last settings (a first worker gets them from the configure call itself).
    if (this.started++ > 0 && this.settings) worker.postMessage({ kind: 'call', id: this.nextId++, call: { method: 'configure', settings: this.settings } } satisfies ToWorker);
    return worker;
  }

  private readonly toolCalls = new Map<number, AbortController>();

  /** Runs the worker's tool call here and answers it (an error becomes the answer's `error`: free decoding there). */
  private onToolCall(worker: Worker, id: number, query: ToolQuery): void {
    const controller = new AbortController();
    this.toolCalls.set(id, controller);
    const answer = (m: ToWorker) => {
      this.toolCalls.delete(id);
      if (!controller.signal.aborted && this.worker === worker) worker.postMessage(m);
    };
    const run = this.events.tool ? this.events.tool(query, controller.signal) : Promise.resolve([]);
    run.then(
      (names) => answer({ kind: 'toolResult', id, names: [...names] }),
      (err: unknown) => answer({ kind: 'toolResult', id, error: err instanceof Error ? err.message : String(err) }),
    );
  }

  private onMessage(m: FromWorker): void {
    if (m.kind === 'status') return this.events.status(m.status);
    if (m.kind === 'log') return this.events.log?.(m.line);
    if (m.kind === 'tool') return this.onToolCall(this.worker!, m.id, m.query);
    if (m.kind === 'toolAbort') return this.toolCalls.get(m.id)?.abort();
    const p = this.pending.get(m.id);
    if (!p) return;
    if (m.kind === 'result') p.resolve(m.value);
    else p.reject(Object.assign(new SpliceError(m.error.code ?? 'inference', m.error.message), { name: m.error.name }));
  }

  private onExit(worker: Worker, why: string): void {
    if (this.worker !== worker) return;
    this.worker = undefined;
    const err = new SpliceError('inference', `the engine worker ${why}`);
    for (const p of [...this.pending.values()]) p.reject(err);
    this.pending.clear();
    if (!this.stopped) this.events.status({ state: 'error', detail: `${err.message}; it restarts on the next request` });
  }
}
