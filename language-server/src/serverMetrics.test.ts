// ServerMetricsMonitor: a blocked event loop shows as a stall; counters add up and reset.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { histogram, ServerMetricsMonitor } from './serverMetrics.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function block(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end);
}

describe('ServerMetricsMonitor', () => {
  it('reports a blocked event loop, memory and completion counters; reset starts a new window', async () => {
    const m = new ServerMetricsMonitor();
    await sleep(30);
    block(120);
    await sleep(30);
    m.countCompletion(100);
    m.countCompletion(20);
    const before = m.request({ reset: true });
    assert.ok(before.eventLoopMaxMs >= 60, JSON.stringify(before));
    assert.ok(before.eventLoopP99Ms <= before.eventLoopMaxMs);
    assert.equal(before.completions, 2);
    assert.equal(before.encodedTokens, 120);
    assert.ok(before.rssBytes > 0 && before.rssPeakBytes >= before.rssBytes * 0.5, JSON.stringify(before));
    await sleep(40);
    const after = m.request();
    assert.ok(after.eventLoopMaxMs < before.eventLoopMaxMs, 'the stall belongs to the previous window');
    assert.equal(after.completions, 0);
    assert.equal(after.encodedTokens, 0);
  });

  it('counts shown and accepted completions and buckets their latency', () => {
    const m = new ServerMetricsMonitor();
    for (const ms of [10, 25, 26, 150, 5000]) m.countShown(ms);
    m.countAccepted();
    const got = m.request();
    assert.equal(got.shown, 5);
    assert.equal(got.accepted, 1);
    assert.deepEqual(got.latencyHistogram.map((b) => b.count), [2, 1, 0, 1, 0, 0, 0, 1]);
    assert.equal(got.latencyHistogram.at(-1)!.upToMs, null);
    assert.equal(got.latencyMsP50, 26);
    assert.deepEqual(histogram([]).map((b) => b.count), [0, 0, 0, 0, 0, 0, 0, 0]);
  });
});
