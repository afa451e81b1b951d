// Incremental decoding through the KV cache equals re-running the full prefix (every fixture, CPU and WebGPU).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { devicesUnderTest, FIXTURES, loadFixture, maxAbsDiff, SAMPLE_CODE } from '../testing/fixtures.js';

const PREFILL = 8;
const TOLERANCE = 1e-4;

describe('LanguageModel incremental decoding', async () => {
  for (const { device, skip } of await devicesUnderTest()) {
    for (const name of FIXTURES) {
      it(`${name} on ${device}: prefill + single steps = full forward (max |Δlogit| < ${TOLERANCE})`, { skip }, async (t) => {
        const model = await loadFixture(name, device);
        try {
          const ids = model.folder.tokenizer.encode(SAMPLE_CODE).slice(0, 20);
          assert.ok(ids.length >= 16, 'sample must tokenize to at least 16 tokens');
          const positions = ids.map((_, i) => i);
          const fullCache = model.newCache();
          const full = await model.forward(ids, positions, fullCache);
          const cache = model.newCache();
          const first = await model.forward(ids.slice(0, PREFILL), positions.slice(0, PREFILL), cache);
          let worst = maxAbsDiff(first.logits, full.logits.subarray(0, PREFILL * full.vocab));
          for (let i = PREFILL; i < ids.length; i++) {
            const step = await model.forward([ids[i]!], [i], cache);
            worst = Math.max(worst, maxAbsDiff(step.logits, full.logits.subarray(i * full.vocab, (i + 1) * full.vocab)));
          }
          assert.equal(cache.length, ids.length);
          if (device === 'webgpu') assert.ok(cache.tensors.every((t) => t.location === 'gpu-buffer'), 'KV cache must stay on the device');
          t.diagnostic(`max |Δlogit| = ${worst.toExponential(2)}`);
          assert.ok(worst < TOLERANCE, `max |Δlogit| = ${worst}`);
          fullCache.dispose();
          cache.dispose();
        } finally {
          await model.release();
        }
      });
    }
  }
});
