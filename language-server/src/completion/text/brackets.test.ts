// The bracket scanner: outer closers, unclosed openers, strings and comments.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isBlank, isClosersOnly, isTrivial, leftOpen, lineState, scanBrackets } from './brackets.js';
import { styleOf } from './languageStyle.js';

const py = styleOf('python');
const ts = styleOf('typescript');

describe('brackets', () => {
  it('finds closers of brackets opened before the text, and openers left open', () => {
    assert.deepEqual(scanBrackets('x)', py, lineState('n = len(', py)).outer, [1]);
    assert.deepEqual(scanBrackets('a(b), c', py).outer, []);
    assert.deepEqual(scanBrackets('foo(a, [b', ts).unclosed, [3, 7]);
    assert.deepEqual(scanBrackets('}', ts).outer, [0]);
  });

  it('skips brackets in strings and line comments; a quote that closes a string begun before the text is outer', () => {
    assert.deepEqual(scanBrackets('")" # (', py), { outer: [], stray: [], unclosed: [], end: { quote: undefined, open: [], comment: 'line' }, minDepth: 0 });
    assert.deepEqual(scanBrackets(' (a', py, { open: [], comment: 'line' }).unclosed, [], 'the text goes on a comment begun before it');
    assert.deepEqual(scanBrackets('x /* ( */ + f(', ts).unclosed, [13], 'brackets in a block comment do not count');
    assert.equal(scanBrackets('/**\n * @param {string', ts).end.comment, 'block');
    assert.deepEqual(scanBrackets('a) + b]', py, { open: ['['] }).stray, [1], 'a `)` with only a `[` open is stray');
    assert.deepEqual(scanBrackets('hello")', py, lineState('print("', py)).outer, [5, 6]);
    assert.deepEqual(scanBrackets('a // )', ts).outer, []);
  });

  it('classifies closers-only and trivial texts', () => {
    assert.ok(isClosersOnly(')] ', py) && isClosersOnly('")', py) && !isClosersOnly('):', py));
    assert.ok(isTrivial('  });') && isTrivial('') && !isTrivial('x)') && !isTrivial('""'));
    assert.ok(isBlank(' \n ') && !isBlank(';'));
  });

  it('finds the brackets a text leaves open that the document after it does not close', () => {
    assert.deepEqual(leftOpen('self.tk.call(', py, { open: [] }, '\n    a, b)\nx = 1'), [], 'the next line closes it');
    assert.deepEqual(leftOpen('foo(a, [b', ts, { open: [] }, '\nbar();\n'), [3, 7]);
    assert.deepEqual(leftOpen('foo(a, [b', ts, { open: [] }, '];\nbar();\n'), [3], 'the `[` is closed, the `(` not');
    assert.deepEqual(leftOpen('x = {', ts, { open: ['('] }, '\n  a: 1 }) + 2'), [], 'closed before the outer bracket');
  });
});
