// Rule triggers (member access, imports) and the mark's probability.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { markTrigger, probabilityOf, ruleTrigger } from './triggers.js';

describe('ruleTrigger', () => {
  it('fires after `.`, `?.`, `->` and `::` at an expression end, with the name part already typed', () => {
    assert.deepEqual(ruleTrigger('import os\nos.'), { site: 13, typed: '' });
    assert.deepEqual(ruleTrigger('os.pa'), { site: 3, typed: 'pa' });
    assert.deepEqual(ruleTrigger('a?.b'), { site: 3, typed: 'b' });
    assert.deepEqual(ruleTrigger('p->'), { site: 3, typed: '' });
    assert.deepEqual(ruleTrigger('std::ve'), { site: 5, typed: 've' });
    assert.deepEqual(ruleTrigger('f(x).'), { site: 5, typed: '' });
    assert.deepEqual(ruleTrigger('x1.'), { site: 3, typed: '' });
  });

  it('fires at a name after import / from', () => {
    assert.deepEqual(ruleTrigger('import '), { site: 7, typed: '' });
    assert.deepEqual(ruleTrigger('x = 1\nfrom co'), { site: 11, typed: 'co' });
    assert.deepEqual(ruleTrigger('from os import pa'), { site: 15, typed: 'pa' });
  });

  it('does not fire on numbers, spreads, plain words or a finished member', () => {
    for (const t of ['x = 1.', 'x = 12.5', '[...', 'foo', 'os.path ', 'os.path(', 'a = .']) assert.equal(ruleTrigger(t), undefined, t);
  });
});

describe('markTrigger and probabilityOf', () => {
  it('the mark asks where a name starts', () => {
    assert.deepEqual(markTrigger('os.'), { site: 3, typed: '' });
    assert.deepEqual(markTrigger('os.pa'), { site: 3, typed: 'pa' });
  });

  it('probabilityOf is the softmax probability', () => {
    const p = probabilityOf(Float32Array.of(Math.log(8), 0, Math.log(1)), 0);
    assert.ok(Math.abs(p - 0.8) < 1e-6);
  });
});
