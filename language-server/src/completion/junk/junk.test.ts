// Junk rules: special tokens, repeated lines, looping n-grams, the token limit's cut-off tail.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cutLoops, cutRepeatedLines, cutSpecialTokens, cutTruncatedTail } from './junk.js';

describe('junk', () => {
  it('special tokens are never shown: the text ends before the first', () => {
    assert.equal(cutSpecialTokens('return x<|endoftext|>def g'), 'return x');
    assert.equal(cutSpecialTokens('a = 1<fim_middle>b'), 'a = 1');
    assert.equal(cutSpecialTokens('x < y and y > z'), 'x < y and y > z');
    assert.equal(cutSpecialTokens('List<String> xs'), 'List<String> xs');
    assert.equal(cutSpecialTokens('x = "\uFFFD\uFFFD"'), 'x = "', 'bytes that decode to no character');
    assert.equal(cutSpecialTokens('a\tb\u0007c'), 'a\tb', 'control characters');
  });

  it('a looping n-gram is cut at its first repeat (the tiny model\'s `\'b\', \'b\', \'b\'`)', () => {
    assert.equal(cutLoops("e(x, 'x', 'b', 'b', 'b', 'b'"), "e(x, 'x', 'b", 'cut where the loop\'s first round ends');
    assert.equal(cutLoops('self.self.self.self.x'), 'self.');
    assert.equal(cutLoops('return a + b'), 'return a + b');
    assert.equal(cutLoops('if (a === b) {}'), 'if (a === b) {}', 'operators are not words');
    assert.equal(cutLoops('x = [a, b, c]'), 'x = [a, b, c]');
    assert.equal(cutLoops('}}}))) ;;;'), '}}}))) ;;;', 'brackets may close in runs');
  });

  it('a repeated line ends the text; bracket-only lines may repeat', () => {
    assert.equal(cutRepeatedLines('\n    x = 1\n    y = 2\n    x = 1\n    y = 2'), '\n    x = 1\n    y = 2');
    assert.equal(cutRepeatedLines('\n  if (a) {\n    b();\n  }\n}'), '\n  if (a) {\n    b();\n  }\n}');
    assert.equal(cutRepeatedLines('\n    return total', '    return total'), '', 'the line above the cursor, copied');
  });

  it('after the token limit: the last line goes, or the last partial word of a single line', () => {
    assert.equal(cutTruncatedTail('\n    a = 1\n    b = compu'), '\n    a = 1');
    assert.equal(cutTruncatedTail('x = compute_va'), 'x = ');
    assert.equal(cutTruncatedTail('foo(a, '), 'foo(a, ');
  });
});
