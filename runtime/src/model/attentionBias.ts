// The fused graph's additive attention masks: which key rows each query row may see (0) or not (-Infinity).
import * as ort from 'onnxruntime-node';

/** [1, 1, tokens, tokens]: new token i sees new tokens 0..i. */
export function causalBias(tokens: number): ort.Tensor {
  const data = new Float32Array(tokens * tokens);
  for (let i = 0; i < tokens; i++) data.fill(-Infinity, i * tokens + i + 1, (i + 1) * tokens);
  return new ort.Tensor('float32', data, [1, 1, tokens, tokens]);
}

/** [1, 1, groups * tokens, past + tokens]: the past mask then the causal mask, in one (for the `concat` graph). */
export function attentionBias(groups: number, tokens: number, past: number, masked?: readonly [number, number]): ort.Tensor {
  const width = past + tokens;
  const data = new Float32Array(groups * tokens * width);
  const row = new Float32Array(width);
  for (let i = 0; i < tokens; i++) {
    row.fill(0);
    if (masked) row.fill(-Infinity, masked[0], masked[1]);
    row.fill(-Infinity, past + i + 1, width);
    for (let g = 0; g < groups; g++) data.set(row, (g * tokens + i) * width);
  }
  return new ort.Tensor('float32', data, [1, 1, groups * tokens, width]);
}
