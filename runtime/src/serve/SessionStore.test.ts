// SessionStore under Qwen2's NFC normalizer: a document with decomposed characters is cached as the tokenizer sees it (exact), or completes without a session, saying why.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Engine } from '../engine/Engine.js';
import { fixtureDir } from '../testing/fixtures.js';
import { SessionStore } from './SessionStore.js';

/** "é" as e + U+0301 on line 3 (NFD); the qwen2-style tokenizer declares an NFC normalizer, as Qwen2's does. */
const DECOMPOSED = 'import os\n\ndef cafe\u0301(x):\n    return x + 1\n\nprint(caf';
const COMPOSED = DECOMPOSED.normalize('NFC');

describe('SessionStore with an NFC tokenizer (qwen2-style)', () => {
  let engine: Engine;
  before(async () => {
    engine = await Engine.open({ modelDir: fixtureDir('qwen2-style'), device: 'cpu' });
  });
  after(async () => engine.close());

  const request = (text: string, offset = text.length) => ({ text, offset, maxTokens: 6, frame: 'exact' as const });

  it('caches a document with a decomposed character as its NFC form: the same tokens, the same completion as the composed text', async () => {
    const store = new SessionStore(engine, () => false);
    const r = await store.complete('file:///a.py', request(DECOMPOSED));
    assert.equal(store.has('file:///a.py'), true);
    assert.ok(r.stats.cachedTokens > 0);
    assert.equal(r.stats.noCache, undefined);
    const composed = await new SessionStore(engine, () => false).complete('file:///c.py', request(COMPOSED));
    assert.equal(r.completion, composed.completion);
    assert.equal(r.completion, (await engine.complete(request(DECOMPOSED))).completion, 'and as a window encoded afresh from the decomposed text');
    const edited = DECOMPOSED.replace('x + 1', 'x + 2  # cafe\u0301');
    await store.sync('file:///a.py', edited, new AbortController().signal);
    const after = await store.complete('file:///a.py', request(edited));
    assert.equal(after.stats.lastUpdate?.mode, 'pie', 'edits of a decomposed document are PIE edits');
    assert.ok(after.stats.cachedTokens > 0);
  });

  it('a cursor between a letter and its combining accent gets no session, with the reason; the completion still comes', async () => {
    const store = new SessionStore(engine, () => false);
    const inside = DECOMPOSED.indexOf('\u0301');
    const r = await store.complete('file:///b.py', request(DECOMPOSED, inside));
    assert.equal(store.has('file:///b.py'), false);
    assert.equal(r.stats.cachedTokens, 0);
    assert.match(r.stats.noCache ?? '', /NFC normalizer changes the text at line 3, column 8, and the cursor sits inside a sequence it rewrites/);
    assert.equal(r.completion, (await engine.complete(request(DECOMPOSED, inside))).completion);
    const next = await store.complete('file:///b.py', request(DECOMPOSED));
    assert.ok(next.stats.cachedTokens > 0, 'the cursor moved out: a session again');
    assert.equal(next.stats.noCache, undefined);
  });
});
