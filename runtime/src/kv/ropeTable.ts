// cos/sin tables that rotate cached keys by Δ positions: angle_t = Δ · ω_t (ω from ropeFrequencies: theta, scaling).
import type { RopeConfig } from '../model/ModelConfig.js';
import { ropeFrequencies } from '../model/ropeFrequencies.js';

/** Angles are computed in float64 and rounded once, so rotating by Δ matches encoding at the shifted position. */
export function ropeShiftTable(rope: RopeConfig, delta: number): { cos: Float32Array; sin: Float32Array } {
  const omega = ropeFrequencies(rope);
  const cos = new Float32Array(omega.length);
  const sin = new Float32Array(omega.length);
  for (let t = 0; t < omega.length; t++) {
    cos[t] = Math.cos(delta * omega[t]!);
    sin[t] = Math.sin(delta * omega[t]!);
  }
  return { cos, sin };
}
