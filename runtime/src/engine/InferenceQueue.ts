// One inference loop fed by a queue: jobs run one at a time, most urgent first; a newer job with the same key aborts the older one.
import { isAbort } from '../errors.js';

/**
 * How urgent a job is: `control` (engine reloads, closing a document) before `user` (a completion the user waits
 * for) before `background` (cache syncs and warm-ups), first in first out within a priority.
 */
export type JobPriority = 'control' | 'user' | 'background';

const RANK: Record<JobPriority, number> = { control: 0, user: 1, background: 2 };

type Job = {
  key: string;
  priority: JobPriority;
  /** Run at the user's expense: a `user` job submitted while this one runs aborts it (it yields). */
  yields: boolean;
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
  submit<T>(key: string, run: (signal: AbortSignal) => Promise<T>, signal?: AbortSignal, opts: { priority?: JobPriority; yields?: boolean } = {}): Promise<T | undefined> {
    const priority = opts.priority ?? 'user';
    this.abortWhere((job) => job.key === key);
    if (this.running && RANK[priority] < RANK[this.running.priority] && (this.running.yields || priority === 'control')) this.running.controller.abort();
    return new Promise<T | undefined>((resolve, reject) => {
      const controller = new AbortController();
      const forward = () => controller.abort();
      signal?.addEventListener('abort', forward, { once: true });
      if (signal?.aborted) controller.abort();
      const settle = <V>(f: (v: V) => void) => (v: V) => {
        signal?.removeEventListener('abort', forward);
        f(v);
      };
      const job: Job = { key, priority, yields: opts.yields ?? priority === 'background', run, controller, resolve: settle(resolve as (v: unknown) => void), reject: settle(reject) };
      const at = this.pending.findIndex((p) => RANK[p.priority] > RANK[priority]);
      this.pending.splice(at < 0 ? this.pending.length : at, 0, job);
      void this.drain();
    });
  }

  /** Aborts every queued or running job whose key matches (they resolve to undefined). */
  abortWhere(match: (job: { key: string; priority: JobPriority }) => boolean): void {
    for (const job of [...this.pending, ...(this.running ? [this.running] : [])]) {
      if (match(job)) job.controller.abort();
    }
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
