// The edits that turn one text into another (a burst of editor changes becomes one sorted, non-overlapping list).
import diff from 'fast-diff';
import type { TextEdit } from './tokenDiff.js';

const isHigh = (c: number) => c >= 0xd800 && c < 0xdc00;

/** Minimal character edits from `before` to `after`, with no edit boundary inside a surrogate pair. */
export function editsBetween(before: string, after: string): TextEdit[] {
  if (before === after) return [];
  const edits: TextEdit[] = [];
  let at = 0;
  for (const [op, text] of diff(before, after)) {
    if (op === diff.EQUAL) {
      at += text.length;
      continue;
    }
    const last = edits[edits.length - 1];
    const edit = last && last.end === at ? last : { start: at, end: at, text: '' };
    if (edit !== last) edits.push(edit);
    if (op === diff.DELETE) {
      edit.end += text.length;
      at += text.length;
    } else edit.text += text;
  }
  for (const e of edits) {
    // Keep a surrogate pair whole: widen the edit over the high half it would split.
    if (e.start > 0 && isHigh(before.charCodeAt(e.start - 1)) && !isHigh(before.charCodeAt(e.start))) {
      e.text = before[e.start - 1] + e.text;
      e.start--;
    }
    if (e.end > 0 && e.end < before.length && isHigh(before.charCodeAt(e.end - 1))) {
      e.text += before[e.end];
      e.end++;
    }
  }
  return edits;
}
