// Picks the next token from logits: greedy at temperature 0, otherwise temperature + nucleus (top-p) with a seeded RNG.
import { seededRandom } from './seededRandom.js';

export interface SamplingOptions {
  /** 0 = greedy. */
  temperature: number;
  /** Nucleus mass in (0, 1]; 1 = no truncation. */
  topP: number;
  seed: number;
}

export const GREEDY: SamplingOptions = { temperature: 0, topP: 1, seed: 0 };

export class Sampler {
  private readonly random: () => number;

  constructor(private readonly opts: SamplingOptions) {
    if (!(opts.temperature >= 0)) throw new RangeError(`temperature must be >= 0 (got ${opts.temperature})`);
    if (!(opts.topP > 0 && opts.topP <= 1)) throw new RangeError(`top-p must be in (0, 1] (got ${opts.topP})`);
    this.random = seededRandom(opts.seed);
  }

  /** Samples from logits[offset, offset + vocab). */
  sample(logits: Float32Array, offset: number, vocab: number): number {
    const row = logits.subarray(offset, offset + vocab);
    if (this.opts.temperature === 0) return argmax(row);
    const probs = softmax(row, this.opts.temperature);
    const order = Array.from(probs.keys()).sort((a, b) => probs[b]! - probs[a]!);
    let kept = 0;
    let mass = 0;
    while (kept < order.length && mass < this.opts.topP) mass += probs[order[kept++]!]!;
    let r = this.random() * mass;
    for (let i = 0; i < kept; i++) {
      r -= probs[order[i]!]!;
      if (r <= 0) return order[i]!;
    }
    return order[kept - 1]!;
  }
}

export function argmax(row: Float32Array): number {
  let best = 0;
  for (let i = 1; i < row.length; i++) if (row[i]! > row[best]!) best = i;
  return best;
}

function softmax(row: Float32Array, temperature: number): Float64Array {
  let max = -Infinity;
  for (const v of row) max = Math.max(max, v);
  const out = new Float64Array(row.length);
  let sum = 0;
  for (let i = 0; i < row.length; i++) sum += out[i] = Math.exp((row[i]! - max) / temperature);
  for (let i = 0; i < row.length; i++) out[i]! /= sum;
  return out;
}

/** log softmax(row)[id]: the natural log of the token's probability. */
export function logSoftmaxAt(row: Float32Array, id: number): number {
  let max = -Infinity;
  for (const v of row) if (v > max) max = v;
  let sum = 0;
  for (const v of row) sum += Math.exp(v - max);
  return row[id]! - max - Math.log(sum);
}
