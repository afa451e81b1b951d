// The fused graph's additive attention mask: which key rows each query row may see (0) or not (-Infinity).
import * as ort from 'onnxruntime-node';

export interface BiasLayout {
  /** Query heads per KV head: the graph stacks them as rows, so the mask repeats per group. */
  groups: number;
  /** New tokens. */
  tokens: number;
  /** Valid cached rows (the past). */
  past: number;
  /** Key rows the graph sees before the new tokens' own (the buffer's capacity, or `past` for an exact cache). */
  keyRows: number;
  /** Cached rows [from, to) the new tokens must not see. */
  masked?: readonly [number, number];
}

/**
 * [1, 1, groups * tokens, keyRows + tokens]: row g*tokens + i is new token i; it sees the valid past rows but the masked
 * ones, no row in [past, keyRows), and new tokens 0..i (causal).
 */
export function attentionBias(b: BiasLayout): ort.Tensor {
  const width = b.keyRows + b.tokens;
  const data = new Float32Array(b.groups * b.tokens * width);
  const row = new Float32Array(width);
  for (let i = 0; i < b.tokens; i++) {
    row.fill(0);
    if (b.masked) row.fill(-Infinity, b.masked[0], b.masked[1]);
    row.fill(-Infinity, b.past, b.keyRows);
    row.fill(-Infinity, b.keyRows + i + 1, width);
    for (let g = 0; g < b.groups; g++) data.set(row, (g * b.tokens + i) * width);
  }
  return new ort.Tensor('float32', data, [1, 1, b.groups * b.tokens, width]);
}
