// cos/sin tables that rotate cached keys by Δ positions: angle_t = Δ · theta^(−2t/rotaryDim) / linearFactor.
import type { RopeConfig } from '../model/ModelConfig.js';

/** Angles are computed in float64 and rounded once, so rotating by Δ matches encoding at the shifted position. */
export function ropeShiftTable(rope: RopeConfig, delta: number): { cos: Float32Array; sin: Float32Array } {
  const half = rope.rotaryDim / 2;
  const cos = new Float32Array(half);
  const sin = new Float32Array(half);
  for (let t = 0; t < half; t++) {
    const omega = Math.pow(rope.theta, (-2 * t) / rope.rotaryDim) / rope.linearFactor;
    cos[t] = Math.cos(delta * omega);
    sin[t] = Math.sin(delta * omega);
  }
  return { cos, sin };
}
