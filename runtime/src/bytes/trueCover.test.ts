// Cover enumeration never drops the tokenizer's own encoding, on real byte-level BPE tokenizers: at every byte of
// code with pre-tokenizer context (`        ],`), non-ASCII identifiers and strings (naïve, 日本語, emoji), both
// fresh (enumerateCovers) and byte by byte (ByteState.push), and the prompt tail never starts inside a character.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { testModelDir } from '../testing/fixtures.js';
import { SpliceTokenizer } from '../tokenizer/SpliceTokenizer.js';
import { byteTokenizerOf, ByteVocab } from './ByteVocab.js';
import { ByteState, enumerateCovers, type NextTokenModel } from './covers.js';
import { bytesOfIds, tailTokenCount } from './promptLead.js';

const TEXTS = [
  "            include('root'),\n        ],\n    }\n",
  '    "person_walking_light_skin_tone": "🚶🏻",\n',
  'def naïve_日本(x):\n    return "日本語 🙂" + x\n',
  "s = 'Ünïcödé'  # ok\n",
];

function vocabOf(name: string): { tok: SpliceTokenizer; vocab: ByteVocab } {
  const dir = name === 'splice-tiny' ? testModelDir('splice-tiny') : path.join(path.dirname(testModelDir('tiny-llama')), 'tokenizers', name);
  const tok = new SpliceTokenizer(JSON.parse(fs.readFileSync(path.join(dir, 'tokenizer.json'), 'utf8')), JSON.parse(fs.readFileSync(path.join(dir, 'tokenizer_config.json'), 'utf8')));
  return { tok, vocab: new ByteVocab(byteTokenizerOf(tok)!) };
}

/** Every token equally likely: only which sequences are covers matters here. */
function uniform(size: number): NextTokenModel {
  const row = new Float64Array(size).fill(-Math.log(size));
  return { logProbs: async (seq) => Array.from({ length: seq.length + 1 }, () => row) };
}

/** The tokens of `ids` up to and including the one that holds byte p - 1. */
function truthAt(vocab: ByteVocab, ids: readonly number[], p: number): string {
  let end = 0;
  for (let k = 0; k < ids.length; k++) {
    end += vocab.bytesOf(ids[k]!).length;
    if (end >= p) return ids.slice(0, k + 1).join(',');
  }
  throw new Error('past the end');
}

for (const name of ['splice-tiny', 'qwen2-bpe']) {
  describe(`the true encoding is always a cover (${name})`, () => {
    const { tok, vocab } = vocabOf(name);
    const model = uniform(vocab.tok.size);

    it('fresh: at every byte of each text, encode(text) cut after the token holding that byte is a cover', async () => {
      for (const text of TEXTS) {
        const ids = tok.encode(text);
        const bytes = Buffer.from(text, 'utf8');
        const from = Math.max(1, bytes.length - 40);
        for (let p = from; p <= bytes.length; p++) {
          const u = bytes.subarray(0, p);
          const covers = await enumerateCovers(vocab, model, u);
          const want = truthAt(vocab, ids, p);
          assert.ok(covers.some((c) => [...c.seq, c.token].join(',') === want), `${JSON.stringify(text)} at byte ${p} (${JSON.stringify(u.subarray(-8).toString('latin1'))}): ${covers.length} covers, not ${want}`);
        }
      }
    });

    it('incremental: pushing the text byte by byte keeps the true encoding among the covers, and the same covers as fresh', async () => {
      for (const text of TEXTS) {
        const ids = tok.encode(text);
        const bytes = Buffer.from(text, 'utf8');
        const start = Math.max(0, bytes.length - 24);
        const state = await ByteState.of(vocab, model, bytes.subarray(0, start));
        for (let p = start + 1; p <= bytes.length; p++) {
          await state.push(bytes[p - 1]!);
          const want = truthAt(vocab, ids, p);
          assert.ok(state.coverTokens().some((t) => t.join(',') === want), `${JSON.stringify(text)} after byte ${p}: not ${want}`);
          assert.ok(Number.isFinite(state.logMass));
          const fresh = (await enumerateCovers(vocab, model, bytes.subarray(0, p))).map((c) => [...c.seq, c.token].join(',')).sort();
          assert.deepEqual(state.coverTokens().map((t) => t.join(',')).sort(), fresh, `${JSON.stringify(text)} after byte ${p}`);
        }
      }
    });

    it('the uncertain tail of a prompt starts at a character boundary', () => {
      for (const text of TEXTS) {
        const chars = [...text];
        for (let c = 1; c < chars.length; c++) {
          const ids = tok.encode(chars.slice(0, c).join(''));
          const n = tailTokenCount(vocab, ids);
          const tail = bytesOfIds(vocab, ids.slice(ids.length - n));
          assert.ok(n === ids.length || (tail[0]! & 0xc0) !== 0x80, `${JSON.stringify(chars.slice(0, c).join(''))}: tail starts inside a character`);
        }
      }
    });
  });
}
