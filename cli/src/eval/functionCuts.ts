// Documented functions of at most 50 lines in real code, as cuts: the body after the docstring / signature removed.
import ts from 'typescript5';

export interface FunctionCut {
  /** 1-based line of the `def` / declaration. */
  line: number;
  /** The body: text[start, end) is whole lines, from the line after the docstring (Python) or the `{` line (TS/JS). */
  start: number;
  end: number;
  /** The indentation of the declaration (the body is indented deeper). */
  indent: string;
}

export const MAX_FUNCTION_LINES = 50;

const indentOf = (line: string) => /^[ \t]*/.exec(line)![0];

/** Offsets of each line's start. */
function lineStarts(text: string): number[] {
  const out = [0];
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) out.push(i + 1);
  return out;
}

/** Python `def`s whose first statement is a docstring; the body is what follows the docstring. */
export function pythonFunctionCuts(text: string): FunctionCut[] {
  const lines = text.split('\n');
  const starts = lineStarts(text);
  const out: FunctionCut[] = [];
  for (let i = 0; i < lines.length; i++) {
    const m = /^([ \t]*)(?:async[ \t]+)?def[ \t]+\w+[ \t]*\(/.exec(lines[i]!);
    if (!m) continue;
    const indent = m[1]!;
    let sig = i;
    while (sig < lines.length && sig < i + 8 && !/:\s*(#.*)?$/.test(lines[sig]!)) sig++;
    const doc = sig + 1;
    const q = /^[ \t]*[rRuU]?("""|''')/.exec(lines[doc] ?? '');
    if (!q || indentOf(lines[doc]!).length <= indent.length) continue;
    let docEnd = doc;
    const rest = lines[doc]!.slice(lines[doc]!.indexOf(q[1]!) + 3);
    if (!rest.includes(q[1]!)) {
      docEnd++;
      while (docEnd < lines.length && !lines[docEnd]!.includes(q[1]!)) docEnd++;
    }
    let end = docEnd + 1;
    let last = docEnd;
    while (end < lines.length && (lines[end]!.trim() === '' || indentOf(lines[end]!).length > indent.length)) {
      if (lines[end]!.trim() !== '') last = end;
      end++;
    }
    if (last === docEnd || last - i + 1 > MAX_FUNCTION_LINES || last + 1 >= starts.length) continue;
    out.push({ line: i + 1, start: starts[docEnd + 1]!, end: starts[last + 1]!, indent });
  }
  return out;
}

/** TS/JS functions and methods with a JSDoc comment and a block body; the body is the lines between `{` and `}`. */
export function scriptFunctionCuts(text: string, language: string): FunctionCut[] {
  const kind = language === 'typescript' ? ts.ScriptKind.TS : ts.ScriptKind.JS;
  const sf = ts.createSourceFile('x', text, ts.ScriptTarget.Latest, true, kind);
  const starts = lineStarts(text);
  const out: FunctionCut[] = [];
  const visit = (node: ts.Node) => {
    if ((ts.isFunctionDeclaration(node) || ts.isMethodDeclaration(node)) && node.body && ts.getJSDocCommentsAndTags(node).length > 0) {
      const open = sf.getLineAndCharacterOfPosition(node.body.getStart(sf)).line;
      const close = sf.getLineAndCharacterOfPosition(node.body.getEnd()).line;
      const decl = sf.getLineAndCharacterOfPosition(node.getStart(sf)).line;
      const body = text.slice(starts[open + 1] ?? text.length, starts[close] ?? text.length);
      if (close - open >= 2 && close - decl + 1 <= MAX_FUNCTION_LINES && body.trim() !== '' && /^\s*\}$/.test(text.slice(starts[close]!, node.body.getEnd())) && /\{\s*$/.test(text.slice(starts[open]!, starts[open + 1]! - 1))) {
        out.push({ line: decl + 1, start: starts[open + 1]!, end: starts[close]!, indent: indentOf(text.slice(starts[decl]!)) });
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return out;
}

/** The cuts, each starting after its first body line's indentation (where an editor puts the cursor after Enter). */
export function functionCuts(text: string, language: string): FunctionCut[] {
  const cuts = language === 'python' ? pythonFunctionCuts(text) : scriptFunctionCuts(text, language);
  return cuts.map((c) => ({ ...c, start: c.start + indentOf(text.slice(c.start, c.end)).length }));
}
