// Preallocated CPU KV buffers for the fused graph: rows grow in place, new rows are written without copying the cache.
import * as ort from 'onnxruntime-node';
import { SpliceError } from '../errors.js';
import type { KvCache } from './KvCache.js';

/** Rows a buffer grows by at least; it grows by half its capacity when that is more (amortized O(1) copies per row). */
export const GROWTH_ROWS = 128;

type KvData = Float32Array | Uint16Array;

function cpuData(t: ort.Tensor): KvData {
  if (t.location !== 'cpu' || (t.type !== 'float32' && t.type !== 'float16')) throw new SpliceError('inference', `a preallocated KV buffer must be a float32 or float16 CPU tensor (got ${t.type} on ${t.location})`);
  return t.data as KvData;
}

/** A tensor of the cache's dtype over `data` (float16 travels as its bits in a Uint16Array). */
function kvTensor(dtype: KvCache['shape']['dtype'], data: KvData, dims: number[]): ort.Tensor {
  return dtype === 'float16' ? new ort.Tensor('float16', data as Uint16Array, dims) : new ort.Tensor('float32', data as Float32Array, dims);
}

/** Copies rows [0, rows) of each head of `from` (capacity `fromCap`) into `to` (capacity `toCap`). */
function copyHeads(from: KvData, fromCap: number, to: KvData, toCap: number, heads: number, rows: number, dim: number): void {
  for (let h = 0; h < heads; h++) to.set(from.subarray(h * fromCap * dim, (h * fromCap + rows) * dim) as never, h * toCap * dim);
}

/** Makes room for `rows` rows: a new, larger buffer per tensor (rows [0, length) copied) when the capacity is short. */
export function ensureCapacity(cache: KvCache, rows: number): void {
  const cap = cache.capacity;
  if (rows <= cap && cache.tensors.length > 0 && cache.tensors[0]!.location === 'cpu') return;
  const { numKvHeads: heads, headDim: dim } = cache.shape;
  const next = Math.ceil(Math.max(rows + GROWTH_ROWS, Math.floor(cap * 1.5)) / 64) * 64;
  const dtype = cache.shape.dtype;
  const tensors = cache.tensors.map((t) => {
    const data = dtype === 'float16' ? new Uint16Array(heads * next * dim) : new Float32Array(heads * next * dim);
    copyHeads(cpuData(t), cap, data, next, heads, cache.length, dim);
    return kvTensor(dtype, data, [1, heads, next, dim]);
  });
  cache.replace(tensors, cache.length);
}

/** Writes the new rows ([1, heads, n, dim] per tensor, same order as the cache's) at rows [length, length + n). */
export function appendInPlace(cache: KvCache, rows: readonly ort.Tensor[]): void {
  const { numKvHeads: heads, headDim: dim } = cache.shape;
  const n = rows[0]?.dims[2] ?? 0;
  if (cache.length + n > cache.capacity) throw new SpliceError('inference', `KV buffer of ${cache.capacity} rows cannot take ${n} rows after ${cache.length}`);
  cache.tensors.forEach((t, i) => {
    const to = cpuData(t);
    const from = rows[i]!.data as KvData;
    for (let h = 0; h < heads; h++) to.set(from.subarray(h * n * dim, (h + 1) * n * dim) as never, (h * cache.capacity + cache.length) * dim);
  });
  cache.replace([...cache.tensors], cache.length + n);
}

/** Zero-copy views of one tensor's rows [0, rows), one per KV head ([1, 1, rows, headDim]): a head's rows are contiguous. */
export function headViews(cache: KvCache, index: number, rows = cache.length): ort.Tensor[] {
  const { numKvHeads: heads, headDim: dim } = cache.shape;
  const data = cpuData(cache.tensors[index]!);
  const cap = cache.capacity;
  return Array.from({ length: heads }, (_, h) => kvTensor(cache.shape.dtype, data.subarray(h * cap * dim, (h * cap + rows) * dim), [1, 1, rows, dim]));
}
