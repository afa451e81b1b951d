// Token byte offsets under the real families' normalizers: exact where the normalizer leaves the text alone, a clear refusal where not.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SpliceError } from '../errors.js';
import { readModelFolder } from '../model/ModelFolder.js';
import { fixtureDir, type FixtureName } from '../testing/fixtures.js';
import { TokenizedText } from './TokenizedText.js';
import { byteTokenizerOf } from '../bytes/ByteVocab.js';

const tokenizerOf = (name: FixtureName) => readModelFolder(fixtureDir(name)).tokenizer;
/** "é" written as e + COMBINING ACUTE ACCENT (NFD): Qwen2's NFC normalizer composes it into one character. */
const DECOMPOSED = 'def cafe\u0301(x):\n    return x\n';

describe('TokenizedText', () => {
  it('gives exact byte offsets for NFC-stable text under the NFC tokenizer (qwen2-style): each token spells its bytes', () => {
    const tok = tokenizerOf('qwen2-style');
    const bytesOf = byteTokenizerOf(tok)!.bytesOf;
    const text = DECOMPOSED.normalize('NFC') + 'naïve = "Über" + 12345\r\n';
    const t = TokenizedText.encode(tok, text);
    assert.equal(t.starts[t.length], Buffer.byteLength(text));
    for (let k = 0; k < t.length; k++) assert.deepEqual(Buffer.from(bytesOf(t.ids[k]!)!), t.bytes.subarray(t.starts[k]!, t.starts[k + 1]!));
  });

  it('refuses text the NFC normalizer changes with a SpliceError naming the normalizer and where (never a byte-sum mismatch)', () => {
    const tok = tokenizerOf('qwen2-style');
    assert.match(tok.offsetProblem(DECOMPOSED) ?? '', /NFC normalizer changes the text at line 1, column 8/);
    assert.throws(
      () => TokenizedText.encode(tok, DECOMPOSED),
      (e: unknown) => e instanceof SpliceError && e.code === 'input' && /no token offsets for this text: the tokenizer's NFC normalizer changes the text at line 1, column 8/.test(e.message),
    );
  });

  it('tokenizers without a normalizer that changes text take decomposed characters as bytes', () => {
    for (const name of ['tiny-llama', 'deepseek-style', 'starcoder2-style'] as const) {
      const tok = tokenizerOf(name);
      assert.equal(tok.offsetProblem(DECOMPOSED), undefined, name);
      const t = TokenizedText.encode(tok, DECOMPOSED);
      assert.equal(t.starts[t.length], Buffer.byteLength(DECOMPOSED), name);
    }
  });
});
