// ONNX graphs for KV-cache surgery (slice, drop, concat, rotate by Δ, copy to CPU), built for one cache shape.
import type { RopeConfig } from '../model/ModelConfig.js';
import { GraphBuilder } from '../onnx/GraphBuilder.js';
import type { KvShape } from './KvCache.js';

const ROW_AXIS = 2;
const DIM_AXIS = 3;
const END = Number.MAX_SAFE_INTEGER;

function cacheDims(shape: KvShape, rows: string): (number | string)[] {
  return [1, shape.numKvHeads, rows, shape.headDim];
}

function declareTensors(g: GraphBuilder, shape: KvShape, count: number, prefix: string, rows: string): string[] {
  return Array.from({ length: count }, (_, i) => g.input(`${prefix}${i}`, shape.dtype, cacheDims(shape, rows)));
}

function declareOutputs(g: GraphBuilder, shape: KvShape, results: string[]): void {
  results.forEach((r, i) => {
    g.op('Identity', [r], undefined, [`y${i}`]);
    g.output(`y${i}`, shape.dtype, cacheDims(shape, `out_rows`));
  });
}

function slice(g: GraphBuilder, x: string, start: string, end: string, axis: number): string {
  return g.op('Slice', [x, start, end, g.ints([axis])]);
}

/** y_i = x_i[:, :, start:end] for every tensor; `start` and `end` are int64 [1] inputs. */
export function sliceRowsGraph(shape: KvShape, count: number): Uint8Array {
  const g = new GraphBuilder('slice_rows');
  const xs = declareTensors(g, shape, count, 'x', 'rows');
  g.input('start', 'int64', [1]);
  g.input('end', 'int64', [1]);
  const axis = g.ints([ROW_AXIS]);
  declareOutputs(g, shape, xs.map((x) => g.op('Slice', [x, 'start', 'end', axis])));
  return g.toBytes();
}

/**
 * y_i = concat(x_i[:, :, :start], x_i[:, :, end:len]) — removes rows [start, end) of the `len` used rows (a
 * preallocated buffer holds more).
 */
export function dropRowsGraph(shape: KvShape, count: number): Uint8Array {
  const g = new GraphBuilder('drop_rows');
  const xs = declareTensors(g, shape, count, 'x', 'rows');
  g.input('start', 'int64', [1]);
  g.input('end', 'int64', [1]);
  g.input('len', 'int64', [1]);
  const zero = g.ints([0]);
  const results = xs.map((x) => g.op('Concat', [slice(g, x, zero, 'start', ROW_AXIS), slice(g, x, 'end', 'len', ROW_AXIS)], { axis: ROW_AXIS }));
  declareOutputs(g, shape, results);
  return g.toBytes();
}

/** y_i = concat(a_i, b_i) along rows. */
export function concatRowsGraph(shape: KvShape, count: number): Uint8Array {
  const g = new GraphBuilder('concat_rows');
  const as = declareTensors(g, shape, count, 'a', 'rows_a');
  const bs = declareTensors(g, shape, count, 'b', 'rows_b');
  declareOutputs(g, shape, as.map((a, i) => g.op('Concat', [a, bs[i]!], { axis: ROW_AXIS })));
  return g.toBytes();
}

/** y_i = x_i, with outputs placed wherever the session puts them (used to copy device tensors to the CPU). */
export function copyGraph(shape: KvShape, count: number): Uint8Array {
  const g = new GraphBuilder('copy');
  const xs = declareTensors(g, shape, count, 'x', 'rows');
  declareOutputs(g, shape, xs);
  return g.toBytes();
}

/** Rotates rotary dims of x (fp32, [..., D]) by per-pair cos/sin inputs: the RoPE of a position shift. */
function rotate(g: GraphBuilder, x: string, rope: RopeConfig, headDim: number): string {
  const r = rope.rotaryDim;
  const dimSlice = (from: number, to: number, src = x, axis = DIM_AXIS) => slice(g, src, g.ints([from]), g.ints([to]), axis);
  const rotated = dimSlice(0, r);
  let out: string;
  if (rope.layout === 'half-split') {
    const x1 = dimSlice(0, r / 2, rotated);
    const x2 = dimSlice(r / 2, r, rotated);
    const o1 = g.op('Sub', [g.op('Mul', [x1, 'cos']), g.op('Mul', [x2, 'sin'])]);
    const o2 = g.op('Add', [g.op('Mul', [x2, 'cos']), g.op('Mul', [x1, 'sin'])]);
    out = g.op('Concat', [o1, o2], { axis: DIM_AXIS });
  } else {
    const pairs = g.op('Reshape', [rotated, g.ints([0, 0, 0, r / 2, 2])]);
    const xe = dimSlice(0, 1, pairs, 4);
    const xo = dimSlice(1, 2, pairs, 4);
    const oe = g.op('Sub', [g.op('Mul', [xe, 'cos']), g.op('Mul', [xo, 'sin'])]);
    const oo = g.op('Add', [g.op('Mul', [xo, 'cos']), g.op('Mul', [xe, 'sin'])]);
    out = g.op('Reshape', [g.op('Concat', [oe, oo], { axis: 4 }), g.ints([0, 0, 0, r])]);
  }
  return r === headDim ? out : g.op('Concat', [out, dimSlice(r, headDim)], { axis: DIM_AXIS });
}

/** Shape of the cos/sin inputs of the rotate graph for a layout. */
export function rotationTableDims(rope: RopeConfig): number[] {
  return rope.layout === 'half-split' ? [rope.rotaryDim / 2] : [rope.rotaryDim / 2, 1];
}

/** Rotation of a block of cached keys, in fp32 (an fp16 cache is cast there and back). */
function rotateBlock(g: GraphBuilder, block: string, shape: KvShape, rope: RopeConfig): string {
  if (shape.dtype === 'float32') return rotate(g, block, rope, shape.headDim);
  const asF32 = g.op('Cast', [block], { to: 1 });
  return g.op('Cast', [rotate(g, asF32, rope, shape.headDim)], { to: 10 });
}

function declareRotation(g: GraphBuilder, rope: RopeConfig): void {
  g.input('cos', 'float32', rotationTableDims(rope));
  g.input('sin', 'float32', rotationTableDims(rope));
}

/**
 * y_i = x_i with rows [start, end) rotated by the angles in cos/sin (float32, see rotationTableDims).
 * Only keys are passed: values carry no RoPE. fp16 caches are rotated in fp32 and cast back.
 */
export function rotateRowsGraph(shape: KvShape, count: number, rope: RopeConfig): Uint8Array {
  const g = new GraphBuilder('rotate_rows');
  const xs = declareTensors(g, shape, count, 'x', 'rows');
  g.input('start', 'int64', [1]);
  g.input('end', 'int64', [1]);
  declareRotation(g, rope);
  const zero = g.ints([0]);
  const inf = g.ints([END]);
  const results = xs.map((x) => {
    const rot = rotateBlock(g, slice(g, x, 'start', 'end', ROW_AXIS), shape, rope);
    return g.op('Concat', [slice(g, x, zero, 'start', ROW_AXIS), rot, slice(g, x, 'end', inf, ROW_AXIS)], { axis: ROW_AXIS });
  });
  declareOutputs(g, shape, results);
  return g.toBytes();
}

/**
 * PIE's cache patch in one pass. Input rows: the old cache [0, n) followed by freshly encoded rows [n, len) (a
 * preallocated buffer holds more rows; they are left out).
 * Output: rows [0, start), then the fresh rows, then old rows [end_old, n) — keys of those rotated by cos/sin (Δ).
 * Inputs are key0, value0, key1, value1, …; only keys are rotated.
 */
export function spliceRowsGraph(shape: KvShape, count: number, rope: RopeConfig): Uint8Array {
  const g = new GraphBuilder('splice_rows');
  const xs = declareTensors(g, shape, count, 'x', 'rows');
  g.input('start', 'int64', [1]);
  g.input('end_old', 'int64', [1]);
  g.input('n', 'int64', [1]);
  g.input('len', 'int64', [1]);
  declareRotation(g, rope);
  const zero = g.ints([0]);
  const results = xs.map((x, i) => {
    const prefix = slice(g, x, zero, 'start', ROW_AXIS);
    const fresh = slice(g, x, 'n', 'len', ROW_AXIS);
    const suffix = slice(g, x, 'end_old', 'n', ROW_AXIS);
    const moved = i % 2 === 0 ? rotateBlock(g, suffix, shape, rope) : suffix;
    return g.op('Concat', [prefix, fresh, moved], { axis: ROW_AXIS });
  });
  declareOutputs(g, shape, results);
  return g.toBytes();
}
