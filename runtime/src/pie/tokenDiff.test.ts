// The windowed token diff must give exactly the full re-tokenization of the edited text, for random real edits.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { readModelFolder } from '../model/ModelFolder.js';
import { fixtureDir } from '../testing/fixtures.js';
import { TokenizedText } from '../tokenizer/TokenizedText.js';
import { applyTextEdits, diffTokens, type TextEdit } from './tokenDiff.js';

const tokenizer = readModelFolder(fixtureDir('tiny-llama')).tokenizer;
const repo = path.resolve(fixtureDir('tiny-llama'), '../../../..');
const SOURCES = ['tools/make_fixture_models.py', 'runtime/src/pie/tokenDiff.ts', 'language-server/src/SpliceServer.ts', 'README.md'].map((f) => fs.readFileSync(path.join(repo, f), 'utf8'));
const SNIPPETS = ['', 'x', ' ', '\n', '    ', '\n\n', 'self.', 'return None\n', 'é', '🙂', '\t', '})', 'def f(a, b):\n    return a\n', "'s", '  # note\n'];

function rng(seed: number): () => number {
  let a = seed;
  return () => ((a = (a * 1103515245 + 12345) & 0x7fffffff) / 0x80000000);
}

function randomEdits(text: string, r: () => number, count: number): TextEdit[] {
  const points = Array.from({ length: 2 * count }, () => Math.floor(r() * (text.length + 1))).sort((x, y) => x - y);
  const edits: TextEdit[] = [];
  for (let k = 0; k < count; k++) {
    let start = points[2 * k]!;
    let end = r() < 0.5 ? start : points[2 * k + 1]!;
    // never split a surrogate pair
    if (text.charCodeAt(start - 1) >= 0xd800 && text.charCodeAt(start - 1) < 0xdc00) start--;
    if (text.charCodeAt(end - 1) >= 0xd800 && text.charCodeAt(end - 1) < 0xdc00) end++;
    if (edits.length && start < edits[edits.length - 1]!.end) continue;
    edits.push({ start, end, text: r() < 0.3 ? '' : SNIPPETS[Math.floor(r() * SNIPPETS.length)]! });
  }
  return edits;
}

/** The real families' pre-tokenizers (fixtures): Qwen2's NFC + Split, DeepSeek-Coder's Split sequence + Digits, StarCoder2's Digits. */
const FAMILY_TOKENIZERS = (['qwen2-style', 'deepseek-style', 'starcoder2-style'] as const).map((name) => ({ name, tok: readModelFolder(fixtureDir(name)).tokenizer }));

describe('diffTokens', () => {
  for (const { name, tok } of FAMILY_TOKENIZERS) {
    it(`equals full re-tokenization for 150 random edits under the ${name} pre-tokenizer`, () => {
      const r = rng(11);
      for (let n = 0; n < 150; n++) {
        const source = SOURCES[n % SOURCES.length]!;
        const from = Math.floor(r() * Math.max(1, source.length - 4000));
        const text = source.slice(from, from + 500 + Math.floor(r() * 3000));
        const edits = randomEdits(text, r, 1 + Math.floor(r() * 4));
        const { next } = diffTokens(tok, TokenizedText.encode(tok, text), edits);
        assert.deepEqual(next.ids, tok.encode(applyTextEdits(text, edits)), `${name} case ${n}: ${JSON.stringify(edits)}`);
      }
    });
  }

  it('an edit that leaves text the NFC normalizer would change is refused with the reason (qwen2-style), not a byte-sum mismatch', () => {
    const tok = FAMILY_TOKENIZERS[0]!.tok;
    const old = TokenizedText.encode(tok, 'x = 1\nname = "cafe"\n');
    const at = old.text.indexOf('"\n');
    assert.throws(() => diffTokens(tok, old, [{ start: at, end: at, text: '\u0301' }]), /no token offsets for this text: the tokenizer's NFC normalizer changes the text at line 2, column 12/);
  });

  it('equals full re-tokenization for 400 random single and multi-place edits', () => {
    const r = rng(7);
    for (let n = 0; n < 400; n++) {
      const source = SOURCES[n % SOURCES.length]!;
      const from = Math.floor(r() * Math.max(1, source.length - 6000));
      const text = source.slice(from, from + 1000 + Math.floor(r() * 5000));
      const edits = randomEdits(text, r, 1 + Math.floor(r() * 4));
      const old = TokenizedText.encode(tokenizer, text);
      const { next, spans } = diffTokens(tokenizer, old, edits);
      const expected = tokenizer.encode(applyTextEdits(text, edits));
      assert.deepEqual(next.ids, expected, `case ${n}: ${JSON.stringify(edits)}`);
      for (let k = 1; k < spans.length; k++) assert.ok(spans[k - 1]!.end <= spans[k]!.start, 'spans sorted and disjoint');
    }
  });

  it('re-encodes only a few tokens for a small edit in a long text', () => {
    const text = SOURCES[0]!.slice(0, 8000);
    const old = TokenizedText.encode(tokenizer, text);
    const at = text.indexOf('\n', 4000) + 1;
    const { spans } = diffTokens(tokenizer, old, [{ start: at, end: at, text: 'x = 1\n' }]);
    assert.equal(spans.length, 1);
    assert.ok(spans[0]!.ids.length <= 6 && spans[0]!.end - spans[0]!.start <= 3, JSON.stringify(spans));
  });

  it('rejects overlapping or out-of-range edits', () => {
    const old = TokenizedText.encode(tokenizer, 'abc\ndef\n');
    assert.throws(() => diffTokens(tokenizer, old, [{ start: 2, end: 5, text: '' }, { start: 4, end: 6, text: '' }]), /sorted, non-overlapping/);
    assert.throws(() => diffTokens(tokenizer, old, [{ start: 0, end: 99, text: '' }]), /inside the text/);
  });
});
