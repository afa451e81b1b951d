// Builds PIE tasks from real code the way the paper does: user edits above a cursor whose next line is the answer.
// The edited text is always the real file; `before` is it with the edit undone (lines removed or extra lines added).
import { seededRandom, type TextEdit } from '../../../runtime/src/index.js';
import type { SourceFile } from '../codeCorpus.js';

export interface PieTask {
  id: string;
  language: string;
  before: string;
  edits: TextEdit[];
  cursor: number;
  expected: string;
}

export type EditKind = 'insertion' | 'deletion' | 'multi';
const KINDS: EditKind[] = ['insertion', 'deletion', 'multi'];

const pick = (r: () => number, n: number) => Math.floor(r() * n);

/** One place in the context changed by the user: `lines` inserted at line `at` of the edited text, or removed there. */
interface LineEdit {
  at: number;
  lines: string[];
  kind: 'insertion' | 'deletion';
}

/**
 * Undoes line edits on the edited context to get `before`, and records the edits that redo them, as character
 * offsets in `before`, sorted and non-overlapping.
 */
function undo(afterLines: string[], edits: LineEdit[]): { before: string; edits: TextEdit[] } {
  const byLine = new Map(edits.map((e) => [e.at, e]));
  let before = '';
  const out: TextEdit[] = [];
  for (let i = 0; i <= afterLines.length; ) {
    const e = byLine.get(i);
    if (e?.kind === 'insertion') {
      // the user inserted afterLines[i, i+n): before lacks them
      out.push({ start: before.length, end: before.length, text: e.lines.join('') });
      i += e.lines.length;
      continue;
    }
    if (e?.kind === 'deletion') {
      // the user deleted e.lines here: before still has them
      const start = before.length;
      before += e.lines.join('');
      out.push({ start, end: before.length, text: '' });
    }
    if (i < afterLines.length) before += afterLines[i]!;
    i++;
  }
  return { before, edits: out };
}

function planEdits(r: () => number, kind: EditKind, afterLines: string[], donor: string[]): LineEdit[] {
  const places = kind === 'multi' ? 2 + pick(r, 2) : 1;
  const taken = new Set<number>();
  const edits: LineEdit[] = [];
  for (let p = 0; p < places; p++) {
    const k = kind === 'multi' ? (r() < 0.5 ? 'insertion' : 'deletion') : kind;
    const n = 1 + pick(r, 3);
    const at = pick(r, Math.max(1, afterLines.length - n));
    if ([...Array(n + 2).keys()].some((d) => taken.has(at - 1 + d))) continue;
    if (k === 'insertion') {
      edits.push({ at, lines: afterLines.slice(at, at + n), kind: k });
    } else {
      const from = pick(r, Math.max(1, donor.length - n));
      edits.push({ at, lines: donor.slice(from, from + n), kind: k });
    }
    for (let d = 0; d < n + 1; d++) taken.add(at + d);
  }
  return edits.filter((e) => e.lines.length > 0 && e.lines.some((l) => l.trim() !== ''));
}

/** Up to `count` tasks, cycling insertion, deletion and multi-place edits; contexts end at a line start. */
export function makePieTasks(files: SourceFile[], count: number, seed: number, maxContextChars: number): PieTask[] {
  const r = seededRandom(seed);
  const order = files.map((f) => ({ f, key: r() })).sort((a, b) => a.key - b.key).map((x) => x.f);
  const tasks: PieTask[] = [];
  for (let attempt = 0; tasks.length < count && attempt < count * 20 && order.length > 0; attempt++) {
    const file = order[attempt % order.length]!;
    const lines = file.text.split(/(?<=\n)/);
    if (lines.length < 30) continue;
    const cursorLine = 20 + pick(r, lines.length - 20);
    const expected = lines[cursorLine]!.replace(/\r?\n$/, '');
    if (expected.trim() === '' || expected.length > 160) continue;
    let first = cursorLine;
    let chars = 0;
    while (first > 0 && chars + lines[first - 1]!.length <= maxContextChars) chars += lines[--first]!.length;
    const afterLines = lines.slice(first, cursorLine);
    if (afterLines.length < 10) continue;
    const kind = KINDS[tasks.length % KINDS.length]!;
    const edits = planEdits(r, kind, afterLines, lines);
    if (edits.length === 0) continue;
    const task = undo(afterLines, edits);
    tasks.push({ id: `${file.path.split('/').slice(-2).join('/')}:${cursorLine + 1}:${kind}`, language: file.language, before: task.before, edits: task.edits, cursor: afterLines.join('').length, expected });
  }
  return tasks;
}
