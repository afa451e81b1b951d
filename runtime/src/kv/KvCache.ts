// A document's cached keys and values: one [1, kvHeads, rows, headDim] tensor per layer and kind, on the model's device.
import * as ort from 'onnxruntime-node';

export type KvDtype = 'float32' | 'float16';

export interface KvShape {
  numLayers: number;
  numKvHeads: number;
  headDim: number;
  dtype: KvDtype;
}

/**
 * Owns its tensors (key0, value0, key1, value1, …). Operations replace them in place and free the ones they drop.
 * Architecture invariant: on a GPU provider the tensors stay `gpu-buffer`; nothing here copies them to the CPU.
 */
export class KvCache {
  private tensorsValue: ort.Tensor[];
  private rows: number;

  private constructor(
    readonly shape: KvShape,
    tensors: ort.Tensor[],
    rows: number,
  ) {
    this.tensorsValue = tensors;
    this.rows = rows;
  }

  static empty(shape: KvShape): KvCache {
    const dims = [1, shape.numKvHeads, 0, shape.headDim];
    const make = () => (shape.dtype === 'float32' ? new ort.Tensor('float32', new Float32Array(0), dims) : new ort.Tensor('float16', new Uint16Array(0), dims));
    return new KvCache(shape, Array.from({ length: 2 * shape.numLayers }, make), 0);
  }

  /** Number of cached token rows (= the next token's cache index). */
  get length(): number {
    return this.rows;
  }

  /**
   * Rows the tensors hold: the length, or more for a preallocated buffer (the fused graph's CPU cache writes each new
   * row in place); rows past `length` are unused. KvOps compacts a cache to its length where an operation needs it.
   */
  get capacity(): number {
    return this.tensorsValue[0]?.dims[2] ?? 0;
  }

  get tensors(): readonly ort.Tensor[] {
    return this.tensorsValue;
  }

  key(layer: number): ort.Tensor {
    return this.tensorsValue[2 * layer]!;
  }

  value(layer: number): ort.Tensor {
    return this.tensorsValue[2 * layer + 1]!;
  }

  /** Installs new tensors; frees the old ones that are not kept. */
  replace(tensors: ort.Tensor[], rows: number): void {
    const kept = new Set(tensors);
    for (const t of this.tensorsValue) if (!kept.has(t)) disposeTensor(t);
    this.tensorsValue = tensors;
    this.rows = rows;
  }

  dispose(): void {
    this.replace([], 0);
  }
}

export function disposeTensor(t: ort.Tensor): void {
  if (t.location === 'gpu-buffer') t.dispose();
}
