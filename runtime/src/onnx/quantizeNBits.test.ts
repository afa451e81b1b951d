// MatMulNBits weights: the blocks dequantize to within half a step, and onnxruntime reads the layout as written.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as ort from 'onnxruntime-node';
import { GraphBuilder } from './GraphBuilder.js';
import { BLOCK_SIZE, quantizeNBits, type QuantizedWeight } from './quantizeNBits.js';

const K = 80; // not a multiple of the block: the last block is partial
const N = 6;

function weights(): Float32Array {
  let s = 7;
  return Float32Array.from({ length: K * N }, () => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648) * 2 - 1);
}

/** W [K, N] back from the blocks, by the layout quantizeNBits documents. */
function dequantize(q: QuantizedWeight): Float32Array {
  const w = new Float32Array(q.k * q.n);
  const blob = (BLOCK_SIZE * q.bits) / 8;
  for (let col = 0; col < q.n; col++) {
    for (let r = 0; r < q.k; r++) {
      const b = Math.floor(r / BLOCK_SIZE);
      const i = r % BLOCK_SIZE;
      const byte = q.data[(col * q.blocks + b) * blob + (q.bits === 8 ? i : i >> 1)]!;
      const v = q.bits === 8 ? byte : i % 2 === 0 ? byte & 15 : byte >> 4;
      w[r * q.n + col] = (v - (1 << (q.bits - 1))) * q.scales[col * q.blocks + b]!;
    }
  }
  return w;
}

describe('quantizeNBits', () => {
  for (const bits of [8, 4] as const) {
    it(`${bits}-bit blocks dequantize within half a step, and MatMulNBits computes x · dequantized W`, async () => {
      const w = weights();
      const q = quantizeNBits(w, K, N, bits);
      const back = dequantize(q);
      for (let r = 0; r < K; r++) {
        for (let c = 0; c < N; c++) assert.ok(Math.abs(back[r * N + c]! - w[r * N + c]!) <= q.scales[c * q.blocks + Math.floor(r / BLOCK_SIZE)]! / 2 + 1e-7);
      }
      const g = new GraphBuilder('nbits');
      g.input('x', 'float32', [1, K]);
      const b = g.raw('uint8', [N, q.blocks, (BLOCK_SIZE * bits) / 8], q.data);
      const s = g.raw('float32', [N * q.blocks], new Uint8Array(q.scales.buffer));
      const z = g.raw('uint8', [q.zeroPoints.length], q.zeroPoints);
      g.msOp('MatMulNBits', ['x', b, s, z], { K, N, bits, block_size: BLOCK_SIZE, accuracy_level: 0 }, ['y']);
      g.output('y', 'float32', [1, N]);
      const session = await ort.InferenceSession.create(g.toBytes(), { executionProviders: ['cpu'], logSeverityLevel: 3 });
      const x = Float32Array.from({ length: K }, (_, i) => Math.sin(i));
      const y = (await session.run({ x: new ort.Tensor('float32', x, [1, K]) })).y!.data as Float32Array;
      for (let c = 0; c < N; c++) {
        let want = 0;
        for (let r = 0; r < K; r++) want += x[r]! * back[r * N + c]!;
        assert.ok(Math.abs(y[c]! - want) < 1e-4, `column ${c}: ${y[c]} vs ${want}`);
      }
      await session.release();
    });
  }
});
