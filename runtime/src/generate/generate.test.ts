// generate(): stop reasons, streamed deltas and no half characters in the result, driven by a scripted model.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { KvCache } from '../kv/KvCache.js';
import type { LanguageModel } from '../model/LanguageModel.js';
import { readModelFolder } from '../model/ModelFolder.js';
import { fixtureDir } from '../testing/fixtures.js';
import { generate, type GenerateResult } from './generate.js';
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
    forward: async (ids: readonly number[]) => {
      cache.length += ids.length;
      const logits = new Float32Array(VOCAB);
      logits[script[Math.min(next++, script.length - 1)]!] = 10;
      return { logits, vocab: VOCAB, rows: 1 };
    },
  };
  return { model: model as unknown as LanguageModel, cache: cache as unknown as KvCache };
}

async function run(script: number[], maxTokens: number, stopSequences: string[] = [], silentTokenIds: number[] = []): Promise<{ deltas: string[]; r: GenerateResult }> {
  const { model, cache } = scripted(script);
  const stream = generate(model, tok, tok.encode('x = '), cache, { maxTokens, sampling: GREEDY, stopTokenIds: [tok.eosTokenId!], stopSequences, silentTokenIds });
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
});
