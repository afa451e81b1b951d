// Reserved words that a grammar parses as names: tree-sitter's JavaScript and TypeScript grammars accept `x = for` and
// `return new` without an error (a keyword lexes as an identifier), so those names count as syntax errors here.
import { Query, type Language, type Tree } from 'web-tree-sitter';
import type { GrammarName } from './grammars.js';

/** Words never valid as a JavaScript/TypeScript variable name (contextual keywords such as `let`, `of`, `type` left out). */
const JS_RESERVED = [
  'break', 'case', 'catch', 'class', 'const', 'continue', 'debugger', 'default', 'delete', 'do', 'else', 'enum', 'export',
  'extends', 'finally', 'for', 'function', 'if', 'import', 'in', 'instanceof', 'new', 'return', 'switch', 'throw', 'try',
  'typeof', 'var', 'void', 'while', 'with',
];

const RESERVED: Partial<Record<GrammarName, readonly string[]>> = { javascript: JS_RESERVED, typescript: JS_RESERVED, tsx: JS_RESERVED };

const checks = new WeakMap<Language, { query: Query; words: ReadonlySet<string> }>();

/** Makes the grammar's names checked for reserved words (grammars.ts calls this once per loaded language). */
export function registerReservedWords(language: Language, name: GrammarName): void {
  const words = RESERVED[name];
  if (words) checks.set(language, { query: new Query(language, '(identifier) @name'), words: new Set(words) });
}

/** The names in [start, end) of the tree that are reserved words, as error extents. */
export function reservedNames(tree: Tree, start: number, end: number): { start: number; end: number; missing: false }[] {
  const check = checks.get(tree.language);
  if (!check || end <= start) return [];
  // On the smallest node that covers the range (the query's own range options count bytes, not the indices nodes give).
  return check.query
    .captures(tree.rootNode.descendantForIndex(start, end - 1) ?? tree.rootNode)
    .filter((c) => c.node.startIndex >= start && c.node.endIndex <= end && check.words.has(c.node.text))
    .map((c) => ({ start: c.node.startIndex, end: c.node.endIndex, missing: false as const }));
}
