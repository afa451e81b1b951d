// shapeByPlace / placeOf / fitClosers with cursor-marker fixtures (`|` is the cursor) in Python, TypeScript and JavaScript.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { at } from '../text/cursorFixture.js';
import { placeOf } from './placeOf.js';
import { fitClosers, shapeByPlace } from './shapeByPlace.js';

function place(marked: string, languageId: string) {
  const f = at(marked);
  return placeOf(f.text, f.offset, languageId);
}

/** The document after accepting: the completion shaped and fitted at the cursor. */
function accept(marked: string, languageId: string, completion: string): string {
  const f = at(marked);
  const p = placeOf(f.text, f.offset, languageId);
  const shaped = fitClosers(p, shapeByPlace(p, completion));
  return f.text.slice(0, f.offset) + shaped.text + f.text.slice(f.offset + shaped.replaceSuffix);
}

describe('placeOf', () => {
  it('tells mid-line, line end and block places apart', () => {
    assert.equal(place('x = foo(|a, b)\n', 'python').kind, 'inline');
    assert.equal(place('d[|key] = value\n', 'python').kind, 'inline');
    assert.equal(place('def f(|):\n', 'python').kind, 'inline', '`:` after the closer is text, not a closer');
    assert.equal(place('n = len(|)\n', 'python').kind, 'line', 'only an auto-closed paren follows');
    assert.equal(place('print("|")\n', 'python').kind, 'line', 'a quote and a paren follow');
    assert.equal(place('    return |\n', 'python').kind, 'line');
    assert.equal(place('def f(x):|\n', 'python').kind, 'block');
    assert.equal(place('x = y[1:|]\n', 'python').kind, 'line', 'a slice colon opens no block');
    assert.equal(place('def f(x):\n    |\n', 'python').kind, 'block');
    assert.equal(place('function f() {|}\n', 'typescript').kind, 'block');
    assert.equal(place('if (a) {|\n', 'javascript').kind, 'block');
    assert.equal(place('const x = Math.min(|)\n', 'typescript').kind, 'line');
  });

  it('measures the block indentation: deeper than the opener line, or the cursor column on an empty line', () => {
    assert.equal(place('    if x:|\n', 'python').blockIndent, 5);
    assert.equal(place('def f():\n    |\n', 'python').blockIndent, 4);
    assert.equal(place('\tif (a) {|\n', 'javascript').indent, 4);
  });
});

describe('shapeByPlace', () => {
  it('mid-line: one line, without what the rest of the line holds', () => {
    assert.equal(accept('x = foo(|, b)\n', 'python', 'a, c)\nprint(x)'), 'x = foo(a, c, b)\n');
    assert.equal(accept('d[|key] = value\n', 'python', 'key] = value\n'), 'd[key] = value\n', 'the suffix itself: nothing');
    assert.equal(shapeByPlace(place('d[|key] = value\n', 'python'), 'key] = value'), '');
    assert.equal(accept('def f(|):\n', 'python', 'x, y):\n    return x'), 'def f(x, y):\n');
    assert.equal(accept('foo(|);\n', 'javascript', 'a, b);'), 'foo(a, b);\n');
    assert.equal(accept('foo(|, 2);\n', 'typescript', 'x), bar(y'), 'foo(x, 2);\n', 'a closer of the call ends the text');
  });

  it('at Math.min(|): one line, and the auto-closed paren is swallowed, not pushed down', () => {
    const p = place('const x = Math.min(|)\n', 'typescript');
    assert.equal(shapeByPlace(p, 'a, b)\nconst y = 2;\nconst z = 3;\n'), 'a, b)');
    assert.deepEqual(fitClosers(p, 'a, b)'), { text: 'a, b)', replaceSuffix: 1 });
    assert.equal(accept('const x = Math.min(|)\n', 'typescript', 'a, b)\nconst y = 2;\n'), 'const x = Math.min(a, b)\n');
  });

  it('at len(|): `x)` swallows the `)` through the range; a text without it is inserted before it', () => {
    assert.equal(accept('n = len(|)\n', 'python', 'x)'), 'n = len(x)\n');
    assert.equal(accept('n = len(|)\n', 'python', 'x'), 'n = len(x)\n');
    assert.equal(accept('n = len(|)\n', 'python', 'x) + 1'), 'n = len(x) + 1\n');
    assert.equal(accept('n = len(|)\n', 'python', 'x)) + 1'), 'n = len(x)\n', 'a closer the line lacks ends the text');
    assert.equal(accept('f(g(|))\n', 'python', 'x)'), 'f(g(x))\n');
    assert.equal(accept('print("|")\n', 'python', 'hello")'), 'print("hello")\n');
    assert.equal(accept('const a = [|];\n', 'javascript', '1, 2]'), 'const a = [1, 2];\n');
    assert.equal(accept('n = len(|)\n', 'python', 'x]'), 'n = len(x)\n', 'a mismatched closer ends the text');
  });

  it('at a line end: one line, or the next line when the model ends this one', () => {
    assert.equal(accept('    return |\n', 'python', 'x + 1\n    print(x)'), '    return x + 1\n');
    assert.equal(shapeByPlace(place('x = 1|\n', 'python'), '\ny = 2\nz = 3'), '\ny = 2');
    assert.equal(shapeByPlace(place('    x = 1|\n', 'python'), '\nprint(x)'), '', 'not a next line that leaves the block');
    assert.equal(shapeByPlace(place('let a = 1;|\n', 'javascript'), '\n\n'), '');
    assert.equal(shapeByPlace(place('return Math.min(|)\n', 'typescript'), '\nexport function'), '', 'not with closers after the cursor');
  });

  it('a block after an opener ends where a line dedents to the opener (Python)', () => {
    const p = place('def f(x):|\n', 'python');
    assert.equal(shapeByPlace(p, '\n    y = x * 2\n    return y\n\nprint(f(2))\n'), '\n    y = x * 2\n    return y');
    assert.equal(shapeByPlace(place('    if x:|\n', 'python'), '\n        a()\n    else:\n        b()'), '\n        a()');
  });

  it('a block on an empty line ends where a line dedents below the cursor', () => {
    const p = place('def f(x):\n    |\n', 'python');
    assert.equal(shapeByPlace(p, 'y = x\n    return y\nprint(1)'), 'y = x\n    return y');
    assert.equal(shapeByPlace(place('function f() {\n  |\n}\n', 'typescript'), 'return 1;\n}\nfunction g() {}'), 'return 1;');
  });

  it('braces: the closing line is kept when the document lacks it, swallowed when it follows the cursor, dropped when below', () => {
    assert.equal(accept('if (a) {|\n', 'javascript', '\n  go();\n}\nnext();'), 'if (a) {\n  go();\n}\n');
    assert.equal(accept('function f() {|}\n', 'typescript', '\n  return 1;\n}\nf();'), 'function f() {\n  return 1;\n}\n');
    assert.equal(accept('if (a) {|\n}\n', 'javascript', '\n  go();\n}\nnext();'), 'if (a) {\n  go();\n}\n');
  });
});
