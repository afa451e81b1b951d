// Syntax checks with a tree-sitter parser: does a completion parse in place (no new ERROR or MISSING nodes around the
// cursor), and where does the block the cursor opens end.
import type { Node, Parser, Tree } from 'web-tree-sitter';
import { reservedNames } from './reservedWords.js';
import { baseTree, treeWithText } from './windowParse.js';

/** The document around the cursor that is parsed: whole lines, starting at a top-level line where one is near. */
export interface SyntaxWindow {
  before: string;
  after: string;
  /** The window ends before the document does (a block still open at its end is closed further down). */
  cut?: boolean;
}

const LINES_BEFORE = 60;
const LINES_AFTER = 20;
const SEARCH_TOP_LEVEL = 80;
const TOP_LEVEL = /^[A-Za-z_@#/]/;

/** A line that starts a top-level statement: the window may end before it. */
const TOP_LEVEL_END = /^[A-Za-z_@#]/;

/** The end of the line after the one ending at `end` (the text's end where there is none). */
const lineEndAfter = (text: string, end: number) => {
  const nl = text.indexOf('\n', end + 1);
  return nl < 0 ? text.length : nl;
};

/** Start of the line before the one starting at `lineStart`. */
const previousLineStart = (text: string, lineStart: number) => text.lastIndexOf('\n', lineStart - 2) + 1;

export function windowAround(text: string, offset: number, replaceSuffix = 0): SyntaxWindow {
  let start = text.lastIndexOf('\n', offset - 1) + 1;
  for (let n = 0; n < LINES_BEFORE && start > 0; n++) start = previousLineStart(text, start);
  // Further back to a line that starts at column 0 with a word (a top-level statement), so that the window does not
  // start inside an indented body.
  let s = start;
  for (let n = 0; n < SEARCH_TOP_LEVEL && s > 0 && !TOP_LEVEL.test(text[s] ?? ''); n++) s = previousLineStart(text, s);
  if (s === 0 || TOP_LEVEL.test(text[s] ?? '')) start = s;
  let end = offset + replaceSuffix;
  for (let n = 0; n <= LINES_AFTER && end < text.length; n++) end = lineEndAfter(text, end);
  // On to the end of the construct the window is in: up to a line that starts at column 0 with a word (the next
  // top-level statement), so that the window does not end inside a body or a block comment.
  for (let n = 0; n < SEARCH_TOP_LEVEL && end < text.length && !TOP_LEVEL_END.test(text.slice(end + 1, end + 2)); n++) end = lineEndAfter(text, end);
  return { before: text.slice(start, offset), after: text.slice(offset, end), cut: end < text.length };
}

/** An ERROR node (its extent) or a MISSING node (zero width). */
export interface SyntaxError {
  start: number;
  end: number;
  missing: boolean;
}

/** ERROR and MISSING nodes in the tree (an ERROR's children are not listed apart). */
export function syntaxErrors(tree: Tree): SyntaxError[] {
  const out: SyntaxError[] = [];
  const visit = (node: Node) => {
    if (node.isError || node.isMissing) {
      out.push({ start: node.startIndex, end: node.endIndex, missing: node.isMissing });
      return;
    }
    if (!node.hasError) return;
    for (const child of node.children) if (child) visit(child);
  };
  if (tree.rootNode.hasError) visit(tree.rootNode);
  return out;
}

export function parseErrors(parser: Parser, source: string): SyntaxError[] {
  const tree = parser.parse(source);
  if (!tree) return [{ start: 0, end: source.length, missing: false }];
  try {
    return syntaxErrors(tree);
  } finally {
    tree.delete();
  }
}

/**
 * The errors of the window with `text` put at the cursor (in place of `replaceSuffix` characters; the window itself
 * for an empty text), parsed incrementally over the window's own tree; reserved words the grammar took for names in
 * `text` count as errors (reservedWords.ts). Where the window ends before the document, the
 * closers the parser finds missing at its very end are left out: the document closes those blocks below the window.
 */
export function windowErrors(parser: Parser, win: SyntaxWindow, text = '', replaceSuffix = 0): SyntaxError[] {
  const source = win.before + text + win.after.slice(replaceSuffix);
  const tree = text === '' && replaceSuffix === 0 ? baseTree(parser, win) : treeWithText(parser, win, text, replaceSuffix);
  if (!tree) return [{ start: 0, end: source.length, missing: false }];
  let errors: SyntaxError[];
  try {
    errors = [...syntaxErrors(tree), ...reservedNames(tree, win.before.length, win.before.length + text.length)];
  } finally {
    if (text !== '' || replaceSuffix !== 0) tree.delete();
  }
  if (!win.cut) return errors;
  const end = source.trimEnd().length;
  return errors.filter((e) => !(e.missing && e.start >= end));
}

export function countErrors(parser: Parser, source: string): number {
  return parseErrors(parser, source).length;
}

/** Characters under ERROR nodes, plus one per MISSING node. */
const errorChars = (errors: SyntaxError[]) => errors.reduce((n, e) => n + (e.missing ? 1 : e.end - e.start), 0);

/**
 * Whether text inserted at [start, end) parses in place: no ERROR or MISSING node inside it, and no more errors, nor
 * (unless `relaxed`: the document is broken around the cursor, and an error there grows with any text put in it) more
 * characters under errors, than the document had without it.
 */
export function addsNoErrors(base: SyntaxError[], errors: SyntaxError[], start: number, end: number, relaxed = false): boolean {
  if (errors.some((e) => (e.missing ? e.start > start && e.start <= end : e.start >= start && e.end <= end))) return false;
  return errors.length <= base.length && (relaxed || errorChars(errors) <= errorChars(base));
}

/** Whether an error of the window's own parse spans the cursor and reaches past the cursor's line. */
export function brokenAcrossCursor(win: SyntaxWindow, base: SyntaxError[]): boolean {
  const cursor = win.before.length;
  const lineStart = win.before.lastIndexOf('\n') + 1;
  const nl = win.after.indexOf('\n');
  const lineEndAt = cursor + (nl < 0 ? win.after.length : nl);
  return base.some((e) => e.start <= cursor && e.end >= cursor && (e.start < lineStart || e.end > lineEndAt));
}

/**
 * Whether `text`, put at the cursor in place of the next `replaceSuffix` characters, adds a syntax error: an ERROR or
 * MISSING node inside it, more error nodes than the window had, or (unless the window is broken across the cursor,
 * where any text grows the error) more characters under errors. The judgement `trimToParse` makes.
 */
export function addsErrorsInPlace(parser: Parser, win: SyntaxWindow, text: string, replaceSuffix: number): boolean {
  const base = windowErrors(parser, win);
  const errors = windowErrors(parser, win, text, replaceSuffix);
  return !addsNoErrors(base, errors, win.before.length, win.before.length + text.length, brokenAcrossCursor(win, base));
}

/** Places where a text may be cut back to: line ends and token ends, longest first. */
export function cutPoints(text: string): number[] {
  const points = new Set<number>([text.length]);
  for (let i = text.length - 1; i > 0; i--) {
    const a = text[i - 1]!;
    const b = text[i]!;
    if (/\s/.test(a)) continue;
    if (b === '\n' || /\w/.test(a) !== /\w/.test(b) || !/\w/.test(a)) points.add(i);
  }
  return [...points].sort((x, y) => y - x);
}

export interface ParseFit {
  /** The longest candidate that parses in place, or undefined. */
  text?: string;
  parses: number;
  /** The window had errors across the cursor's line: the text was judged only loosely (errors inside it, their count). */
  loose?: boolean;
  /** With the text the window parses without errors, or with fewer than it had (it completes what the window lacked). */
  fits?: boolean;
}

/**
 * The longest cut of `text` that, put in place (replacing `fit(cut).replaceSuffix` characters after the cursor), adds no
 * ERROR or MISSING node to the window's parse (the window may have its own errors: the count must not grow). Tries at
 * most `budget` parses; the empty text is never a candidate.
 */
export function trimToParse(
  parser: Parser,
  win: SyntaxWindow,
  text: string,
  fit: (cut: string) => { text: string; replaceSuffix: number },
  budget = 24,
): ParseFit {
  const base = windowErrors(parser, win);
  let parses = 1;
  const parsed = new Map<string, SyntaxError[]>();
  let relaxed = false;
  const fitting = new Set<string>();
  const passes = (p: number): string | undefined => {
    const cand = fit(text.slice(0, p).trimEnd());
    const key = `${cand.text}\u0000${cand.replaceSuffix}`;
    if (cand.text.trim() === '') return undefined;
    let errors = parsed.get(key);
    if (!errors) {
      if (parses >= budget) return undefined;
      parses++;
      errors = windowErrors(parser, win, cand.text, cand.replaceSuffix);
      parsed.set(key, errors);
    }
    if (!addsNoErrors(base, errors, win.before.length, win.before.length + cand.text.length, relaxed)) return undefined;
    if (errors.length === 0 || errors.length < base.length) fitting.add(cand.text);
    return cand.text;
  };
  const search = (): string | undefined => {
    // Whole lines first (a multi-line text is cut at a line end), then token ends inside the line after the longest
    // passing whole-line cut.
    const points = cutPoints(text);
    const lineEnds = points.filter((p) => p === text.length || text[p] === '\n');
    let floor = 0;
    for (const p of lineEnds) {
      const ok = passes(p);
      if (ok !== undefined && p === text.length) return ok;
      if (ok !== undefined) {
        floor = p;
        break;
      }
    }
    const lineEnd = lineEnds.find((p) => p > floor) ?? text.length;
    for (const p of points) {
      if (p <= floor || p >= lineEnd || lineEnds.includes(p)) continue;
      const ok = passes(p);
      if (ok !== undefined) return ok;
    }
    return floor > 0 ? fit(text.slice(0, floor).trimEnd()).text : undefined;
  };
  const strict = search();
  if (strict !== undefined) return { text: strict, parses, fits: fitting.has(strict) };
  // The document is broken around the cursor beyond its line: an error there grows with any text, so the text is
  // judged by the errors it adds inside itself and their number.
  if (!brokenAcrossCursor(win, base)) return { text: undefined, parses };
  relaxed = true;
  const loose = search();
  return { text: loose, parses, loose: true };
}

const BLOCK_TYPES = new Set(['block', 'statement_block', 'class_body', 'switch_body', 'object', 'object_type', 'interface_body', 'enum_body']);

/**
 * Where the block the text starts in ends inside `text` (put in place in the window): the length of `text` up to the
 * end of the line the block ends on; undefined when the block goes on past the text or none is found. Tree-sitter's
 * indices count UTF-16 code units, as JavaScript strings do.
 */
export function blockEndInText(parser: Parser, win: SyntaxWindow, text: string, replaceSuffix: number): number | undefined {
  const first = text.search(/\S/);
  if (first < 0) return undefined;
  const tree = treeWithText(parser, win, text, replaceSuffix);
  if (!tree) return undefined;
  try {
    const at = win.before.length + first;
    let node: Node | null = tree.rootNode.descendantForIndex(at, at);
    while (node && !BLOCK_TYPES.has(node.type)) node = node.parent;
    if (!node || node.hasError) return undefined;
    const end = node.endIndex - win.before.length;
    if (end <= first || end >= text.length) return undefined;
    const nl = text.indexOf('\n', end);
    return nl < 0 ? undefined : nl;
  } finally {
    tree.delete();
  }
}
