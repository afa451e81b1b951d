// Tree-sitter grammars load (web-tree-sitter and the grammar wasm files agree on the ABI) and the syntax checks.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import type { Parser } from 'web-tree-sitter';
import { at } from '../text/cursorFixture.js';
import { GRAMMAR_FILES, grammarFor, loadParser, locateWasm, type GrammarName } from './grammars.js';
import { blockEndInText, countErrors, cutPoints, trimToParse, windowAround } from './parseCheck.js';

const noFit = (t: string) => ({ text: t, replaceSuffix: 0 });

describe('tree-sitter grammars', () => {
  const parsers = {} as Record<GrammarName, Parser>;
  before(async () => {
    for (const name of Object.keys(GRAMMAR_FILES) as GrammarName[]) parsers[name] = await loadParser(name);
  });

  it('load for Python, JavaScript, TypeScript and TSX and parse valid code without errors', () => {
    assert.equal(countErrors(parsers.python, 'def f(x):\n    return len(x)\n'), 0);
    assert.equal(countErrors(parsers.javascript, 'function f(x) { return Math.min(x, 1); }\n'), 0);
    assert.equal(countErrors(parsers.typescript, 'function f(x: number): number { return x; }\n'), 0);
    assert.equal(countErrors(parsers.tsx, 'const a = <div>{x}</div>;\n'), 0);
    assert.ok(countErrors(parsers.python, 'def f(x:\n') > 0);
    assert.equal(grammarFor('typescriptreact'), 'tsx');
    assert.equal(grammarFor('ruby'), undefined);
    assert.match(locateWasm(GRAMMAR_FILES.python), /tree-sitter-python\.wasm$/);
  });

  it('trims a completion back to the longest prefix that adds no error in place, or drops it', () => {
    const f = at('def area(r):\n    return |\n\nprint(area(2))\n');
    const win = windowAround(f.text, f.offset);
    assert.equal(trimToParse(parsers.python, win, 'math.pi * r ** 2', noFit).text, 'math.pi * r ** 2');
    assert.equal(trimToParse(parsers.python, win, 'math.pi * (r ** 2', noFit).text, 'math.pi');
    assert.equal(trimToParse(parsers.python, win, ')))', noFit).text, undefined);
    const g = at('const total = items.reduce(|);\n');
    const w2 = windowAround(g.text, g.offset);
    assert.equal(trimToParse(parsers.typescript, w2, '(a, b) => a + b, 0', noFit).text, '(a, b) => a + b, 0');
    assert.equal(trimToParse(parsers.typescript, w2, '(a, b) => a + b, 0) + 1; let', noFit).text, '(a, b) => a + b, 0', 'the suffix holds the closer');
  });

  it('a reserved word the JS/TS grammars take for a name is an error in the completion, not in property names or Python', () => {
    const keep = (language: GrammarName, marked: string, text: string) => {
      const f = at(marked);
      return trimToParse(parsers[language], windowAround(f.text, f.offset), text, noFit).text;
    };
    for (const language of ['typescript', 'javascript', 'tsx'] as const) {
      assert.equal(keep(language, 'const x = |\n', 'for'), undefined, `${language}: \`x = for\``);
      assert.equal(keep(language, 'const x = |\n', 'new'), undefined);
      assert.equal(keep(language, 'foo(|)\n', 'a, while'), 'a,', 'cut before the keyword');
      assert.equal(keep(language, 'const x = |\n', 'opts.for + format'), 'opts.for + format', 'a property may be named for');
      assert.equal(keep(language, 'const x = |\n', '{ if: 1 }'), '{ if: 1 }', 'so may a key');
      assert.equal(keep(language, 'const x = |\n', 'forEach'), 'forEach');
    }
    assert.equal(keep('python', 'x = |\n', 'new + var + function'), 'new + var + function', 'JS keywords are names in Python');
  });

  it('a block opened at the cursor and closed below the window is no error', () => {
    const body = Array.from({ length: 120 }, (_, i) => `  m${i}() {}`).join('\n');
    const f = at(`class A |\n${body}\n}\n`);
    const win = windowAround(f.text, f.offset);
    assert.ok(win.cut, 'the window ends before the class does');
    assert.equal(trimToParse(parsers.typescript, win, 'extends B {', noFit).text, 'extends B {');
    assert.equal(trimToParse(parsers.typescript, win, 'extends B { (', noFit).text, 'extends B {');
  });

  it('the window ends at a top-level line, not inside a block comment or a body: ` {` after `} else` is kept', () => {
    const doc = Array.from({ length: 30 }, (_, i) => ` * line ${i} of the doc comment, words and more words.`).join('\n');
    const f = at(`const a = 1;\n\n/*|\n${doc}\n */\nexport function f() {\n  return a;\n}\n\nexport const b = 2;\n`);
    const win = windowAround(f.text, f.offset);
    assert.ok(win.after.includes(' */\nexport function f() {'.split('\n')[0]!), 'the comment ends inside the window');
    assert.ok(!win.after.includes('export function'), 'the window ends before the next top-level statement');
    assert.ok(win.cut);
    assert.equal(trimToParse(parsers.typescript, win, '*', noFit).text, '*');
    const params = Array.from({ length: 30 }, (_, i) => `    p${i}: number,`).join('\n');
    const g = at(`class B {\n  m() {\n    if (a) {\n      go();\n    } else|\n      return 1;\n    }\n  }\n\n  n(\n${params}\n  ) {}\n}\n\nnext();\n`);
    assert.equal(trimToParse(parsers.typescript, windowAround(g.text, g.offset), ' {', noFit).text, ' {', 'the window does not end inside the parameter list below');
  });

  it('finds where the block the completion starts in ends (Python and braces)', () => {
    const f = at('def f(x):|\n');
    const text = '\n    y = x\n    return y\nprint(f(1))';
    assert.equal(blockEndInText(parsers.python, windowAround(f.text, f.offset), text, 0), '\n    y = x\n    return y'.length);
    const g = at('if (a) {|\n');
    const js = '\n  go();\n}\nnext();';
    assert.equal(blockEndInText(parsers.javascript, windowAround(g.text, g.offset), js, 0), '\n  go();\n}'.length);
  });

  it('cut points are line ends and token ends, longest first', () => {
    assert.deepEqual(cutPoints('ab(c)\nd'), [7, 5, 4, 3, 2]);
  });
});
