// The merge-rank pair test against BPE itself on toy merge lists, every pair exhaustively: rank ties (leftmost wins),
// tokens that are not their own encoding, and a token reached by two different merges.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MergeRanks } from './MergeRanks.js';

const enc = (s: string) => new TextEncoder().encode(s);
const LATIN1 = Array.from({ length: 256 }, (_, b) => String.fromCharCode(b));

function toy(merges: [string, string][]): { ranks: MergeRanks; vocab: string[] } {
  const vocab = [...new Set(['a', 'b', 'c', 'x', ...merges.map(([l, r]) => l + r)])];
  return { ranks: new MergeRanks(vocab.length, new Map(vocab.map((t, i) => [t, i])), merges, LATIN1), vocab };
}

describe('MergeRanks', () => {
  const cases: [string, [string, string][]][] = [
    ['a chain with a rank tie', [['x', 'x'], ['a', 'b'], ['b', 'c'], ['ab', 'c'], ['c', 'a'], ['xx', 'x']]],
    ['a token made by two merges and one never its own encoding', [['a', 'b'], ['b', 'c'], ['ab', 'c'], ['a', 'bc'], ['c', 'c'], ['cc', 'c'], ['c', 'cc']]],
  ];
  for (const [name, merges] of cases) {
    it(`validInChunk(a, b) == (BPE(bytes(a) + bytes(b)) == [a, b]) for every pair: ${name}`, () => {
      const { ranks, vocab } = toy(merges);
      let invalid = 0;
      for (let a = 0; a < vocab.length; a++) {
        for (let b = 0; b < vocab.length; b++) {
          const ab = enc(vocab[a]! + vocab[b]!);
          const want = JSON.stringify(ranks.encodeChunk(ab)) === JSON.stringify([a, b]);
          assert.equal(ranks.validInChunk(a, enc(vocab[a]!), b, enc(vocab[b]!)), want, `${vocab[a]} + ${vocab[b]}`);
          if (!want) invalid++;
        }
      }
      assert.ok(invalid > 0);
    });
  }

  it('encodes a chunk with the lowest rank first and the leftmost on ties', () => {
    const { ranks, vocab } = toy([['x', 'x']]);
    assert.deepEqual(ranks.encodeChunk(enc('xxx'))!.map((i) => vocab[i]), ['xx', 'x']);
    assert.deepEqual(ranks.encodeChunk(enc('xxxx'))!.map((i) => vocab[i]), ['xx', 'xx']);
  });
});
