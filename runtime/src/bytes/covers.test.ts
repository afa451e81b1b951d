// Exactness of the byte-level covers on a toy byte-level BPE with a known token source: against brute-force
// enumeration in float64, summing to 1, invariant to where the prompt is split, incremental = fresh.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { seededRandom } from '../generate/seededRandom.js';
import { ByteVocab, type ByteTokenizer } from './ByteVocab.js';
import { ByteState, enumerateCovers, logSumExp, type NextTokenModel } from './covers.js';

const enc = (s: string) => new TextEncoder().encode(s);

/** A toy BPE over a, b, c, d: merges in rank order (d never merges, so it splits the text for sure). */
const MERGES: [string, string][] = [['a', 'b'], ['b', 'c'], ['ab', 'c'], ['c', 'a'], ['b', 'b'], ['ca', 'b']];
const VOCAB = ['a', 'b', 'c', 'd', ...MERGES.map(([x, y]) => x + y)];
const RANK = new Map(MERGES.map(([x, y], i) => [`${x} ${y}`, i]));

function toyEncode(text: string): number[] {
  let syms = [...text];
  for (;;) {
    let best = -1;
    for (let i = 0; i + 1 < syms.length; i++) {
      const r = RANK.get(`${syms[i]} ${syms[i + 1]}`);
      if (r !== undefined && (best < 0 || r < RANK.get(`${syms[best]} ${syms[best + 1]}`)!)) best = i;
    }
    if (best < 0) break;
    const [x, y] = [syms[best]!, syms[best + 1]!];
    const merged: string[] = [];
    for (let i = 0; i < syms.length; i++) {
      if (i + 1 < syms.length && syms[i] === x && syms[i + 1] === y) merged.push(x + y), i++;
      else merged.push(syms[i]!);
    }
    syms = merged;
  }
  return syms.map((s) => VOCAB.indexOf(s));
}

const TOY: ByteTokenizer = {
  size: VOCAB.length,
  bytesOf: (id) => enc(VOCAB[id]!),
  encodeBytes: (b) => toyEncode(new TextDecoder().decode(b)),
};
const vocab = new ByteVocab(TOY);

/** A bigram token model that puts its mass only on valid continuations (as a model of canonical text does). */
function toyModel(seed: number): { after: (base: readonly number[]) => NextTokenModel; next: (prev: number | undefined) => Float64Array } {
  const rnd = seededRandom(seed);
  const logits = Array.from({ length: VOCAB.length + 1 }, () => Array.from({ length: VOCAB.length }, () => 3 * rnd()));
  const next = (prev: number | undefined) => {
    const row = logits[prev === undefined ? VOCAB.length : prev]!;
    const allowed = row.map((l, t) => ((prev === undefined ? vocab.validSingle(t) : vocab.validPair(prev, t)) ? l : -Infinity));
    const z = logSumExp(allowed);
    return Float64Array.from(allowed, (l) => l - z);
  };
  const after = (base: readonly number[]): NextTokenModel => ({
    async logProbs(seq) {
      const all = [...base, ...seq];
      return Array.from({ length: seq.length + 1 }, (_, i) => next(all[base.length + i - 1]));
    },
  });
  return { after, next };
}

/** P(y) by walking every token sequence until its bytes decide whether y is a prefix (float64). */
function bruteForce(next: (prev: number | undefined) => Float64Array, y: string, base: readonly number[] = []): number {
  const walk = (sofar: string, prev: number | undefined, p: number): number => {
    if (sofar.length >= y.length) return sofar.startsWith(y) ? p : 0;
    if (!y.startsWith(sofar)) return 0;
    const row = next(prev);
    let s = 0;
    for (let t = 0; t < VOCAB.length; t++) if (row[t]! > -Infinity) s += walk(sofar + VOCAB[t], t, p * Math.exp(row[t]!));
    return s;
  };
  return walk('', base.at(-1), 1);
}

describe('byte-level covers on a toy BPE', () => {
  const { after, next } = toyModel(7);
  const strings = ['', 'a', 'ab', 'abc', 'cab', 'abca', 'bbcab', 'cabcab', 'abcabca', 'dab', 'abdca'];

  it('the next-byte distribution equals brute-force enumeration within 1e-9 and sums to 1', async (t) => {
    let worst = 0;
    for (const x of strings) {
      const state = await ByteState.of(vocab, after([]), enc(x));
      const dist = await state.nextByteDistribution();
      const px = bruteForce(next, x);
      let sum = 0;
      for (const ch of 'abcd') {
        const exact = bruteForce(next, x + ch) / px;
        const got = dist[ch.charCodeAt(0)]!;
        worst = Math.max(worst, Math.abs(got - exact));
        sum += got;
      }
      assert.ok(Math.abs(sum - 1) < 1e-12, `${x}: sums to ${sum}`);
      if (x.length > 0) assert.ok(Math.abs(Math.exp(state.logMass) - px) < 1e-9, `${x}: P(x) ${Math.exp(state.logMass)} vs ${px}`);
    }
    t.diagnostic(`largest |P(b|x) − brute force| over ${strings.length} strings: ${worst.toExponential(2)}`);
    assert.ok(worst < 1e-9, `worst ${worst}`);
  });

  it('does not depend on where the prompt is split (at a boundary no token crosses)', async () => {
    for (const [head, tail] of [['abd', 'cab'], ['cd', 'abca'], ['d', 'bb']] as const) {
      const base = toyEncode(head);
      const whole = await (await ByteState.of(vocab, after([]), enc(head + tail))).nextByteDistribution();
      const split = await (await ByteState.of(vocab, after(base), enc(tail), { prevToken: base.at(-1) })).nextByteDistribution();
      for (let b = 0; b < 256; b++) assert.ok(Math.abs(whole[b]! - split[b]!) < 1e-12, `${head}|${tail} byte ${b}: ${whole[b]} vs ${split[b]}`);
    }
  });

  it('the incremental state after each byte equals a fresh computation', async () => {
    const x = 'abcabcab';
    const state = await ByteState.of(vocab, after([]), enc(''));
    for (let i = 0; i < x.length; i++) {
      await state.push(x.charCodeAt(i));
      const fresh = await ByteState.of(vocab, after([]), enc(x.slice(0, i + 1)));
      assert.ok(Math.abs(state.logMass - fresh.logMass) < 1e-12, `after ${x.slice(0, i + 1)}: ${state.logMass} vs ${fresh.logMass}`);
      const [a, b] = [await state.nextByteDistribution(), await fresh.nextByteDistribution()];
      for (let k = 0; k < 256; k++) assert.ok(Math.abs(a[k]! - b[k]!) < 1e-12);
    }
  });

  it('covers are valid encodings whose last token straddles or ends at the end', async () => {
    const x = enc('abcab');
    for (const c of await enumerateCovers(vocab, after([]), x)) {
      const bytes = [...c.seq, c.token].map((id) => VOCAB[id]).join('');
      assert.ok(bytes.startsWith('abcab'));
      assert.deepEqual(toyEncode(bytes), [...c.seq, c.token], `${bytes} is canonical`);
      assert.ok(c.seq.map((id) => VOCAB[id]).join('').length < x.length);
    }
  });
});
