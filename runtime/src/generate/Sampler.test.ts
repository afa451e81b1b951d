// Sampler: greedy is argmax; seeded temperature/top-p sampling is reproducible and matches the softmax distribution.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { argmax, GREEDY, logSoftmaxAt, Sampler, type SamplingOptions } from './Sampler.js';

const LOGITS = Float32Array.from([1.0, 2.5, -0.5, 2.0, 0.0]);

function softmax(logits: ArrayLike<number>, temperature: number): number[] {
  const xs = Array.from(logits, (v) => v / temperature);
  const m = Math.max(...xs);
  const e = xs.map((x) => Math.exp(x - m));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((x) => x / s);
}

function draws(opts: SamplingOptions, n: number, logits = LOGITS): number[] {
  const sampler = new Sampler(opts);
  return Array.from({ length: n }, () => sampler.sample(logits, 0, logits.length));
}

function frequencies(ids: number[], vocab: number): number[] {
  const counts = new Array<number>(vocab).fill(0);
  for (const id of ids) counts[id]!++;
  return counts.map((c) => c / ids.length);
}

describe('Sampler', () => {
  it('argmax picks the largest value, the first one on ties', () => {
    assert.equal(argmax(Float32Array.from([0.1, -3, 7, 6.9])), 2);
    assert.equal(argmax(Float32Array.from([-5, -1, -1, -2])), 1);
    assert.equal(argmax(Float32Array.from([-Infinity, -1e30])), 1);
  });

  it('greedy (temperature 0) returns the argmax of the requested row', () => {
    const sampler = new Sampler(GREEDY);
    // two rows of 4: row 0 peaks at 3, row 1 at 0
    const rows = Float32Array.from([0, 1, 2, 3, 9, 1, 2, 3]);
    assert.equal(sampler.sample(rows, 0, 4), 3);
    assert.equal(sampler.sample(rows, 4, 4), 0);
    for (let i = 0; i < 50; i++) assert.equal(sampler.sample(LOGITS, 0, LOGITS.length), 1);
  });

  it('a tiny top-p keeps only the most likely token, whatever the temperature', () => {
    for (const temperature of [0.5, 1, 5]) {
      assert.deepEqual(new Set(draws({ temperature, topP: 1e-6, seed: 7 }, 500)), new Set([1]));
    }
  });

  it('the same seed gives the same sequence; different seeds differ', () => {
    const opts = { temperature: 1, topP: 1 };
    const a = draws({ ...opts, seed: 42 }, 300);
    assert.deepEqual(draws({ ...opts, seed: 42 }, 300), a);
    assert.notDeepEqual(draws({ ...opts, seed: 43 }, 300), a);
    assert.notDeepEqual(draws({ ...opts, seed: 0 }, 300), a);
    assert.ok(new Set(a).size >= 4, 'temperature 1 over 300 draws should visit most of the 5 tokens');
  });

  for (const temperature of [1, 0.7, 2]) {
    it(`over 20k draws at temperature ${temperature}, frequencies match softmax(logits / T) within 0.015`, () => {
      const want = softmax(LOGITS, temperature);
      const got = frequencies(draws({ temperature, topP: 1, seed: 1234 }, 20000), LOGITS.length);
      for (let i = 0; i < want.length; i++) {
        assert.ok(Math.abs(got[i]! - want[i]!) < 0.015, `token ${i}: frequency ${got[i]} vs probability ${want[i]}`);
      }
    });
  }

  it('top-p keeps the smallest head reaching p and renormalises it', () => {
    // probabilities 0.5, 0.3, 0.2: top-p 0.7 keeps the first two, renormalised to 0.625 / 0.375
    const logits = Float32Array.from([Math.log(0.5), Math.log(0.3), Math.log(0.2)]);
    const got = frequencies(draws({ temperature: 1, topP: 0.7, seed: 99 }, 20000, logits), 3);
    assert.equal(got[2], 0, 'the tail beyond the nucleus must never be drawn');
    assert.ok(Math.abs(got[0]! - 0.625) < 0.015, `token 0: ${got[0]}`);
    assert.ok(Math.abs(got[1]! - 0.375) < 0.015, `token 1: ${got[1]}`);
  });

  it('logSoftmaxAt gives the log of the softmax probability', () => {
    const logits = Float32Array.from([Math.log(0.5), Math.log(0.3), Math.log(0.2)].map((x) => x + 7));
    assert.ok(Math.abs(logSoftmaxAt(logits, 1) - Math.log(0.3)) < 1e-6);
    assert.ok(Math.abs([0, 1, 2].reduce((sum, i) => sum + Math.exp(logSoftmaxAt(logits, i)), 0) - 1) < 1e-9);
  });

  it('refuses a negative or NaN temperature and a top-p outside (0, 1]', () => {
    for (const temperature of [-0.1, NaN]) assert.throws(() => new Sampler({ temperature, topP: 1, seed: 0 }), RangeError);
    for (const topP of [0, -1, 1.01, NaN]) assert.throws(() => new Sampler({ temperature: 1, topP, seed: 0 }), /top-p must be in \(0, 1\]/);
    assert.doesNotThrow(() => new Sampler({ temperature: 0, topP: 1, seed: 0 }));
  });
});
