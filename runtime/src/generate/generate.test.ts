// generate(): stop reasons, streamed deltas and no half characters in the result, driven by a scripted model.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { KvCache } from '../kv/KvCache.js';
import type { LanguageModel } from '../model/LanguageModel.js';
import { readModelFolder } from '../model/ModelFolder.js';
import { fixtureDir } from '../testing/fixtures.js';
import { generate, suffixMeet, type GenerateOptions, type GenerateResult } from './generate.js';
import { GREEDY } from './Sampler.js';

const folder = readModelFolder(fixtureDir('tiny-llama'));
const tok = folder.tokenizer;
const VOCAB = 512;

/** A model that emits `script` in order (one-hot logits), with a cache that only counts rows. */
function scripted(script: number[]): { model: LanguageModel; cache: KvCache } {
  let next = 0;
  const cache = { length: 0 } as { length: number };
  const model = {
    folder,
    reserve: () => undefined,
    forward: async (ids: readonly number[]) => {
      cache.length += ids.length;
      const logits = new Float32Array(VOCAB);
      logits[script[Math.min(next++, script.length - 1)]!] = 10;
      return { logits, vocab: VOCAB, rows: 1 };
    },
  };
  return { model: model as unknown as LanguageModel, cache: cache as unknown as KvCache };
}

async function run(script: number[], maxTokens: number, stopSequences: string[] = [], silentTokenIds: number[] = [], more: Partial<GenerateOptions> = {}): Promise<{ deltas: string[]; r: GenerateResult }> {
  const { model, cache } = scripted(script);
  const stream = generate(model, tok, tok.encode('x = '), cache, { maxTokens, sampling: GREEDY, stopTokenIds: [tok.eosTokenId!], stopSequences, silentTokenIds, ...more });
  const deltas: string[] = [];
  for (let s = await stream.next(); ; s = await stream.next()) {
    if (s.done) return { deltas, r: s.value };
    deltas.push(s.value);
  }
}

describe('generate', () => {
  it('never returns or streams half of a multi-byte character when it stops inside one', async () => {
    const a = tok.encode('a')[0]!;
    const e2 = tok.idOf('\u00e2')!; // byte-level token for the single byte 0xE2, the first of €'s three
    assert.equal(tok.decode([a, e2]), 'a\uFFFD', 'the script really ends inside a character');
    const { deltas, r } = await run([a, e2], 2);
    assert.equal(r.stopReason, 'max-tokens');
    assert.equal(r.text, 'a');
    assert.equal(deltas.join(''), 'a');
  });

  it('leaves silent tokens (the ToolGen mark) out of the text but counts them as generated', async () => {
    const tool = tok.idOf('<|tool|>')!;
    const [s, e, l, f, dot] = ['s', 'e', 'l', 'f', '.'].map((c) => tok.encode(c)[0]!);
    const { deltas, r } = await run([s, e, l, f, dot, tool, s, tok.eosTokenId!], 20, [], [tool]);
    assert.equal(r.text, 'self.s');
    assert.equal(deltas.join(''), 'self.s');
    assert.ok(r.tokenIds.includes(tool));
  });

  it('stops at a stop token without including it, and at a stop sequence cutting before it', async () => {
    const a = tok.encode('a')[0]!;
    const nl = tok.encode('\n')[0]!;
    assert.equal((await run([a, a, tok.eosTokenId!], 10)).r.stopReason, 'stop-token');
    assert.equal((await run([a, a, tok.eosTokenId!], 10)).r.text, 'aa');
    const immediate = await run([tok.eosTokenId!], 10);
    assert.deepEqual([immediate.r.stopReason, immediate.r.text, immediate.deltas], ['stop-token', '', []], 'a stop token first gives empty text');
    const stopped = await run([a, nl, a], 10, ['\n']);
    assert.equal(stopped.r.stopReason, 'stop-sequence');
    assert.equal(stopped.r.text, 'a');
    assert.equal(stopped.deltas.join(''), 'a');
  });

  it("reports each sampled token's log-probability under the model", async () => {
    const a = tok.encode('a')[0]!;
    const { r } = await run([a, a, a], 3);
    // One-hot logits of 10 over 512 tokens: p = e^10 / (e^10 + 511).
    const expected = 10 - Math.log(Math.exp(10) + 511);
    assert.equal(r.logprobs.length, 3);
    for (const lp of r.logprobs) assert.ok(Math.abs(lp - expected) < 1e-6, `${lp} vs ${expected}`);
  });

  it('stops where the middle meets the suffix (the rest of the line and its break), leaving that part out', async () => {
    const ids = (text: string) => tok.encode(text);
    const f = await run([...ids('foo(x)'), ...ids(')\n'), ...ids('more')], 20, ['\n'], [], { suffix: ')\n    return y\n' });
    assert.deepEqual([f.r.text, f.r.stopReason, f.deltas.join('')], ['foo(x)', 'suffix', 'foo(x)']);
    const g = await run([...ids('a + b'), ...ids(' + c\nd')], 20, [], [], { suffix: ' + c\nd' });
    assert.deepEqual([g.r.text, g.r.stopReason], ['a + b', 'suffix']);
    const plain = await run([...ids('ab'), ...ids('\n')], 20, ['\n'], [], { suffix: '\n  next' });
    assert.deepEqual([plain.r.text, plain.r.stopReason], ['ab', 'stop-sequence'], 'a blank rest of line is no meeting point');
    assert.equal(suffixMeet('  \nx'), undefined);
    assert.equal(suffixMeet(')]'), ')]', 'the end of the document: the rest itself');
  });

  it('a lead that starts inside a character: the hidden bytes are cut before decoding, no U+FFFD', async () => {
    const bytes = Buffer.from('naïve = 日本', 'utf8'); // ï is C3 AF, 日 is E6 97 A5
    const byteOf = new Map<number, Uint8Array>();
    const ids: number[] = [];
    for (const b of bytes) {
      const id = tok.idOf(byteLevelChar(b))!;
      byteOf.set(id, Uint8Array.of(b));
      ids.push(id);
    }
    assert.equal(new Set(ids).size, new Set(bytes).size, 'one byte-level token per distinct byte');
    const bytesOf = (xs: readonly number[]) => Buffer.concat(xs.map((id) => byteOf.get(id) ?? new Uint8Array(0)));
    // The prompt ends with "na" and the first byte of "ï": the lead token is ï's second byte, hidden along with nothing else.
    const lead = { ids: [ids[3]!], hidden: bytes.subarray(3, 4), bytesOf };
    const { r, deltas } = await run(ids.slice(4), 20, [], [], { lead });
    assert.equal(r.text, 've = 日本');
    assert.ok(!deltas.join('').includes('\uFFFD'), JSON.stringify(deltas));
    assert.equal(deltas.join(''), 've = 日本');
  });
});

/** GPT-2's printable character for a byte (byte-level BPE vocabularies hold single bytes under these names). */
function byteLevelChar(b: number): string {
  const printable = (x: number) => (x >= 33 && x <= 126) || (x >= 161 && x <= 172) || (x >= 174 && x <= 255);
  if (printable(b)) return String.fromCodePoint(b);
  let n = 0;
  for (let x = 0; x < b; x++) if (!printable(x)) n++;
  return String.fromCodePoint(256 + n);
}
