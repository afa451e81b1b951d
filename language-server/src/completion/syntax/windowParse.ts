// Parses of a syntax window with a completion put at its cursor, incremental over the window's own parse: the window
// is parsed once (kept per parser while the window's text stays the same) and each candidate text is an edit of it.
import { Edit, type Parser, type Point, type Tree } from 'web-tree-sitter';

/** The part of the document that is parsed, split at the cursor (see parseCheck.ts's windowAround). */
export interface WindowText {
  before: string;
  after: string;
}

/** The last window parsed per parser (one per language): its source and tree. */
const bases = new Map<Parser, { source: string; tree: Tree }>();

/** `incremental: false` parses every candidate afresh (the baseline of `splice bench shape`). */
export const windowParseOptions = { incremental: true };

/** Drops the cached window trees (a benchmark starts each shaping as a new document version would). */
export function forgetBaseTrees(): void {
  for (const b of bases.values()) b.tree.delete();
  bases.clear();
}

/** Parses so far: full parses of a window, and incremental ones of a text put in it. */
export const parseCounts = { full: 0, incremental: 0 };

/** The window's own tree (parsed once while its text stays the same). Owned by the cache: do not delete it. */
export function baseTree(parser: Parser, win: WindowText): Tree | undefined {
  const source = win.before + win.after;
  const cached = bases.get(parser);
  if (cached?.source === source) return cached.tree;
  const tree = parser.parse(source);
  parseCounts.full++;
  cached?.tree.delete();
  if (!tree) {
    bases.delete(parser);
    return undefined;
  }
  bases.set(parser, { source, tree });
  return tree;
}

/** Row and column (UTF-16 units, as the parser counts them for JavaScript strings) of `index` in `text`. */
function pointAt(text: string, index: number): Point {
  let row = 0;
  let lineStart = 0;
  for (let i = text.indexOf('\n'); i >= 0 && i < index; i = text.indexOf('\n', i + 1)) {
    row++;
    lineStart = i + 1;
  }
  return { row, column: index - lineStart };
}

/** The point `text` ends at when it starts at `from`. */
function pointAfter(from: Point, text: string): Point {
  const nl = text.lastIndexOf('\n');
  if (nl < 0) return { row: from.row, column: from.column + text.length };
  let rows = 0;
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) rows++;
  return { row: from.row + rows, column: text.length - nl - 1 };
}

/**
 * The tree of the window with `text` in place of the `replaceSuffix` characters after the cursor: the window's tree,
 * edited, then reparsed (only what the edit touches is parsed again). The caller deletes it. Undefined if the parser
 * gave up.
 */
export function treeWithText(parser: Parser, win: WindowText, text: string, replaceSuffix: number): Tree | undefined {
  const base = baseTree(parser, win);
  const source = win.before + text + win.after.slice(replaceSuffix);
  if (!base || !windowParseOptions.incremental) {
    parseCounts.full++;
    return parser.parse(source) ?? undefined;
  }
  const old = win.before + win.after;
  const at = win.before.length;
  const startPosition = pointAt(old, at);
  const edited = base.copy();
  try {
    edited.edit(
      new Edit({
        startIndex: at,
        oldEndIndex: at + replaceSuffix,
        newEndIndex: at + text.length,
        startPosition,
        oldEndPosition: pointAfter(startPosition, win.after.slice(0, replaceSuffix)),
        newEndPosition: pointAfter(startPosition, text),
      }),
    );
    parseCounts.incremental++;
    return parser.parse(source, edited) ?? undefined;
  } finally {
    edited.delete();
  }
}
