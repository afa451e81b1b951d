// TypedThroughCache: typing along a suggestion answers its rest; anything else misses.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { at } from '../text/cursorFixture.js';
import { TypedThroughCache } from './TypedThroughCache.js';

const URI = 'file:///a.py';

describe('TypedThroughCache', () => {
  it('answers the rest of a suggestion whose first characters were typed, and the same item at the same place', () => {
    const c = new TypedThroughCache();
    const f = at('def f(x):\n    return |\n');
    c.remember(URI, f.text, f.offset, { text: 'x * 2 + 1', replaceSuffix: 0 });
    const typed = at('def f(x):\n    return x *|\n');
    assert.deepEqual(c.lookup(URI, typed.text, typed.offset), { text: ' 2 + 1', replaceSuffix: 0 });
    assert.deepEqual(c.lookup(URI, f.text, f.offset), { text: 'x * 2 + 1', replaceSuffix: 0 });
  });

  it('misses on a character that differs, another document, a changed suffix or a fully typed item', () => {
    const c = new TypedThroughCache();
    const f = at('return |\nend\n');
    c.remember(URI, f.text, f.offset, { text: 'abc', replaceSuffix: 0 });
    const wrong = at('return ax|\nend\n');
    assert.equal(c.lookup(URI, wrong.text, wrong.offset), undefined);
    const typed = at('return a|\nend\n');
    assert.equal(c.lookup('file:///b.py', typed.text, typed.offset), undefined);
    const changed = at('return a|\nfin\n');
    assert.equal(c.lookup(URI, changed.text, changed.offset), undefined);
    const all = at('return abc|\nend\n');
    assert.equal(c.lookup(URI, all.text, all.offset), undefined);
  });

  it('keeps the swallowed closer in range while it is still after the cursor (len(|) → len(x|))', () => {
    const c = new TypedThroughCache();
    const f = at('n = len(|)\n');
    c.remember(URI, f.text, f.offset, { text: 'items)', replaceSuffix: 1 });
    const typed = at('n = len(it|)\n');
    assert.deepEqual(c.lookup(URI, typed.text, typed.offset), { text: 'ems)', replaceSuffix: 1 });
  });

  it('holds at most its capacity, least recently used out first', () => {
    const c = new TypedThroughCache(2);
    for (const word of ['a', 'b', 'c']) c.remember(URI, `${word} = `, 4, { text: 'value', replaceSuffix: 0 });
    assert.equal(c.size, 2);
    assert.equal(c.lookup(URI, 'a = ', 4), undefined);
    assert.ok(c.lookup(URI, 'c = v', 5));
  });
});
