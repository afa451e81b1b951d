// The faults `splice eval shape` counts in a shown text, on cursor-marker fixtures (`|` is the cursor).
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import type { Parser } from 'web-tree-sitter';
import { placeOf } from '../../../language-server/src/completion/place/placeOf.js';
import { loadParser } from '../../../language-server/src/completion/syntax/grammars.js';
import { at } from '../../../language-server/src/completion/text/cursorFixture.js';
import { editorDocument, faultsOf } from './shapeEval.js';

let python: Parser;

function faults(marked: string, shown: string, languageId = 'python', parser: Parser | undefined = python) {
  const doc = at(marked);
  return faultsOf(doc, placeOf(doc.text, doc.offset, languageId), shown, 0, parser);
}

describe('eval shape: faults of a shown text', () => {
  before(async () => {
    python = await loadParser('python');
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

  it("the editor's document: the rest of the cursor's line is not there yet", () => {
    assert.deepEqual(editorDocument({ id: 'a', language: 'python', prefix: 'def f(x):\n    ret', suffix: 'print(1)\n', expected: 'urn x' }), { text: 'def f(x):\n    ret\nprint(1)\n', offset: 'def f(x):\n    ret'.length });
  });
});
