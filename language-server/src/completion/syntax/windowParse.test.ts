// Incremental parses of a window with a text at its cursor give the same errors as parsing the text afresh.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import type { Parser } from 'web-tree-sitter';
import { at } from '../text/cursorFixture.js';
import { loadParser } from './grammars.js';
import { parseErrors, syntaxErrors, windowAround } from './parseCheck.js';
import { baseTree, parseCounts, treeWithText } from './windowParse.js';

let python: Parser;

describe('window parses', () => {
  before(async () => {
    python = await loadParser('python');
  });

  it('a text put at the cursor parses like the whole text parsed afresh, on one parse of the window', () => {
    const f = at('def f(x):\n    y = |\n    return y\n\nprint(f(1))\n');
    const win = windowAround(f.text, f.offset);
    const full = parseCounts.full;
    for (const [text, replace] of [['x + 1', 0], ['(x', 0], ['x\n    z = [', 0], ['', 0], ['é + "ü"', 0], ['x', 1]] as const) {
      const tree = treeWithText(python, win, text, replace)!;
      const incremental = syntaxErrors(tree);
      tree.delete();
      assert.deepEqual(incremental, parseErrors(python, win.before + text + win.after.slice(replace)), JSON.stringify(text));
    }
    assert.equal(parseCounts.full - full, 1, 'the window itself was parsed once');
    assert.equal(baseTree(python, win), baseTree(python, win), 'kept while the window stays the same');
  });
});
