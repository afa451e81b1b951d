// ropeFrequencies: plain, linear, llama3, yarn and longrope frequencies against values worked out by hand.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { RopeConfig } from './ModelConfig.js';
import { ropeFrequencies } from './ropeFrequencies.js';

const plain: RopeConfig = { theta: 10000, linearFactor: 1, rotaryDim: 16, layout: 'half-split' };
const base = (t: number) => Math.pow(10000, (-2 * t) / 16);

describe('ropeFrequencies', () => {
  it('plain and linear: theta^(-2t/d) / factor', () => {
    const f = ropeFrequencies(plain);
    assert.equal(f.length, 8);
    for (let t = 0; t < 8; t++) assert.equal(f[t], base(t));
    const lin = ropeFrequencies({ ...plain, linearFactor: 4 });
    for (let t = 0; t < 8; t++) assert.equal(lin[t], base(t) / 4);
  });

  it('llama3: short wavelengths kept, long ones divided by the factor, the middle blended', () => {
    // original 64 positions: low-frequency wavelength bound 64 (low factor 1), high bound 16 (high factor 4).
    const f = ropeFrequencies({ ...plain, scaling: { type: 'llama3', factor: 8, lowFreqFactor: 1, highFreqFactor: 4, originalMaxPositions: 64 } });
    for (let t = 0; t < 8; t++) {
      const wavelen = (2 * Math.PI) / base(t);
      if (wavelen < 16) assert.equal(f[t], base(t), `pair ${t} is high-frequency`);
      else if (wavelen > 64) assert.equal(f[t], base(t) / 8, `pair ${t} is low-frequency`);
      else {
        const smooth = (64 / wavelen - 1) / 3;
        assert.ok(Math.abs(f[t]! - ((1 - smooth) * base(t) / 8 + smooth * base(t))) < 1e-15);
      }
    }
    assert.equal(f[0], base(0), 'pair 0 (wavelength 2π) is kept');
    assert.equal(f[7], base(7) / 8, 'pair 7 (wavelength ~20000) is scaled');
  });

  it('yarn: extrapolation (ω unchanged) below the correction range, interpolation (ω / factor) above it, a linear ramp inside', () => {
    const s = { type: 'yarn', factor: 4, originalMaxPositions: 256, betaFast: 32, betaSlow: 1, truncate: true, attentionFactor: 1.1386 } as const;
    const f = ropeFrequencies({ ...plain, scaling: s });
    // correction dims: 16·ln(256/(r·2π)) / (2·ln 10000) for r = 32 → 0.21 (floor 0), for r = 1 → 3.22 (ceil 4).
    assert.equal(f[0], base(0));
    for (let t = 1; t < 4; t++) {
      const ramp = t / 4;
      assert.ok(Math.abs(f[t]! - (ramp * base(t) / 4 + (1 - ramp) * base(t))) < 1e-15, `pair ${t} is ${ramp} of the way`);
    }
    for (let t = 4; t < 8; t++) assert.equal(f[t], base(t) / 4);
  });

  it('longrope: ω divided by the per-pair factor', () => {
    const factors = [1, 2, 3, 4, 5, 6, 7, 8];
    const f = ropeFrequencies({ ...plain, scaling: { type: 'longrope', factors, attentionFactor: 1 } });
    for (let t = 0; t < 8; t++) assert.equal(f[t], base(t) / factors[t]!);
  });
});
