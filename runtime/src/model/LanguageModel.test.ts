// Incremental decoding through the KV cache equals re-running the full prefix (every fixture and the bundled model, CPU and WebGPU).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ModelProto } from '../onnx/onnxSchema.js';
import { devicesUnderTest, fixtureDir, loadFixture, maxAbsDiff, SAMPLE_CODE, TEST_MODELS } from '../testing/fixtures.js';

const PREFILL = 8;
const TOLERANCE = 1e-4;

describe('LanguageModel incremental decoding', async () => {
  for (const { device, skip } of await devicesUnderTest()) {
    for (const name of TEST_MODELS) {
      it(`${name} on ${device}: prefill + single steps = full forward (max |Δlogit| < ${TOLERANCE})`, { skip }, async (t) => {
        const model = await loadFixture(name, device);
        try {
          assert.equal(model.logitsRows, 'kept');
          const ids = model.folder.tokenizer.encode(SAMPLE_CODE).slice(0, 20);
          assert.ok(ids.length >= 16, 'sample must tokenize to at least 16 tokens');
          const positions = ids.map((_, i) => i);
          const fullCache = model.newCache();
          const full = await model.forward(ids, positions, fullCache, { logits: 'all' });
          assert.equal(full.rows, ids.length);
          assert.equal(full.logits.length, ids.length * full.vocab);
          const cache = model.newCache();
          const first = await model.forward(ids.slice(0, PREFILL), positions.slice(0, PREFILL), cache, { logits: 'all' });
          let worst = maxAbsDiff(first.logits, full.logits.subarray(0, PREFILL * full.vocab));
          for (let i = PREFILL; i < ids.length; i++) {
            const step = await model.forward([ids[i]!], [i], cache);
            assert.equal(step.rows, 1);
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

describe('LanguageModel logits rows', async () => {
  for (const { device, skip } of await devicesUnderTest()) {
    it(`on ${device}: 'last' is the last row of 'all', 'none' returns no rows and copies at most one`, { skip }, async () => {
      const model = await loadFixture('qwen2-style', device);
      try {
        const ids = model.folder.tokenizer.encode(SAMPLE_CODE).slice(0, 12);
        const positions = ids.map((_, i) => i);
        const run = async (logits: 'all' | 'last' | 'none') => {
          const cache = model.newCache();
          const before = model.logitsBytesCopied;
          const r = await model.forward(ids, positions, cache, { logits });
          cache.dispose();
          return { ...r, bytes: model.logitsBytesCopied - before };
        };
        const all = await run('all');
        const last = await run('last');
        const none = await run('none');
        assert.deepEqual([all.rows, last.rows, none.rows], [ids.length, 1, 0]);
        assert.ok(maxAbsDiff(last.logits, all.logits.subarray((ids.length - 1) * all.vocab)) < 1e-5);
        assert.equal(none.logits.length, 0);
        assert.equal(all.bytes, ids.length * all.vocab * 4);
        assert.equal(last.bytes, all.vocab * 4);
        assert.equal(none.bytes, all.vocab * 4);
      } finally {
        await model.release();
      }
    });
  }

  it('with the rewrite disabled, every row is copied and the reason is recorded', async () => {
    const model = await loadFixture('tiny-llama', 'cpu', { keepLogits: false });
    try {
      assert.equal(model.logitsRows, 'all (disabled)');
      const ids = model.folder.tokenizer.encode(SAMPLE_CODE).slice(0, 10);
      const cache = model.newCache();
      const r = await model.forward(ids, ids.map((_, i) => i), cache);
      cache.dispose();
      assert.equal(r.rows, 1);
      assert.equal(model.logitsBytesCopied, ids.length * r.vocab * 4);
    } finally {
      await model.release();
    }
  });
});

describe('LanguageModel on the hub layouts (external data, quantized graphs)', () => {
  it('external-data: onnx/model.onnx + model.onnx_data load from rewritten bytes (logits rows kept), tensors found beside the file', async () => {
    const model = await loadFixture('external-data', 'cpu');
    try {
      assert.equal(model.logitsRows, 'kept');
      const ids = model.folder.tokenizer.encode(SAMPLE_CODE).slice(0, 6);
      const out = await model.forward(ids, ids.map((_, i) => i), model.newCache());
      assert.ok(out.logits.some((v) => Math.abs(v) > 0.1), 'real weights, not zeros');
    } finally {
      await model.release();
    }
  });

  it('quantized/model_q4.onnx is quantized as the hub exports are: com.microsoft MatMulNBits, 4 bits, block 32, no fp32 MatMul weights left', () => {
    const bytes = fs.readFileSync(path.join(fixtureDir('quantized'), 'onnx', 'model_q4.onnx'));
    const m = ModelProto.toObject(ModelProto.decode(bytes), { longs: Number, arrays: true, defaults: true }) as {
      opsetImport: { domain: string }[];
      graph: { node: { opType: string; domain: string; attribute: { name: string; i: number }[] }[] };
    };
    assert.ok(m.opsetImport.some((o) => o.domain === 'com.microsoft'));
    const nbits = m.graph.node.filter((n) => n.opType === 'MatMulNBits');
    assert.equal(nbits.length, 15, '7 projections per layer x 2 layers + lm_head');
    for (const n of nbits) {
      const attr = Object.fromEntries(n.attribute.map((a) => [a.name, a.i]));
      assert.deepEqual([n.domain, attr.bits, attr.block_size], ['com.microsoft', 4, 32]);
    }
    assert.equal(m.graph.node.filter((n) => n.opType === 'MatMul').length, 4, 'only the attention matmuls (q·k, p·v) stay fp32');
  });

  for (const variant of ['q4', 'int8'] as const) {
    it(`quantized ${variant} (model_${variant}.onnx): prefill + single steps = full forward`, async (t) => {
      const model = await loadFixture('quantized', 'cpu', { variant });
      try {
        assert.equal(model.folder.variant.file, `model_${variant}.onnx`);
        assert.equal(model.logitsRows, 'kept');
        const ids = model.folder.tokenizer.encode(SAMPLE_CODE).slice(0, 20);
        const full = await model.forward(ids, ids.map((_, i) => i), model.newCache(), { logits: 'all' });
        const cache = model.newCache();
        await model.forward(ids.slice(0, PREFILL), ids.slice(0, PREFILL).map((_, i) => i), cache, { logits: 'none' });
        let worst = 0;
        for (let i = PREFILL; i < ids.length; i++) {
          const step = await model.forward([ids[i]!], [i], cache);
          worst = Math.max(worst, maxAbsDiff(step.logits, full.logits.subarray(i * full.vocab, (i + 1) * full.vocab)));
        }
        t.diagnostic(`max |Δlogit| = ${worst.toExponential(2)}`);
        assert.ok(worst < TOLERANCE, `max |Δlogit| = ${worst}`);
      } finally {
        await model.release();
      }
    });
  }
});
