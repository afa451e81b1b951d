// One inference loop fed by a queue: jobs run one at a time; a newer job with the same key aborts the older one.
import { isAbort } from '../errors.js';

type Job = {
  key: string;
  run: (signal: AbortSignal) => Promise<unknown>;
  controller: AbortController;
  resolve: (v: unknown) => void;
  reject: (e: unknown) => void;
};

export class InferenceQueue {
  private readonly pending: Job[] = [];
  private running: Job | undefined;

  /**
   * Queues `run`; resolves to its value, or to undefined if it was superseded or `signal` aborted it.
   * Architecture invariant: at most one job touches the model at a time.
   */
  submit<T>(key: string, run: (signal: AbortSignal) => Promise<T>, signal?: AbortSignal): Promise<T | undefined> {
    for (const job of [...this.pending, ...(this.running ? [this.running] : [])]) {
      if (job.key === key) job.controller.abort();
    }
    return new Promise<T | undefined>((resolve, reject) => {
      const controller = new AbortController();
      const forward = () => controller.abort();
      signal?.addEventListener('abort', forward, { once: true });
      if (signal?.aborted) controller.abort();
      const settle = <V>(f: (v: V) => void) => (v: V) => {
        signal?.removeEventListener('abort', forward);
        f(v);
      };
      this.pending.push({ key, run, controller, resolve: settle(resolve as (v: unknown) => void), reject: settle(reject) });
      void this.drain();
    });
  }

  get busy(): boolean {
    return this.running !== undefined || this.pending.length > 0;
  }

  private async drain(): Promise<void> {
    if (this.running) return;
    while (this.pending.length > 0) {
      const job = this.pending.shift()!;
      if (job.controller.signal.aborted) {
        job.resolve(undefined);
        continue;
      }
      this.running = job;
      try {
        const value = await job.run(job.controller.signal);
        job.resolve(job.controller.signal.aborted ? undefined : value);
      } catch (err) {
        if (isAbort(err) || job.controller.signal.aborted) job.resolve(undefined);
        else job.reject(err);
      } finally {
        this.running = undefined;
      }
    }
  }
}
