// KV-cache primitives on CPU and WebGPU: rotation by Δ equals encoding at shifted positions; slice/drop/append exact.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { DeviceKind } from '../device/Device.js';
import type { LanguageModel } from '../model/LanguageModel.js';
import { devicesUnderTest, FIXTURES, loadFixture, maxAbsDiff, SAMPLE_CODE, type FixtureName } from '../testing/fixtures.js';
import { KvOps, type CpuLayer } from './KvOps.js';
import type { KvCache } from './KvCache.js';

const N = 12;

async function encodeAt(model: LanguageModel, ids: number[], start: number): Promise<KvCache> {
  const cache = model.newCache();
  await model.forward(ids, ids.map((_, i) => start + i), cache);
  return cache;
}

/** Rows [from, to) of a [heads, rows, dim] layer, as a flat array. */
function rowsOf(layer: Float32Array, heads: number, rows: number, dim: number, from: number, to: number): Float32Array {
  const out: number[] = [];
  for (let h = 0; h < heads; h++) out.push(...layer.subarray((h * rows + from) * dim, (h * rows + to) * dim));
  return Float32Array.from(out);
}

async function withModel(name: FixtureName, device: DeviceKind, f: (m: LanguageModel, ops: KvOps, ids: number[]) => Promise<void>) {
  const model = await loadFixture(name, device);
  const ops = new KvOps(device, model.kvShape, model.folder.config.rope);
  try {
    await f(model, ops, model.folder.tokenizer.encode(SAMPLE_CODE).slice(0, N));
  } finally {
    await ops.release();
    await model.release();
  }
}

describe('KvOps', async () => {
  for (const { device, skip } of await devicesUnderTest()) {
    for (const name of FIXTURES) {
      const tol = name === 'fp16-kv' ? 2e-3 : 1e-5;
      for (const [start, delta] of [
        [0, 37],
        [20, -13],
      ] as const) {
        it(`${name} on ${device}: keys at positions ${start}.. rotated by ${delta} = keys encoded at ${start + delta}.. (every layer, < ${tol})`, { skip }, async (t) => {
          await withModel(name, device, async (model, ops, ids) => {
            const moved = await encodeAt(model, ids, start);
            const reference = await encodeAt(model, ids, start + delta);
            await ops.rotateKeys(moved, delta);
            if (device === 'webgpu') assert.ok(moved.tensors.every((t) => t.location === 'gpu-buffer'));
            let worst = 0;
            for (let layer = 0; layer < model.kvShape.numLayers; layer++) {
              const a = await ops.readLayer(moved, layer);
              const b = await ops.readLayer(reference, layer);
              const dk = maxAbsDiff(a.key, b.key);
              worst = Math.max(worst, dk);
              assert.ok(dk < tol, `layer ${layer} keys: max |Δ| = ${dk}`);
              if (layer === 0) assert.ok(maxAbsDiff(a.value, b.value) < tol, 'layer-0 values do not depend on position');
            }
            t.diagnostic(`max |Δkey| = ${worst.toExponential(2)}`);
            moved.dispose();
            reference.dispose();
          });
        });
      }
    }

    it(`rotateKeys on ${device} touches only the given rows`, { skip }, async () => {
      await withModel('tiny-llama', device, async (model, ops, ids) => {
        const cache = await encodeAt(model, ids, 0);
        const before = await ops.readLayer(cache, 1);
        await ops.rotateKeys(cache, 5, 4, 9);
        const after = await ops.readLayer(cache, 1);
        const { numKvHeads: h, headDim: d } = model.kvShape;
        const part = (l: CpuLayer, from: number, to: number) => rowsOf(l.key, h, N, d, from, to);
        assert.equal(maxAbsDiff(part(before, 0, 4), part(after, 0, 4)), 0);
        assert.equal(maxAbsDiff(part(before, 9, N), part(after, 9, N)), 0);
        assert.ok(maxAbsDiff(part(before, 4, 9), part(after, 4, 9)) > 1e-3, 'rows 4..9 must change');
        assert.equal(maxAbsDiff(before.value, after.value), 0, 'values are never rotated');
        cache.dispose();
      });
    });

    it(`truncate, dropRows and appendRows on ${device} move rows exactly`, { skip }, async () => {
      await withModel('fp16-kv', device, async (model, ops, ids) => {
        const { numKvHeads: h, headDim: d } = model.kvShape;
        const cache = await encodeAt(model, ids, 0);
        const original = await ops.readLayer(cache, 0);
        const rows = (l: CpuLayer, from: number, to: number) => rowsOf(l.key, h, l.rows, d, from, to);

        await ops.dropRows(cache, 3, 7);
        assert.equal(cache.length, N - 4);
        const dropped = await ops.readLayer(cache, 0);
        const expected = [...rows(original, 0, 3).values()];
        // reassemble head by head: rows [0,3) then [7,N)
        const want: number[] = [];
        for (let hh = 0; hh < h; hh++) {
          want.push(...original.key.subarray(hh * N * d, (hh * N + 3) * d), ...original.key.subarray((hh * N + 7) * d, (hh + 1) * N * d));
        }
        assert.ok(expected.length > 0);
        assert.equal(maxAbsDiff(dropped.key, want), 0);

        const tail = await encodeAt(model, ids.slice(0, 2), 0);
        await ops.appendRows(cache, tail);
        assert.equal(cache.length, N - 2);
        const appended = await ops.readLayer(cache, 0);
        const tailCpu = await ops.readLayer(tail, 0);
        assert.equal(maxAbsDiff(rowsOf(appended.key, h, N - 2, d, N - 4, N - 2), tailCpu.key), 0);

        await ops.truncate(cache, 2);
        assert.equal(cache.length, 2);
        const cut = await ops.readLayer(cache, 0);
        assert.equal(maxAbsDiff(cut.key, rows(original, 0, 2)), 0);
        assert.equal(maxAbsDiff(cut.value, rowsOf(original.value, h, N, d, 0, 2)), 0);
        await assert.rejects(ops.dropRows(cache, 1, 5), /outside the cache/);
        cache.dispose();
        tail.dispose();
      });
    });
  }
});
