// Runs the KV-cache surgery graphs on the model's own execution provider (no CPU round trip on a GPU).
import * as ort from 'onnxruntime-node';
import { type DeviceKind, sessionOptions } from '../device/Device.js';
import { SpliceError } from '../errors.js';
import type { RopeConfig } from '../model/ModelConfig.js';
import { float16ToFloat32 } from './float16.js';
import { KvCache, type KvShape } from './KvCache.js';
import { concatRowsGraph, copyGraph, dropRowsGraph, rotateRowsGraph, rotationTableDims, sliceRowsGraph, spliceRowsGraph } from './kvGraphs.js';
import { ropeShiftTable } from './ropeTable.js';

type GraphName = 'slice' | 'drop' | 'concat' | 'rotate' | 'splice' | 'download';

function int64(v: number): ort.Tensor {
  return new ort.Tensor('int64', new BigInt64Array([BigInt(v)]), [1]);
}

/** A cached layer read back to the CPU as float32, [kvHeads, rows, headDim] row-major. */
export interface CpuLayer {
  key: Float32Array;
  value: Float32Array;
  rows: number;
}

export class KvOps {
  private readonly sessions = new Map<GraphName, Promise<ort.InferenceSession>>();

  constructor(
    readonly device: DeviceKind,
    readonly shape: KvShape,
    readonly rope: RopeConfig,
  ) {}

  private session(name: GraphName): Promise<ort.InferenceSession> {
    let s = this.sessions.get(name);
    if (!s) {
      const all = 2 * this.shape.numLayers;
      const bytes = {
        slice: () => sliceRowsGraph(this.shape, all),
        drop: () => dropRowsGraph(this.shape, all),
        concat: () => concatRowsGraph(this.shape, all),
        rotate: () => rotateRowsGraph(this.shape, this.shape.numLayers, this.rope),
        splice: () => spliceRowsGraph(this.shape, all, this.rope),
        download: () => copyGraph(this.shape, all),
      }[name]();
      s = ort.InferenceSession.create(bytes, sessionOptions(this.device, name === 'download' ? 'cpu' : 'gpu-buffer'));
      this.sessions.set(name, s);
    }
    return s;
  }

  private async run(name: GraphName, feeds: Record<string, ort.Tensor>, outputs: number): Promise<ort.Tensor[]> {
    const session = await this.session(name);
    let result: ort.InferenceSession.OnnxValueMapType;
    try {
      result = await session.run(feeds);
    } catch (err) {
      throw new SpliceError('inference', `KV-cache ${name} graph failed on ${this.device}: ${(err as Error).message}`);
    }
    return Array.from({ length: outputs }, (_, i) => result[`y${i}`] as ort.Tensor);
  }

  private tensorFeeds(prefix: string, tensors: readonly ort.Tensor[]): Record<string, ort.Tensor> {
    return Object.fromEntries(tensors.map((t, i) => [`${prefix}${i}`, t]));
  }

  private checkRange(cache: KvCache, start: number, end: number): void {
    if (!(Number.isInteger(start) && Number.isInteger(end) && 0 <= start && start <= end && end <= cache.length)) {
      throw new SpliceError('input', `row range [${start}, ${end}) is outside the cache (0..${cache.length})`);
    }
  }

  /** Keeps rows [0, rows). */
  async truncate(cache: KvCache, rows: number): Promise<void> {
    this.checkRange(cache, 0, rows);
    if (rows === cache.length) return;
    const feeds = { ...this.tensorFeeds('x', cache.tensors), start: int64(0), end: int64(rows) };
    cache.replace(await this.run('slice', feeds, cache.tensors.length), rows);
  }

  /** Removes rows [start, end); later rows move up (their keys keep their old rotation). */
  async dropRows(cache: KvCache, start: number, end: number): Promise<void> {
    this.checkRange(cache, start, end);
    if (start === end) return;
    const feeds = { ...this.tensorFeeds('x', cache.tensors), start: int64(start), end: int64(end), len: int64(cache.length) };
    cache.replace(await this.run('drop', feeds, cache.tensors.length), cache.length - (end - start));
  }

  /** Replaces a preallocated buffer's tensors by exact ones (rows [0, length)); a no-op for an exact cache. */
  private async compact(cache: KvCache): Promise<void> {
    if (cache.capacity === cache.length) return;
    const feeds = { ...this.tensorFeeds('x', cache.tensors), start: int64(0), end: int64(cache.length) };
    cache.replace(await this.run('slice', feeds, cache.tensors.length), cache.length);
  }

  /** Appends the rows of `rows` after the cache's own (rows is left as it was, but compacted). */
  async appendRows(cache: KvCache, rows: KvCache): Promise<void> {
    if (rows.length === 0) return;
    await this.compact(cache);
    await this.compact(rows);
    const feeds = { ...this.tensorFeeds('a', cache.tensors), ...this.tensorFeeds('b', rows.tensors) };
    cache.replace(await this.run('concat', feeds, cache.tensors.length), cache.length + rows.length);
  }

  private rotationFeeds(delta: number): { cos: ort.Tensor; sin: ort.Tensor } {
    if (delta !== 0 && this.rope.unpatchable) throw new SpliceError('input', `cannot rotate cached keys: ${this.rope.unpatchable}`);
    const { cos, sin } = ropeShiftTable(this.rope, delta);
    const dims = rotationTableDims(this.rope);
    return { cos: new ort.Tensor('float32', cos, dims), sin: new ort.Tensor('float32', sin, dims) };
  }

  /** A copy of rows [start, end) as a new cache (the original is untouched). */
  async copyRows(cache: KvCache, start: number, end: number): Promise<KvCache> {
    this.checkRange(cache, start, end);
    const feeds = { ...this.tensorFeeds('x', cache.tensors), start: int64(start), end: int64(end) };
    const copy = KvCache.empty(this.shape);
    copy.replace(await this.run('slice', feeds, cache.tensors.length), end - start);
    return copy;
  }

  /**
   * PIE's patch after `cache` (old rows [0, n)) was extended by freshly encoded rows [n, length): keeps [0, start),
   * puts the fresh rows next, then old rows [endOld, n) with keys rotated by Δ positions (Δ = 0: no rotation).
   */
  async splice(cache: KvCache, start: number, endOld: number, n: number, delta: number): Promise<void> {
    this.checkRange(cache, start, endOld);
    this.checkRange(cache, endOld, n);
    const feeds = { ...this.tensorFeeds('x', cache.tensors), start: int64(start), end_old: int64(endOld), n: int64(n), len: int64(cache.length), ...this.rotationFeeds(delta) };
    cache.replace(await this.run('splice', feeds, cache.tensors.length), cache.length - (endOld - start));
  }

  /** Rotates the keys of rows [start, end) by Δ positions, in every layer and KV head. Values are untouched. */
  async rotateKeys(cache: KvCache, delta: number, start = 0, end = cache.length): Promise<void> {
    this.checkRange(cache, start, end);
    if (delta === 0 || start === end) return;
    const keys = Array.from({ length: this.shape.numLayers }, (_, l) => cache.key(l));
    const feeds = { ...this.tensorFeeds('x', keys), start: int64(start), end: int64(end), ...this.rotationFeeds(delta) };
    const rotated = await this.run('rotate', feeds, keys.length);
    const next = cache.tensors.map((t, i) => (i % 2 === 0 ? rotated[i / 2]! : t));
    cache.replace(next, cache.length);
  }

  /** Copies one layer to the CPU as float32 (through a graph with CPU outputs; never getData() on a GPU tensor). */
  async readLayer(cache: KvCache, layer: number): Promise<CpuLayer> {
    await this.compact(cache);
    const tensors = cache.tensors;
    const cpu = tensors.every((t) => t.location === 'cpu') ? [...tensors] : await this.run('download', this.tensorFeeds('x', tensors), tensors.length);
    const asF32 = (t: ort.Tensor) => (t.type === 'float16' ? float16ToFloat32(t.data as Uint16Array) : Float32Array.from(t.data as Float32Array));
    return { key: asF32(cpu[2 * layer]!), value: asF32(cpu[2 * layer + 1]!), rows: cache.length };
  }

  async release(): Promise<void> {
    for (const s of this.sessions.values()) await (await s).release();
    this.sessions.clear();
  }
}

export { KvCache };
