// Builds mid-token FIM tasks from real code: cursors strictly inside a word, or right after a line's indentation.
import { seededRandom } from '../../../runtime/src/index.js';
import type { SourceFile } from '../codeCorpus.js';

/** A cursor in real code; the document is `prefix + middle + suffix` and the model writes `middle`. */
export interface MidTokenTask {
  id: string;
  language: string;
  /** Up to max-chars characters before the cursor, cut at a line start. */
  prefix: string;
  /** After the middle: the newline that ends the cursor's line and what follows, cut at a line end. */
  suffix: string;
  /** The rest of the cursor's line, without its newline. */
  middle: string;
}

export type CutKind = 'word' | 'indent';

/** Lines longer than this look generated or minified: no cursor goes on them. */
export const MAX_LINE_CHARS = 160;
/** A file with a line this long is a bundle or generated data: skipped whole. */
const MAX_FILE_LINE_CHARS = 1000;
/** Every fifth task is an indentation cut (20%), the others mid-word cuts. */
const INDENT_EVERY = 5;

const WORD = /^[A-Za-z0-9_]$/;
export const isWordChar = (c: string | undefined): boolean => c !== undefined && WORD.test(c);

const pick = (r: () => number, n: number) => Math.floor(r() * n);

/** Columns strictly inside a word: the characters before and after are both word characters. */
export function wordCuts(line: string): number[] {
  const cuts: number[] = [];
  for (let c = 1; c < line.length; c++) if (isWordChar(line[c - 1]) && isWordChar(line[c])) cuts.push(c);
  return cuts;
}

/** The column right after the leading whitespace of an indented, non-blank line (none otherwise). */
export function indentCuts(line: string): number[] {
  const indent = line.length - line.trimStart().length;
  return indent > 0 && line.trim() !== '' ? [indent] : [];
}

function usableFile(f: SourceFile): boolean {
  return !f.text.includes('\r') && f.text.split('\n').every((l) => l.length <= MAX_FILE_LINE_CHARS);
}

/** The last `max` characters before `end`, from a line start when cut. */
function prefixBefore(text: string, end: number, max: number): string {
  if (end <= max) return text.slice(0, end);
  const s = text.slice(end - max, end);
  const nl = s.indexOf('\n');
  return nl >= 0 ? s.slice(nl + 1) : s;
}

/** The first `max` characters from `start`, through the last whole line's newline when cut. */
function suffixFrom(text: string, start: number, max: number): string {
  const s = text.slice(start, start + max);
  if (start + max >= text.length) return s;
  const nl = s.lastIndexOf('\n');
  return nl > 0 ? s.slice(0, nl + 1) : s;
}

function taskAt(file: SourceFile, lineStart: number, line: string, col: number, maxChars: number): Omit<MidTokenTask, 'id'> {
  const cursor = lineStart + col;
  const lineEnd = lineStart + line.length;
  return { language: file.language, prefix: prefixBefore(file.text, cursor, maxChars), suffix: suffixFrom(file.text, lineEnd, maxChars), middle: line.slice(col) };
}

/** Up to `count` tasks, four mid-word cuts to one indentation cut; deterministic for a seed and a file list. */
export function makeFimTasks(files: SourceFile[], count: number, seed: number, maxChars: number): MidTokenTask[] {
  const r = seededRandom(seed);
  const order = files.filter(usableFile).map((f) => ({ f, key: r() })).sort((a, b) => a.key - b.key).map((x) => x.f);
  const tasks: MidTokenTask[] = [];
  const seen = new Set<string>();
  for (let attempt = 0; tasks.length < count && attempt < count * 50 && order.length > 0; attempt++) {
    const file = order[attempt % order.length]!;
    const kind: CutKind = tasks.length % INDENT_EVERY === INDENT_EVERY - 1 ? 'indent' : 'word';
    const lines = file.text.split('\n');
    const li = pick(r, lines.length);
    const line = lines[li]!;
    if (line.length > MAX_LINE_CHARS) continue;
    const cuts = kind === 'word' ? wordCuts(line) : indentCuts(line);
    if (cuts.length === 0) continue;
    const col = cuts[pick(r, cuts.length)]!;
    const id = `${file.path.split('/').slice(-2).join('/')}:${li + 1}:${col}:${kind}`;
    if (seen.has(id) || line.slice(col).trim() === '') continue;
    seen.add(id);
    const lineStart = lines.slice(0, li).reduce((n, l) => n + l.length + 1, 0);
    tasks.push({ id, ...taskAt(file, lineStart, line, col, maxChars) });
  }
  return tasks;
}
