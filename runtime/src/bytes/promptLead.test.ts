// Prompt modes on real models: byte and healing start the middle with the cursor's partial word and hide it; the
// same prompt built fresh or from a session gives the same completion; left-to-right models work too.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Engine } from '../engine/Engine.js';
import { fixtureDir } from '../testing/fixtures.js';
import { byteTokenizerOf, ByteVocab } from './ByteVocab.js';
import { firstCoverStart, tailTokenCount } from './promptLead.js';

const PREFIX = 'import json\n\ndef read(path):\n    with open(path) as f:\n        data = json.lo';
const SUFFIX = '\n    return data\n';
const TEXT = PREFIX + SUFFIX;

describe('prompt modes (splice-tiny)', () => {
  let engine: Engine;
  before(async () => {
    engine = await Engine.open({ device: 'cpu' });
  });
  after(() => engine.close());

  it('byte and healing: the middle continues the partial word (the prompt bytes are not repeated) and differs from naive', async () => {
    const got: Record<string, string> = {};
    for (const promptMode of ['naive', 'healing', 'byte'] as const) {
      const r = await engine.complete({ text: TEXT, offset: PREFIX.length, maxTokens: 12, stopSequences: ['\n'], promptMode });
      got[promptMode] = r.completion;
      assert.ok(!r.completion.includes('\uFFFD'));
      assert.ok(!r.completion.startsWith('json.lo') && !r.completion.startsWith('.lo'), `${promptMode}: ${JSON.stringify(r.completion)}`);
    }
    assert.notEqual(got.byte, got.naive, JSON.stringify(got));
  });

  it('byte: a fresh prompt and a session with the exact frame give the same completion', async () => {
    const session = await engine.openCompletionSession(TEXT);
    for (const offset of [PREFIX.length, PREFIX.indexOf('open(pa') + 7, PREFIX.indexOf('with') + 2]) {
      const req = { text: TEXT, offset, maxTokens: 10, stopSequences: ['\n'], promptMode: 'byte' as const };
      const fresh = await engine.complete(req);
      const viaSession = await engine.completeInSession(session, { ...req, frame: 'exact' });
      assert.equal(viaSession.completion, fresh.completion, `offset ${offset}`);
      const edit = await engine.completeInSession(session, { ...req, frame: 'edit' });
      assert.equal(edit.frame, 'edit');
      assert.ok(edit.encodedTokens < 40, `edit frame + byte lead encoded ${edit.encodedTokens}`);
    }
    session.dispose();
  });

  // (What the model then generates can itself be invalid UTF-8 — a byte-level model may emit a stray continuation
  // byte — so U+FFFD in the text is not checked here; generate.test.ts checks that a lead cut inside a character
  // decodes cleanly.)
  it('non-ASCII (naïve, 日本語, emoji): every mode completes at cursors after multi-byte characters, byte session = fresh, finite bits', async () => {
    const text = 'def naïve(x):\n    s = "日本語 🚶🏻 ok"\n    return naïve_日本(s)\n';
    const session = await engine.openCompletionSession(text);
    const cursors = ['naï', 'naïve(', '"日', '"日本', '語 ', '🚶', '🚶🏻', 'naïve_', 'naïve_日'].map((s) => text.lastIndexOf(s) + s.length);
    for (const offset of cursors) {
      for (const promptMode of ['naive', 'healing', 'byte'] as const) {
        const req = { text, offset, maxTokens: 6, stopSequences: ['\n'], promptMode };
        const fresh = await engine.complete(req);
        assert.ok(fresh.generatedTokens > 0 || fresh.stopReason !== 'max-tokens', `${promptMode} at ${offset}`);
        if (promptMode === 'byte') {
          const viaSession = await engine.completeInSession(session, { ...req, frame: 'exact' });
          assert.equal(viaSession.completion, fresh.completion, `offset ${offset}`);
        }
      }
      const rest = text.slice(offset, text.indexOf('\n', offset));
      const bits = await engine.middleBits({ text, offset, maxTokens: 6 }, rest, 'byte');
      assert.ok(bits && Number.isFinite(bits.bits) && bits.bits > 0, `bits at ${offset} for ${JSON.stringify(rest)}: ${bits?.bits}`);
    }
    session.dispose();
  });

  it('the uncertain tail reaches back only to where a token could still cover the cursor', () => {
    const vocab = new ByteVocab(byteTokenizerOf(engine.model.folder.tokenizer)!);
    const ids = engine.model.folder.tokenizer.encode(PREFIX);
    const n = tailTokenCount(vocab, ids);
    const tail = engine.model.folder.tokenizer.decode(ids.slice(ids.length - n));
    assert.ok(n >= 1 && 'json.lo'.endsWith(tail.trimStart()) && tail.length <= vocab.maxTokenBytes, JSON.stringify(tail));
    const bytes = Buffer.from(tail);
    const first = firstCoverStart(vocab, bytes);
    assert.ok(vocab.startingWith(bytes.subarray(first)).length > 0);
  });
});

describe('prompt modes on a left-to-right model (no FIM tokens)', () => {
  it('byte keeps at least one prefix token as context and completes the partial word', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'splice-l2r-'));
    fs.cpSync(fixtureDir('tiny-llama'), dir, { recursive: true });
    const cfgPath = path.join(dir, 'tokenizer_config.json');
    const cfg = JSON.parse(fs.readFileSync(cfgPath, 'utf8'));
    for (const k of ['fim_prefix_token', 'fim_suffix_token', 'fim_middle_token']) delete cfg[k];
    fs.writeFileSync(cfgPath, JSON.stringify(cfg));
    const tokPath = path.join(dir, 'tokenizer.json');
    fs.writeFileSync(tokPath, fs.readFileSync(tokPath, 'utf8').replaceAll('<|fim_', '<|nofim_')); // no known FIM family either
    const engine = await Engine.open({ modelDir: dir, device: 'cpu' });
    try {
      assert.equal(engine.model.folder.fim.family, 'none');
      for (const promptMode of ['byte', 'healing'] as const) {
        const r = await engine.complete({ text: TEXT, offset: PREFIX.length, maxTokens: 6, promptMode });
        assert.ok(r.generatedTokens > 0, `${promptMode}: ${JSON.stringify(r)}`); // random weights: the text itself is noise
        const session = await engine.openCompletionSession(TEXT);
        const s = await engine.completeInSession(session, { text: TEXT, offset: PREFIX.length, maxTokens: 6, promptMode });
        assert.equal(s.completion, r.completion, `${promptMode}: session and fresh agree`);
        session.dispose();
      }
    } finally {
      await engine.close();
    }
  });
});
