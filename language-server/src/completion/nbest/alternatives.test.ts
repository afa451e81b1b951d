// n-best items: sampled alternatives, in order, without duplicates.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { distinctItems, sampling } from './alternatives.js';

describe('n-best alternatives', () => {
  it('keeps the first of equal items and the order', () => {
    const items = [{ text: 'a', replaceSuffix: 0 }, { text: 'b', replaceSuffix: 0 }, { text: 'a', replaceSuffix: 0 }, { text: 'a', replaceSuffix: 1 }];
    assert.deepEqual(distinctItems(items), [items[0], items[1], items[3]]);
  });

  it('samples (the greedy completion is the first item), each with its own seed', () => {
    const samplings = [1, 2, 3, 4].map(sampling);
    assert.ok(samplings.every((s) => s.temperature > 0));
    assert.equal(new Set(samplings.map((s) => s.seed)).size, samplings.length);
  });
});
