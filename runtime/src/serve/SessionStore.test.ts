// SessionStore under Qwen2's NFC normalizer: a document with a decomposed character still completes, without a session and saying why.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Engine } from '../engine/Engine.js';
import { fixtureDir } from '../testing/fixtures.js';
import { SessionStore } from './SessionStore.js';

/** "é" as e + U+0301 on line 3 (NFD); the qwen2-style tokenizer declares an NFC normalizer, as Qwen2's does. */
const DECOMPOSED = 'import os\n\ndef cafe\u0301(x):\n    return x + 1\n\nprint(caf';
const COMPOSED = DECOMPOSED.normalize('NFC');
const REASON = /NFC normalizer changes the text at line 3, column 8/;

describe('SessionStore with an NFC tokenizer (qwen2-style)', () => {
  let engine: Engine;
  before(async () => {
    engine = await Engine.open({ modelDir: fixtureDir('qwen2-style'), device: 'cpu' });
  });
  after(async () => engine.close());

  const request = (text: string) => ({ text, offset: text.length, maxTokens: 4 });

  it('completes a document with a decomposed character from scratch, with no session and the reason in its stats', async () => {
    const store = new SessionStore(engine, () => false);
    const r = await store.complete('file:///a.py', request(DECOMPOSED));
    const direct = await engine.complete(request(DECOMPOSED));
    assert.equal(r.completion, direct.completion, 'the same completion as a window encoded afresh');
    assert.equal(store.has('file:///a.py'), false);
    assert.equal(r.stats.cachedTokens, 0);
    assert.match(r.stats.noCache ?? '', REASON);
  });

  it('the same text composed (NFC) gets a session; an edit that decomposes a character drops it with the reason; composing again brings one back', async () => {
    const store = new SessionStore(engine, () => false);
    const first = await store.complete('file:///b.py', request(COMPOSED));
    assert.equal(store.has('file:///b.py'), true);
    assert.ok(first.stats.cachedTokens > 0);
    assert.equal(first.stats.noCache, undefined);
    await store.sync('file:///b.py', DECOMPOSED, new AbortController().signal);
    assert.equal(store.has('file:///b.py'), false);
    assert.match(store.statsFor('file:///b.py')[0]?.noCache ?? '', REASON);
    const during = await store.complete('file:///b.py', request(DECOMPOSED));
    assert.equal(during.stats.cachedTokens, 0);
    const back = await store.complete('file:///b.py', request(COMPOSED + ')\n'));
    assert.equal(store.has('file:///b.py'), true);
    assert.ok(back.stats.cachedTokens > 0);
    assert.equal(back.stats.noCache, undefined);
  });
});
