// The merge-rank pair rule agrees with the tokenizer itself, encode(decode(a) + decode(b)) == [a, b], on 1M pairs of
// each of two real byte-level BPE vocabularies: splice-tiny's (GPT-2 pre-tokenizer) and a Qwen2-configured one.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { gunzipSync, gzipSync } from 'node:zlib';
import { seededRandom } from '../generate/seededRandom.js';
import { testModelDir } from '../testing/fixtures.js';
import { SpliceTokenizer } from '../tokenizer/SpliceTokenizer.js';
import { utf8Text } from './BytePairRule.js';
import { byteTokenizerOf, ByteVocab, concatBytes } from './ByteVocab.js';

const PAIRS = 1_000_000;
/** Pairs re-encoded by the tokenizer on every run (the rest of the reference comes from the cache, checked by hash). */
const LIVE = 20_000;

function tokenizerDir(name: string): string {
  return name === 'splice-tiny' ? testModelDir('splice-tiny') : path.join(path.dirname(testModelDir('tiny-llama')), 'tokenizers', name);
}

function load(dir: string): { tok: SpliceTokenizer; hash: string } {
  const raw = fs.readFileSync(path.join(dir, 'tokenizer.json'));
  const tok = new SpliceTokenizer(JSON.parse(raw.toString('utf8')), JSON.parse(fs.readFileSync(path.join(dir, 'tokenizer_config.json'), 'utf8')));
  return { tok, hash: createHash('sha256').update(raw).digest('hex') };
}

/**
 * A seeded sample of distinct pairs whose joint bytes are UTF-8 text (where the reference is defined): 60% uniform,
 * 20% a token's bytes cut in two with the left half a token (the pairs a merge across the cut most often breaks),
 * 20% tokens that end and start with the bytes on either side of such a cut.
 */
function samplePairs(vocab: ByteVocab, seed: number): { pairs: Int32Array; notUtf8: number } {
  const rnd = seededRandom(seed);
  const ids: number[] = [];
  const endingWith: number[][] = Array.from({ length: 256 }, () => []);
  const startingWith: number[][] = Array.from({ length: 256 }, () => []);
  for (let id = 0; id < vocab.tok.size; id++) {
    const b = vocab.tok.bytesOf(id);
    if (!b || b.length === 0) continue;
    ids.push(id);
    endingWith[b[b.length - 1]!]!.push(id);
    startingWith[b[0]!]!.push(id);
  }
  const pick = (xs: readonly number[]) => xs[Math.floor(rnd() * xs.length)];
  const size = vocab.tok.size;
  const seen = new Uint8Array(Math.ceil((size * size) / 8));
  const pairs = new Int32Array(2 * PAIRS);
  let n = 0;
  let notUtf8 = 0;
  while (n < PAIRS) {
    const kind = rnd();
    let a: number | undefined;
    let b: number | undefined;
    if (kind < 0.6) (a = pick(ids)), (b = pick(ids));
    else {
      const w = vocab.bytesOf(pick(ids)!);
      if (w.length < 2) continue;
      const k = 1 + Math.floor(rnd() * (w.length - 1));
      if (kind < 0.8) (a = vocab.idOfBytes(w.subarray(0, k))), (b = pick(vocab.startingWith(w.subarray(k))));
      else (a = pick(endingWith[w[k - 1]!]!)), (b = pick(startingWith[w[k]!]!));
    }
    if (a === undefined || b === undefined) continue;
    const key = a * size + b;
    if (seen[key >> 3]! & (1 << (key & 7))) continue;
    seen[key >> 3]! |= 1 << (key & 7);
    if (utf8Text(concatBytes(vocab.bytesOf(a), vocab.bytesOf(b))) === undefined) {
      notUtf8++;
      continue;
    }
    pairs[2 * n] = a;
    pairs[2 * n + 1] = b;
    n++;
  }
  return { pairs, notUtf8 };
}

/**
 * The reference verdicts for the sample: from the cache beside the tokenizer fixtures when it was made for this very
 * tokenizer.json (sha256) and sample, else by encoding every pair (slow; SPLICE_WRITE_PAIR_REFERENCE=1 writes the cache).
 */
function reference(name: string, hash: string, vocab: ByteVocab, pairs: Int32Array, seed: number): { bits: Uint8Array; cached: boolean } {
  const file = path.join(path.dirname(testModelDir('tiny-llama')), 'tokenizers', 'pair-reference', `${name}.json`);
  if (fs.existsSync(file) && !process.env.SPLICE_WRITE_PAIR_REFERENCE) {
    const c = JSON.parse(fs.readFileSync(file, 'utf8'));
    if (c.sha256 === hash && c.pairs === PAIRS && c.seed === seed) return { bits: new Uint8Array(gunzipSync(Buffer.from(c.verdicts, 'base64'))), cached: true };
  }
  const bits = new Uint8Array(PAIRS);
  for (let i = 0; i < PAIRS; i++) bits[i] = vocab.encodedPair(pairs[2 * i]!, pairs[2 * i + 1]!) ? 1 : 0;
  if (process.env.SPLICE_WRITE_PAIR_REFERENCE) {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const verdicts = gzipSync(bits, { level: 9 }).toString('base64');
    fs.writeFileSync(file, JSON.stringify({ tokenizer: name, sha256: hash, seed, pairs: PAIRS, reference: 'encode(decode(a) + decode(b)) == [a, b]', verdicts }) + '\n');
  }
  return { bits, cached: false };
}

describe('merge-rank pair validity agrees with the tokenizer (1M pairs each)', () => {
  for (const [name, seed] of [['splice-tiny', 11], ['qwen2-bpe', 12]] as const) {
    it(`${name}: every sampled pair, and the live re-encoding of ${LIVE} of them matches the cached reference`, (t) => {
      const { tok, hash } = load(tokenizerDir(name));
      const bt = byteTokenizerOf(tok)!;
      assert.ok(bt.pairs, 'the merge-rank rule is built for a byte-level BPE tokenizer');
      const vocab = new ByteVocab(bt);
      const { pairs, notUtf8 } = samplePairs(vocab, seed);
      const ref = reference(name, hash, vocab, pairs, seed);
      const rnd = seededRandom(Date.now());
      const live = Array.from({ length: ref.cached ? LIVE : 0 }, () => Math.floor(rnd() * PAIRS));
      let encodeMs = performance.now();
      for (const i of live) assert.equal(vocab.encodedPair(pairs[2 * i]!, pairs[2 * i + 1]!) ? 1 : 0, ref.bits[i], `cached reference for pair ${i}`);
      encodeMs = performance.now() - encodeMs;
      let ruleMs = performance.now();
      for (const i of live) bt.pairs!.check(pairs[2 * i]!, pairs[2 * i + 1]!);
      ruleMs = performance.now() - ruleMs;
      const started = performance.now();
      let invalid = 0;
      const wrong: string[] = [];
      for (let i = 0; i < PAIRS; i++) {
        const [a, b] = [pairs[2 * i]!, pairs[2 * i + 1]!];
        const got = bt.pairs!.check(a, b);
        if (!ref.bits[i]) invalid++;
        if (got !== (ref.bits[i] === 1) && wrong.length < 5) wrong.push(`${JSON.stringify(tok.decode([a]))} + ${JSON.stringify(tok.decode([b]))}: rule ${got}`);
      }
      const ms = performance.now() - started;
      t.diagnostic(`${name}: ${PAIRS} pairs (${invalid} invalid by the reference; ${notUtf8} drawn pairs skipped, not UTF-8), rule ${ms.toFixed(0)} ms, reference ${ref.cached ? 'cached' : 'encoded'}`);
      if (live.length) t.diagnostic(`${name}: per pair over the same ${live.length} pairs: encode ${((1000 * encodeMs) / live.length).toFixed(2)} µs, merge-rank rule ${((1000 * ruleMs) / live.length).toFixed(2)} µs`);
      assert.deepEqual(wrong, []);
      assert.ok(invalid > 20_000, `the sample holds invalid pairs (${invalid})`);
    });
  }
});
