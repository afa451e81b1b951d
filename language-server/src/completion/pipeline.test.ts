// The whole pipeline on raw completions as the tiny model writes them, with and without a grammar (`|` is the cursor).
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import type { Parser } from 'web-tree-sitter';
import { shapeCompletion, stopsFor } from './pipeline.js';
import { loadParser } from './syntax/grammars.js';
import { at } from './text/cursorFixture.js';

let parsers: Record<string, Parser>;

/** The document after accepting the shaped item, or null when nothing is shown. */
function accept(marked: string, languageId: string, completion: string, opts: { stopReason?: string; grammar?: boolean } = {}): string | null {
  const f = at(marked);
  const parser = opts.grammar === false ? undefined : parsers[languageId];
  const { item } = shapeCompletion({ ...f, languageId, completion, stopReason: opts.stopReason, parser });
  return item && f.text.slice(0, f.offset) + item.text + f.text.slice(f.offset + item.replaceSuffix);
}

describe('completion pipeline', () => {
  before(async () => {
    parsers = { python: await loadParser('python'), typescript: await loadParser('typescript'), javascript: await loadParser('javascript') };
  });

  it('noise from the tiny model becomes a sane item or none', () => {
    assert.equal(accept("x = |\n", 'python', "e(x, 'x', 'b', 'b', 'b', 'b', 'b'"), 'x = e\n');
    assert.equal(accept("x = |\n", 'python', "e(x, 'x', 'b', 'b', 'b', 'b', 'b'", { grammar: false }), 'x = e\n');
    assert.equal(accept('def f(x):\n    |\n', 'python', '   \n  \n'), null, 'whitespace only');
    assert.equal(accept('foo(|)\n', 'javascript', ')'), null, 'bracket only');
    assert.equal(accept('x = 1|\n', 'python', '<|endoftext|>'), null, 'special tokens never shown');
    assert.equal(accept('if not header_byte|\n    return ""\n', 'python', 'e)'), 'if not header_bytee\n    return ""\n', 'a stray closer where the document is broken');
    assert.equal(accept('x = foo(a,\n  b|\n', 'ruby', ', c)\nputs x'), 'x = foo(a,\n  b, c)\n', 'no grammar: a closer of an earlier line\'s bracket stays');
    assert.equal(accept('x = 1 + |\n', 'ruby', 'y) * 2'), 'x = 1 + y\n', 'no grammar: a stray closer ends the text');
  });

  it('bracket-only items show only where the grammar says they fit; an item that changes nothing never', () => {
    assert.equal(accept('function f() {\n  return 1;\n|\n', 'javascript', '}'), 'function f() {\n  return 1;\n}\n');
    assert.equal(accept('if (a) {\n  go();\n} else|\n  stop();\n}\n', 'typescript', ' {'), 'if (a) {\n  go();\n} else {\n  stop();\n}\n', 'an opener the next lines need');
    assert.equal(accept('function f() {\n  return 1;\n}\n|\n', 'javascript', '}'), null, 'a closer of nothing');
    assert.equal(accept('x = |\n', 'python', '""'), 'x = ""\n');
    assert.equal(accept('foo(|)\n', 'ruby', ')'), null, 'no grammar: bracket-only is not shown');
    assert.equal(accept('for i in range(3):\n    print(|\n', 'python', "x, 'a', 'b"), "for i in range(3):\n    print(x, 'a'\n", 'a string a cut loop left open');
    const doc = 'def f():\n    """Return the\n    user|\n    """\n    return 1\n';
    assert.equal(accept(doc, 'python', "'s name."), doc.replace('|', "'s name."), 'an apostrophe in a docstring is no string');
    assert.equal(accept('"""Module doc.\n"|\nimport os\n', 'python', '""'), '"""Module doc.\n"""\nimport os\n', 'a triple quote begun before the cursor');
    const brokenImport = "import { A } from './a';\nimport { isFunction }|\nexport function f(v: any): boolean {\n  return isFunction(v);\n}\n";
    assert.equal(accept(brokenImport, 'typescript', ') {'), null, 'brackets that fix nothing in a broken line');
  });

  it('no grammar: a bracket left open stays when the next lines close it', () => {
    assert.equal(accept('x = |\n  1, 2)\nputs x\n', 'ruby', 'foo('), 'x = foo(\n  1, 2)\nputs x\n');
    assert.equal(accept('x = |\nputs 1\n', 'ruby', 'foo(a'), 'x = foo\nputs 1\n');
  });

  it('Python: a block after `:` ends at the dedent, repeated lines go, and it parses in place', () => {
    const doc = 'def area(r):|\n\nprint(area(2))\n';
    assert.equal(accept(doc, 'python', '\n    a = r * r\n    return a\n    return a\nprint(1)'), 'def area(r):\n    a = r * r\n    return a\n\nprint(area(2))\n');
    assert.equal(accept('def area(r):\n    return |\n', 'python', 'math.pi * (r ** 2', { stopReason: 'max-tokens' }), 'def area(r):\n    return math.pi\n');
    assert.equal(accept('n = len(|)\n', 'python', 'items)\nprint(n)'), 'n = len(items)\n');
  });

  it('TypeScript: one line at Math.min(|) that swallows the paren; a block closes its brace once', () => {
    assert.equal(accept('const m = Math.min(|)\n', 'typescript', 'a, b)\nconst n = 1;\nconst o = 2;\nconst p = 3;\n'), 'const m = Math.min(a, b)\n');
    assert.equal(accept('function f(a: number) {|}\n', 'typescript', '\n  return a + 1;\n}\n\nfunction g() {}'), 'function f(a: number) {\n  return a + 1;\n}\n');
    assert.equal(accept('function f(a: number) {\n  |\n}\n', 'typescript', 'return a + 1;\n}\nfunction g() {}'), 'function f(a: number) {\n  return a + 1;\n}\n');
  });

  it('JavaScript: mid-line text is one line without the suffix; an item that breaks the syntax is trimmed', () => {
    assert.equal(accept('obj[|key] = value;\n', 'javascript', 'key] = value;'), null, 'the suffix repeated');
    assert.equal(accept('obj[|] = value;\n', 'javascript', 'name] = value;\nfoo();'), 'obj[name] = value;\n');
    assert.equal(accept('const x = |;\n', 'javascript', 'a +* b'), 'const x = a;\n');
    assert.equal(accept('if (a) {|\n', 'javascript', '\n  go();\n}\nnext();'), 'if (a) {\n  go();\n}\n');
  });

  it('asks the model for one line mid-line and at line ends, for blocks up to a blank line', () => {
    const stops = (marked: string) => stopsFor(shapeCompletion({ ...at(marked), languageId: 'python', completion: '' }).place);
    assert.deepEqual(stops('x = f(|a)\n'), { stopSequences: ['\n'] });
    assert.deepEqual(stops('x = |\n'), { stopSequences: ['\n'], stopSearchFrom: 1 });
    assert.deepEqual(stops('def f():|\n'), { stopSequences: ['\n\n'] });
  });
});
