// The faults `splice eval shape` counts in a shown text, on cursor-marker fixtures (`|` is the cursor).
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import type { Parser } from 'web-tree-sitter';
import { placeOf } from '../../../language-server/src/completion/place/placeOf.js';
import { loadParser } from '../../../language-server/src/completion/syntax/grammars.js';
import { at } from '../../../language-server/src/completion/text/cursorFixture.js';
import { editorDocument, faultsOf } from './shapeEval.js';

let python: Parser;
let typescript: Parser;

function faults(marked: string, shown: string, languageId = 'python', parser: Parser | undefined = python) {
  const doc = at(marked);
  return faultsOf(doc, placeOf(doc.text, doc.offset, languageId), shown, 0, parser);
}

describe('eval shape: faults of a shown text', () => {
  before(async () => {
    python = await loadParser('python');
    typescript = await loadParser('typescript');
  });

  it('empty, duplicated suffix, open brackets, past the block, repeats, syntax errors', () => {
    assert.deepEqual(faults('def f(x):\n    return |\n', '  '), ['empty']);
    assert.deepEqual(faults('def f(x):\n    y = |\n    return y\n', 'x\n    return y'), ['duplicates_suffix']);
    assert.deepEqual(faults('def f(x):\n    return |\n', 'g(x, [1'), ['unbalanced', 'syntax_errors']);
    assert.deepEqual(faults('def f(x):\n    return |\n', 'x\nprint(1)'), ['past_block']);
    assert.deepEqual(faults('def f(x):\n    return |\n', "g('b', 'b', 'b', 'b')"), ['repeats']);
    assert.deepEqual(faults('def f(x):\n    return |\n', 'x +'), ['syntax_errors']);
    assert.deepEqual(faults('def f(x):\n    return |\n', 'x + 1'), []);
  });

  it('each counter fires where it should and not on correct code', () => {
    assert.deepEqual(faults('x = foo(|) + 1\n', 'a) + 1'), ['duplicates_suffix', 'unbalanced', 'syntax_errors'], 'the rest of the line written again (closing the call mid-line, doubled)');
    assert.deepEqual(faults('x = |\n    1, 2)\ny = 3\n', 'foo('), [], 'a bracket the next lines close');
    assert.deepEqual(faults('x = |\ny = 3\n', 'foo(1'), ['unbalanced', 'syntax_errors'], 'a bracket nothing closes');
    assert.deepEqual(faults('# see |\nx = 1\n', 'the (first'), [], 'brackets in a comment are no code');
    assert.deepEqual(faults('function f(a) {|\n', '\n  return a;\n}', 'typescript', typescript), [], "a block's own closing brace does not run past it");
    assert.deepEqual(faults('function f(a) {|\n', '\n  return a;\n}\nf(1);', 'typescript', typescript), ['past_block']);
  });

  it("the editor's document: the rest of the cursor's line is not there yet", () => {
    assert.deepEqual(editorDocument({ id: 'a', language: 'python', prefix: 'def f(x):\n    ret', suffix: 'print(1)\n', expected: 'urn x' }), { text: 'def f(x):\n    ret\nprint(1)\n', offset: 'def f(x):\n    ret'.length });
  });
});
