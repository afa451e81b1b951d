// Block-wise weight quantization in the layout of onnxruntime's MatMulNBits (com.microsoft): 8 or 4 bits per weight.
/** Weight bits of a rebuilt graph's MatMuls: float32 as exported, or 8/4-bit blocks (MatMulNBits). */
export type WeightBits = 'float32' | 'int8' | 'int4';
export const WEIGHT_BITS: readonly WeightBits[] = ['float32', 'int8', 'int4'];

export const BLOCK_SIZE = 32;

export interface QuantizedWeight {
  /** [N, blocks, blockSize * bits / 8] uint8: column n's weights, block by block (4-bit: low nibble first). */
  data: Uint8Array;
  /** [N * blocks] float32. */
  scales: Float32Array;
  /** [N * blocks] uint8 (8-bit), or [N * ceil(blocks / 2)] two per byte (4-bit). */
  zeroPoints: Uint8Array;
  k: number;
  n: number;
  blocks: number;
  bits: 4 | 8;
}

/** Symmetric quantization of W [K, N] (row-major, as MatMul takes it) per block of 32 along K of each column. */
export function quantizeNBits(w: Float32Array, k: number, n: number, bits: 4 | 8): QuantizedWeight {
  const blocks = Math.ceil(k / BLOCK_SIZE);
  const blob = (BLOCK_SIZE * bits) / 8;
  const data = new Uint8Array(n * blocks * blob);
  const scales = new Float32Array(n * blocks);
  const zero = 1 << (bits - 1);
  const max = zero - 1;
  const zeroPoints = new Uint8Array(bits === 8 ? n * blocks : n * Math.ceil(blocks / 2));
  for (let col = 0; col < n; col++) {
    for (let b = 0; b < blocks; b++) {
      const from = b * BLOCK_SIZE;
      const to = Math.min(k, from + BLOCK_SIZE);
      let absMax = 0;
      for (let r = from; r < to; r++) absMax = Math.max(absMax, Math.abs(w[r * n + col]!));
      const scale = absMax === 0 ? 1 : absMax / max;
      scales[col * blocks + b] = scale;
      const base = (col * blocks + b) * blob;
      for (let r = from; r < to; r++) {
        const q = Math.max(0, Math.min(2 * zero - 1, Math.round(w[r * n + col]! / scale) + zero));
        const i = r - from;
        if (bits === 8) data[base + i] = q;
        else data[base + (i >> 1)] |= i % 2 === 0 ? q : q << 4;
      }
      if (bits === 8) zeroPoints[col * blocks + b] = zero;
      else zeroPoints[col * Math.ceil(blocks / 2) + (b >> 1)] |= b % 2 === 0 ? zero : zero << 4;
    }
  }
  return { data, scales, zeroPoints, k, n, blocks, bits };
}
