// InferenceQueue: one job at a time; a newer job with the same key supersedes older ones; aborts resolve to undefined.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InferenceQueue } from './InferenceQueue.js';

/** A promise with its resolver exposed. */
function deferred<T = void>(): { promise: Promise<T>; resolve: (v: T) => void } {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

/** Resolves when `signal` aborts, with an AbortError like the runtime's own. */
function untilAborted(signal: AbortSignal): Promise<never> {
  return new Promise<never>((_, reject) => {
    const fail = () => {
      const err = new Error('aborted');
      err.name = 'AbortError';
      reject(err);
    };
    if (signal.aborted) fail();
    else signal.addEventListener('abort', fail, { once: true });
  });
}

const tick = () => new Promise<void>((r) => setImmediate(r));

describe('InferenceQueue', () => {
  it('runs jobs strictly one at a time, in submission order', async () => {
    const q = new InferenceQueue();
    let active = 0;
    let peak = 0;
    const order: number[] = [];
    const jobs = Array.from({ length: 6 }, (_, i) =>
      q.submit(`key-${i}`, async () => {
        active++;
        peak = Math.max(peak, active);
        order.push(i);
        await new Promise((r) => setTimeout(r, 2));
        await tick();
        active--;
        return i * 10;
      }),
    );
    assert.ok(q.busy);
    assert.deepEqual(await Promise.all(jobs), [0, 10, 20, 30, 40, 50]);
    assert.equal(peak, 1);
    assert.deepEqual(order, [0, 1, 2, 3, 4, 5]);
    assert.ok(!q.busy);
  });

  it('a newer job with the same key aborts the running one and drops pending ones', async () => {
    const q = new InferenceQueue();
    let runningSignal: AbortSignal | undefined;
    const started = deferred();
    const first = q.submit('doc', async (signal) => {
      runningSignal = signal;
      started.resolve();
      await untilAborted(signal);
      return 'first';
    });
    await started.promise;
    let pendingRan = false;
    const pending = q.submit('other', async () => 'other');
    const second = q.submit('doc', async () => {
      pendingRan = true;
      return 'second';
    });
    const third = q.submit('doc', async () => 'third');
    assert.equal(await first, undefined);
    assert.ok(runningSignal?.aborted, "the running job's signal must fire");
    assert.equal(await second, undefined);
    assert.ok(!pendingRan, 'a superseded pending job must not run');
    assert.equal(await pending, 'other', 'a job with another key is not dropped');
    assert.equal(await third, 'third');
  });

  it('a superseded job that ignores its signal still resolves undefined, and the next job waits for it', async () => {
    const q = new InferenceQueue();
    const release = deferred();
    let firstDone = false;
    const first = q.submit('doc', async () => {
      await release.promise;
      firstDone = true;
      return 'stale';
    });
    await tick();
    const second = q.submit('doc', async () => {
      assert.ok(firstDone, 'the newer job must not start before the older one returns');
      return 'fresh';
    });
    await tick();
    release.resolve();
    assert.equal(await first, undefined);
    assert.equal(await second, 'fresh');
  });

  it('jobs with different keys do not abort each other', async () => {
    const q = new InferenceQueue();
    const release = deferred();
    const signals: AbortSignal[] = [];
    const a = q.submit('a', async (signal) => {
      signals.push(signal);
      await release.promise;
      return 'A';
    });
    const b = q.submit('b', async (signal) => {
      signals.push(signal);
      return 'B';
    });
    await tick();
    release.resolve();
    assert.deepEqual(await Promise.all([a, b]), ['A', 'B']);
    assert.equal(signals.length, 2);
    assert.ok(signals.every((s) => !s.aborted));
  });

  it('an external AbortSignal aborts the running job', async () => {
    const q = new InferenceQueue();
    const external = new AbortController();
    const started = deferred();
    let seen: AbortSignal | undefined;
    const job = q.submit(
      'doc',
      async (signal) => {
        seen = signal;
        started.resolve();
        await untilAborted(signal);
        return 'never';
      },
      external.signal,
    );
    await started.promise;
    external.abort();
    assert.equal(await job, undefined);
    assert.ok(seen?.aborted);
    assert.equal(await q.submit('doc', async () => 'after'), 'after', 'the queue keeps working after an abort');
  });

  it('a job whose external signal already fired is resolved undefined without running', async () => {
    const q = new InferenceQueue();
    const external = new AbortController();
    external.abort();
    let ran = false;
    const job = q.submit(
      'doc',
      async () => {
        ran = true;
        return 'x';
      },
      external.signal,
    );
    assert.equal(await job, undefined);
    assert.ok(!ran);
  });

  it('a job that throws a non-abort error rejects with it, and later jobs still run', async () => {
    const q = new InferenceQueue();
    const boom = new Error('model forward failed');
    const failing = q.submit('doc', async () => {
      throw boom;
    });
    const next = q.submit('other', async () => 'ok');
    await assert.rejects(failing, (err) => err === boom);
    assert.equal(await next, 'ok');
  });

  it('a job that throws an AbortError of its own resolves undefined', async () => {
    const q = new InferenceQueue();
    const job = q.submit('doc', async () => {
      const err = new Error('stopped');
      err.name = 'AbortError';
      throw err;
    });
    assert.equal(await job, undefined);
  });
});

describe('InferenceQueue priorities', () => {
  it('a user job runs before queued background jobs, and a control job before both', async () => {
    const q = new InferenceQueue();
    const gate = deferred();
    const order: string[] = [];
    const first = q.submit('first', async () => {
      await gate.promise;
      order.push('first');
    });
    const jobs = [
      q.submit('bg-1', async () => void order.push('bg-1'), undefined, { priority: 'background', yields: false }),
      q.submit('user', async () => void order.push('user')),
      q.submit('bg-2', async () => void order.push('bg-2'), undefined, { priority: 'background', yields: false }),
      q.submit('control', async () => void order.push('control'), undefined, { priority: 'control' }),
    ];
    gate.resolve();
    await Promise.all([first, ...jobs]);
    assert.deepEqual(order, ['first', 'control', 'user', 'bg-1', 'bg-2']);
  });

  it('a running background job yields (is aborted) when a user job arrives; one that does not yield finishes first', async () => {
    const q = new InferenceQueue();
    const bg = q.submit('sync:a', (signal) => untilAborted(signal), undefined, { priority: 'background' });
    await tick();
    const user = q.submit('complete:b', async () => 'done');
    assert.equal(await bg, undefined);
    assert.equal(await user, 'done');
    const gate = deferred();
    let finished = false;
    const steady = q.submit('sync:c', async () => {
      await gate.promise;
      finished = true;
      return 'kept';
    }, undefined, { priority: 'background', yields: false });
    await tick();
    const user2 = q.submit('complete:c', async () => finished);
    gate.resolve();
    assert.equal(await steady, 'kept');
    assert.equal(await user2, true, 'the user job ran after the non-yielding job finished');
  });

  it('abortWhere aborts matching queued and running jobs', async () => {
    const q = new InferenceQueue();
    const running = q.submit('sync:x', (signal) => untilAborted(signal));
    const queued = q.submit('complete:x', async () => 'ran');
    const other = q.submit('complete:y', async () => 'ran');
    await tick();
    q.abortWhere((j) => j.key.endsWith(':x'));
    assert.equal(await running, undefined);
    assert.equal(await queued, undefined);
    assert.equal(await other, 'ran');
  });
});
