// statsHtml: acceptance rate, latency bars and per-document reuse on the stats page; document names escaped.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ServerMetrics } from '../../language-server/src/protocol.js';
import { statsHtml } from './statsHtml.js';

const METRICS: ServerMetrics = {
  eventLoopMaxMs: 0, eventLoopP99Ms: 0, rssBytes: 0, rssPeakBytes: 0, completions: 4, encodedTokens: 10, reusedCompletions: 2, gatedCompletions: 1, fallbackShown: 3,
  shapeMsP50: 1, shapeMsP95: 2, shown: 8, accepted: 2, latencyMsP50: 40, latencyMsP95: 300,
  latencyHistogram: [{ upToMs: 25, count: 1 }, { upToMs: 50, count: 4 }, { upToMs: null, count: 3 }],
};

describe('statsHtml', () => {
  it('shows the acceptance rate, the latency buckets and reuse', () => {
    const html = statsHtml(METRICS, [{ uri: 'file:///x/<a>.py', cachedTokens: 120, lastCompletion: { reusedTokens: 100, promptTokens: 3, generatedTokens: 5, encodedTokens: 7, firstTokenMs: 9, ms: 20 } }], 'tiny');
    assert.match(html, /<span class="big" id="acceptance">25%<\/span> accepted — 2 of 8/);
    assert.match(html, /<td>0–25 ms<\/td><td><span class="bar" style="width:50px"><\/span> 1<\/td>/);
    assert.match(html, /<td>25–50 ms<\/td><td><span class="bar" style="width:200px"><\/span> 4/);
    assert.match(html, /<td>&gt; 50 ms<\/td>|<td>> 50 ms<\/td>/);
    assert.match(html, /4 model completions encoded 2\.5 tokens each on average; 2 answered from the typed-through cache/);
    assert.match(html, /1 held back by the confidence gate; 3 shown from a fallback sample/);
    assert.match(html, /<td>&#60;a&#62;\.py<\/td><td>120<\/td><td>100<\/td><td>7<\/td>/);
  });

  it('says so when nothing was shown yet', () => {
    const html = statsHtml({ ...METRICS, shown: 0, accepted: 0 }, [], undefined);
    assert.match(html, /id="acceptance">—</);
    assert.match(html, /no completions yet/);
  });
});
