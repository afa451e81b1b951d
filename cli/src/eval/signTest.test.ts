import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { pairedCounts, signTestP } from './signTest.js';

describe('signTestP', () => {
  it('gives the exact two-sided p of a split', () => {
    assert.equal(signTestP(0, 10), 2 / 1024);
    assert.equal(signTestP(10, 0), 2 / 1024);
    assert.equal(signTestP(1, 9), (2 * 11) / 1024);
    assert.equal(signTestP(5, 5), 1);
    assert.equal(signTestP(0, 0), 1);
    assert.equal(signTestP(0, 1), 1);
  });
});

describe('pairedCounts', () => {
  it('counts better, worse and tied tasks and rounds the p', () => {
    const r = pairedCounts([1, 0.5, 0.2, 0.3], [0.5, 0.5, 0.3, 0.1]);
    assert.deepEqual(r, { better: 2, worse: 1, ties: 1, sign_test_p: 1 });
    assert.equal(pairedCounts(Array(10).fill(0), Array(10).fill(1)).sign_test_p, 0.002);
    assert.equal(pairedCounts(Array(53).fill(1), Array(53).fill(0)).sign_test_p, 2.2e-16); // 2 / 2^53, not rounded to 0
  });
});
