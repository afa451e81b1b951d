// The fused graph against the exported (reference) graph: same logits within 1e-4 on every fixture and the bundled model.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { devicesUnderTest, loadFixture, maxAbsDiff, SAMPLE_CODE, TEST_MODELS } from '../testing/fixtures.js';
import { KvOps } from '../kv/KvOps.js';
import type { LanguageModel } from './LanguageModel.js';

const TOLERANCE = 1e-4;

/** Fixtures the rebuild does not take, and why (they run the exported graph). */
const REFERENCE_ONLY: Record<string, RegExp> = {
  'starcoder2-style': /^reference \(model_type "starcoder2" is not a Llama-family decoder/,
  'rotary-pct': /^reference \(model_type "gpt_neox" is not a Llama-family decoder/,
  'external-data': /^reference \(.* is in external data\)/,
  quantized: /^reference \(no MatMul node/,
};

/** Prefill, masked re-encode over a prefix (PIE's forward) and single decode steps: every logits row. */
async function trace(model: LanguageModel, ids: number[]): Promise<Float32Array[]> {
  const cache = model.newCache();
  const rows: Float32Array[] = [];
  try {
    rows.push((await model.forward(ids.slice(0, 10), ids.slice(0, 10).map((_, i) => i), cache, { logits: 'all' })).logits);
    for (let i = 10; i < 14; i++) rows.push((await model.forward([ids[i]!], [i], cache)).logits);
    // Re-encode tokens 6..9 at positions 6.. over rows [0, 6) only, as PIE does after an edit.
    rows.push((await model.forward(ids.slice(6, 10), [6, 7, 8, 9], cache, { maskRows: [6, cache.length], logits: 'all' })).logits);
    for (let i = 14; i < ids.length; i++) rows.push((await model.forward([ids[i]!], [i], cache)).logits);
    return rows;
  } finally {
    cache.dispose();
  }
}

describe('fused decoder graph', async () => {
  for (const { device, skip } of await devicesUnderTest()) {
    for (const name of TEST_MODELS) {
      it(`${name} on ${device}: logits equal the reference graph's (max |Δ| < ${TOLERANCE})`, { skip }, async (t) => {
        const fused = await loadFixture(name, device);
        const reference = await loadFixture(name, device, { graph: 'reference' });
        try {
          t.diagnostic(`graph: ${fused.graph}`);
          const why = REFERENCE_ONLY[name];
          if (why) assert.match(fused.graph, why);
          else assert.equal(fused.graph, 'fused');
          assert.equal(reference.graph, 'reference (chosen)');
          const ids = fused.folder.tokenizer.encode(SAMPLE_CODE).slice(0, 20);
          const [a, b] = [await trace(fused, ids), await trace(reference, ids)];
          const worst = Math.max(...a.map((row, i) => maxAbsDiff(row, b[i]!)));
          t.diagnostic(`max |Δlogit| = ${worst.toExponential(2)}`);
          assert.ok(worst < TOLERANCE, `max |Δlogit| = ${worst}`);
        } finally {
          await fused.release();
          await reference.release();
        }
      });
    }
  }
});

describe('fused decoder graph with a float16 cache', () => {
  it('a float32 model with kvDtype float16 keeps half-size rows, stays close to float32, and PIE patches it', async (t) => {
    const half = await loadFixture('tiny-llama', 'cpu', { kvDtype: 'float16' });
    const full = await loadFixture('tiny-llama', 'cpu');
    try {
      assert.equal(half.graph, 'fused (float16 cache)');
      assert.equal(half.kvShape.dtype, 'float16');
      const ids = half.folder.tokenizer.encode(SAMPLE_CODE).slice(0, 20);
      const [a, b] = [await trace(half, ids), await trace(full, ids)];
      const worst = Math.max(...a.map((row, i) => maxAbsDiff(row, b[i]!)));
      t.diagnostic(`max |Δlogit| float16 vs float32 cache = ${worst.toExponential(2)}`);
      assert.ok(worst > 0 && worst < 1e-2, `max |Δlogit| = ${worst}`);
      const cache = half.newCache();
      await half.forward(ids, ids.map((_, i) => i), cache);
      assert.ok(cache.tensors.every((x) => x.type === 'float16'));
      const ops = new KvOps('cpu', half.kvShape, half.folder.config.rope);
      await ops.splice(cache, 4, 6, cache.length, -2);
      assert.equal(cache.length, ids.length - 2);
      await half.forward([ids[0]!], [ids.length - 2], cache); // decodes on after the patch
      cache.dispose();
      await ops.release();
    } finally {
      await half.release();
      await full.release();
    }
  });
});

describe('fused decoder graph limits', () => {
  it('masking rows that are not the tail of the cache is refused with the reason on CPU', async () => {
    const model = await loadFixture('tiny-llama', 'cpu');
    const cache = model.newCache();
    try {
      await model.forward([1, 2, 3, 4], [0, 1, 2, 3], cache);
      await assert.rejects(model.forward([5], [4], cache, { maskRows: [1, 2] }), /masks only a tail of the cache/);
      assert.equal(cache.length, 4);
    } finally {
      cache.dispose();
      await model.release();
    }
  });
});
