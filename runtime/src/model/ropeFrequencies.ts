// RoPE's per-pair angular frequencies ω_t (float64) for a config: theta, linear factor, and llama3/yarn/longrope reshaping.
import type { RopeConfig, RopeScaling } from './ModelConfig.js';

/** Llama 3: low frequencies (long wavelengths) divided by the factor, high ones kept, a smooth blend between. */
function llama3(base: number, s: Extract<RopeScaling, { type: 'llama3' }>): number {
  const wavelen = (2 * Math.PI) / base;
  const lowWavelen = s.originalMaxPositions / s.lowFreqFactor;
  const highWavelen = s.originalMaxPositions / s.highFreqFactor;
  if (wavelen > lowWavelen) return base / s.factor;
  if (wavelen < highWavelen) return base;
  const smooth = (s.originalMaxPositions / wavelen - s.lowFreqFactor) / (s.highFreqFactor - s.lowFreqFactor);
  return (1 - smooth) * (base / s.factor) + smooth * base;
}

/** YaRN's correction range: the pair indices between which it ramps from interpolation to extrapolation. */
function yarnRange(rotaryDim: number, theta: number, s: Extract<RopeScaling, { type: 'yarn' }>): [number, number] {
  const dimFor = (rotations: number) => (rotaryDim * Math.log(s.originalMaxPositions / (rotations * 2 * Math.PI))) / (2 * Math.log(theta));
  let low = dimFor(s.betaFast);
  let high = dimFor(s.betaSlow);
  if (s.truncate) {
    low = Math.floor(low);
    high = Math.ceil(high);
  }
  return [Math.max(low, 0), Math.min(high, rotaryDim - 1)];
}

function yarn(t: number, base: number, rotaryDim: number, theta: number, s: Extract<RopeScaling, { type: 'yarn' }>): number {
  const [low, high0] = yarnRange(rotaryDim, theta, s);
  const high = low === high0 ? high0 + 0.001 : high0;
  const ramp = Math.min(1, Math.max(0, (t - low) / (high - low)));
  const extrapolation = 1 - ramp;
  return (base / s.factor) * (1 - extrapolation) + base * extrapolation;
}

/**
 * ω_t for t in [0, rotaryDim/2): the angle of pair t at position p is p·ω_t. None of these depends on p, which is
 * what lets a cached key be moved by Δ positions with one rotation by Δ·ω_t. (YaRN's and LongRoPE's attention
 * factors scale cos and sin at encode time; a scaled key rotates like any other, so they play no part here.)
 */
export function ropeFrequencies(rope: RopeConfig): Float64Array {
  const half = rope.rotaryDim / 2;
  const out = new Float64Array(half);
  const s = rope.scaling;
  for (let t = 0; t < half; t++) {
    const base = Math.pow(rope.theta, (-2 * t) / rope.rotaryDim) / rope.linearFactor;
    if (!s) out[t] = base;
    else if (s.type === 'llama3') out[t] = llama3(base, s);
    else if (s.type === 'yarn') out[t] = yarn(t, base, rope.rotaryDim, rope.theta, s);
    else out[t] = base / s.factors[t]!;
  }
  return out;
}
