// editsBetween: applying its edits to the old text gives the new text, edits stay sorted and whole-character.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { editsBetween } from './editsBetween.js';
import { applyTextEdits, checkEdits } from './tokenDiff.js';

describe('editsBetween', () => {
  const cases: [string, string][] = [
    ['abc', 'abc'],
    ['', 'hello'],
    ['hello', ''],
    ['def f(x):\n    return x\n', 'def f(x, y):\n    return x + y\n'],
    ['a🙂b', 'a🙃b'],
    ['🙂', 'x🙂'],
    ['line1\nline2\nline3\n', 'line0\nline1\nline3\nline4\n'],
  ];
  for (const [a, b] of cases) {
    it(`${JSON.stringify(a)} → ${JSON.stringify(b)}`, () => {
      const edits = editsBetween(a, b);
      checkEdits(a, edits);
      assert.equal(applyTextEdits(a, edits), b);
      for (const e of edits) {
        for (const at of [e.start, e.end]) {
          const c = a.charCodeAt(at - 1);
          assert.ok(!(c >= 0xd800 && c < 0xdc00) || at === 0, `edit boundary ${at} splits a surrogate pair`);
        }
      }
      if (a === b) assert.equal(edits.length, 0);
    });
  }

  it('finds separate places for a multi-place change', () => {
    const a = 'x = 1\n' + 'pass\n'.repeat(50) + 'y = 2\n';
    const b = 'x = 10\n' + 'pass\n'.repeat(50) + 'y = 20\n';
    assert.equal(editsBetween(a, b).length, 2);
  });
});
