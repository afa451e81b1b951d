// Preallocated KV buffers: growth keeps every head's rows, new rows land in place, head views share the buffer's memory.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as ort from 'onnxruntime-node';
import { KvCache, type KvShape } from './KvCache.js';
import { appendInPlace, ensureCapacity, GROWTH_ROWS, headViews } from './kvBuffer.js';

const SHAPE: KvShape = { numLayers: 1, numKvHeads: 2, headDim: 3, dtype: 'float32' };

/** New rows [1, heads, n, dim] whose values encode (tensor, head, row, dim). */
function rows(n: number, from: number): ort.Tensor[] {
  return [0, 1].map((t) => {
    const data = new Float32Array(2 * n * 3);
    for (let h = 0; h < 2; h++) for (let r = 0; r < n; r++) for (let d = 0; d < 3; d++) data[(h * n + r) * 3 + d] = t * 1000 + h * 100 + (from + r) + d / 10;
    return new ort.Tensor('float32', data, [1, 2, n, 3]);
  });
}

function row(cache: KvCache, t: number, h: number, r: number): number[] {
  const data = cache.tensors[t]!.data as Float32Array;
  return Array.from(data.subarray((h * cache.capacity + r) * 3, (h * cache.capacity + r + 1) * 3));
}

describe('kvBuffer', () => {
  it('grows with headroom, keeps every head row through growth, and writes new rows in place', () => {
    const cache = KvCache.empty(SHAPE);
    ensureCapacity(cache, 5);
    assert.ok(cache.capacity >= 5 + GROWTH_ROWS);
    appendInPlace(cache, rows(5, 0));
    const buffer = cache.tensors[0]!.data;
    ensureCapacity(cache, 6); // room already: the same buffer
    assert.equal(cache.tensors[0]!.data, buffer);
    appendInPlace(cache, rows(1, 5));
    ensureCapacity(cache, cache.capacity + 1); // a copy into a larger buffer
    assert.notEqual(cache.tensors[0]!.data, buffer);
    assert.equal(cache.length, 6);
    for (const t of [0, 1]) for (const h of [0, 1]) for (let r = 0; r < 6; r++) assert.deepEqual(row(cache, t, h, r), [0, 1, 2].map((d) => Math.fround(t * 1000 + h * 100 + r + d / 10)));
  });

  it('head views are the rows asked for, without a copy', () => {
    const cache = KvCache.empty(SHAPE);
    ensureCapacity(cache, 4);
    appendInPlace(cache, rows(4, 0));
    const views = headViews(cache, 1, 3);
    assert.deepEqual(views.map((v) => v.dims), [[1, 1, 3, 3], [1, 1, 3, 3]]);
    const view = views[1]!.data as Float32Array;
    assert.equal(view.buffer, (cache.tensors[1]!.data as Float32Array).buffer);
    assert.deepEqual(Array.from(view.subarray(6, 9)), [0, 1, 2].map((d) => Math.fround(1000 + 100 + 2 + d / 10)));
  });

  it('refuses rows past the capacity', () => {
    const cache = KvCache.empty(SHAPE);
    ensureCapacity(cache, 1);
    assert.throws(() => appendInPlace(cache, rows(cache.capacity + 1, 0)), /cannot take/);
  });
});
