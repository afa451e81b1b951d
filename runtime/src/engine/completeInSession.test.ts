// Completion through a PIE session equals stateless completion where the reused rows are exact, and reports reuse.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { fixtureDir, maxAbsDiff } from '../testing/fixtures.js';
import { Engine } from './Engine.js';

const TEXT = 'import os\n\ndef load(path):\n    with open(path) as f:\n        data = f.read()\n    return data\n\nprint(load("x"))\n';
const CURSOR = TEXT.indexOf('data = ') + 'data = '.length;

describe('Engine.completeInSession', () => {
  let engine: Engine;
  before(async () => {
    engine = await Engine.open({ modelDir: fixtureDir('tiny-llama'), device: 'cpu' });
  });
  after(() => engine.close());

  it('a fresh session completes exactly like a stateless completion, reusing the rows before the cursor', async () => {
    const session = await engine.openCompletionSession(TEXT);
    const req = { text: TEXT, offset: CURSOR, maxTokens: 12, frame: 'exact' as const };
    const viaSession = await engine.completeInSession(session, req);
    const stateless = await engine.complete(req);
    assert.equal(viaSession.completion, stateless.completion);
    assert.ok(viaSession.reusedTokens > 10, `reused ${viaSession.reusedTokens}`);
    assert.equal(viaSession.update, undefined, 'no edit, no update');
    assert.ok(viaSession.promptTokens >= viaSession.reusedTokens);
    // The confidence is the model's own: the same in both ways, a probability's log.
    assert.ok(stateless.confidence && viaSession.confidence, 'a completion that generated tokens has a confidence');
    assert.ok(Math.abs(viaSession.confidence.firstTokenLogprob - stateless.confidence.firstTokenLogprob) < 1e-3);
    assert.ok(stateless.confidence.firstTokenLogprob <= 0 && stateless.confidence.meanLogprob <= 0);
    session.dispose();
  });

  it('an edit after the cursor leaves the reused rows exact: same completion as stateless', async () => {
    const session = await engine.openCompletionSession(TEXT);
    const edited = TEXT.replace('print(load("x"))', 'print(load("config.toml"))');
    const r = await engine.completeInSession(session, { text: edited, offset: CURSOR, maxTokens: 12, frame: 'exact' });
    assert.equal(r.update?.mode, 'pie');
    assert.equal(r.completion, (await engine.complete({ text: edited, offset: CURSOR, maxTokens: 12 })).completion);
    assert.equal(session.text, edited, 'the session follows the document');
    session.dispose();
  });

  it('an edit above the cursor is patched by PIE (few tokens re-encoded, the rest moved)', async () => {
    const session = await engine.openCompletionSession(TEXT);
    const edited = TEXT.replace('import os\n', 'import os\nimport sys\n');
    const cursor = edited.indexOf('data = ') + 'data = '.length;
    const r = await engine.completeInSession(session, { text: edited, offset: cursor, maxTokens: 8 });
    assert.equal(r.update?.mode, 'pie');
    assert.ok(r.update!.tokensReencoded > 0 && r.update!.tokensReencoded < 10, JSON.stringify(r.update));
    assert.ok(r.update!.tokensMoved > 20);
    assert.ok(r.generatedTokens > 0);
    session.dispose();
  });
});

describe('Engine.completeInSession with multi-byte characters', () => {
  it('cursors next to multi-byte characters complete exactly like a stateless completion', async () => {
    const engine = await Engine.open({ modelDir: fixtureDir('tiny-llama'), device: 'cpu' });
    try {
      const text = 'label = "naïve café 🙂 déjà vu"\nprint(label)\n';
      for (const cursor of [text.indexOf('🙂') + 2, text.indexOf('é') + 1, text.indexOf('vu')]) {
        const session = await engine.openCompletionSession(text);
        const viaSession = await engine.completeInSession(session, { text, offset: cursor, maxTokens: 6, frame: 'exact' });
        const stateless = await engine.complete({ text, offset: cursor, maxTokens: 6 });
        assert.equal(viaSession.completion, stateless.completion, `cursor ${cursor}`);
        session.dispose();
      }
    } finally {
      await engine.close();
    }
  });
});

describe('Engine.completeInSession with the FIM frame as an edit', () => {
  let engine: Engine;
  before(async () => {
    engine = await Engine.open({ modelDir: fixtureDir('tiny-llama'), device: 'cpu' });
  });
  after(() => engine.close());

  it('reuses the cached suffix rows: only the tail, the suffix token, a split token and the middle token are encoded', async () => {
    const session = await engine.openCompletionSession(TEXT);
    const rows = session.kvCache.length;
    const keys = (await engine.kvOps.readLayer(session.kvCache, 0)).key;
    for (const offset of [CURSOR, CURSOR - 3, TEXT.indexOf('print(')]) {
      const edit = await engine.completeInSession(session, { text: TEXT, offset, maxTokens: 6, frame: 'edit' });
      const exact = await engine.completeInSession(session, { text: TEXT, offset, maxTokens: 6, frame: 'exact' });
      assert.equal(edit.frame, 'edit');
      assert.equal(exact.frame, 'exact');
      assert.ok(edit.encodedTokens <= 8, `edit frame encoded ${edit.encodedTokens}`);
      assert.ok(exact.encodedTokens > edit.encodedTokens, `exact frame encoded ${exact.encodedTokens}`);
      assert.equal(edit.reusedTokens, exact.reusedTokens);
    }
    assert.equal(session.kvCache.length, rows, 'the session cache is left as it was');
    assert.equal(maxAbsDiff((await engine.kvOps.readLayer(session.kvCache, 0)).key, keys), 0);
    session.dispose();
  });

  it('with the cursor at the very end (no suffix) both frames give the same completion', async () => {
    const session = await engine.openCompletionSession(TEXT);
    const edit = await engine.completeInSession(session, { text: TEXT, offset: TEXT.length, maxTokens: 6, frame: 'edit' });
    const exact = await engine.completeInSession(session, { text: TEXT, offset: TEXT.length, maxTokens: 6, frame: 'exact' });
    assert.equal(edit.completion, exact.completion);
    session.dispose();
  });
});
