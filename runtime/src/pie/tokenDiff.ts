// Turns character edits into token edits: re-tokenizes a line-aligned window around each change and diffs it.
import { SpliceError } from '../errors.js';
import type { SpliceTokenizer } from '../tokenizer/SpliceTokenizer.js';
import { byteOffset, TokenizedText } from '../tokenizer/TokenizedText.js';

/** A text edit in UTF-16 offsets of the text it applies to (LSP-style, with offsets already resolved). */
export interface TextEdit {
  start: number;
  end: number;
  text: string;
}

/** Old tokens [start, end) are replaced by `ids`. */
export interface TokenSpan {
  start: number;
  end: number;
  ids: number[];
}

export interface TokenDiff {
  next: TokenizedText;
  /** Sorted, non-overlapping, in the old token indices. */
  spans: TokenSpan[];
}

interface ByteEdit {
  start: number;
  end: number;
  delta: number;
}

/** Tokens at each window edge that must tokenize the same as before for the window to be trusted. */
const ANCHOR_TOKENS = 3;
/** Lines of unchanged text first taken on each side of an edit; doubled until the anchors hold. */
const FIRST_MARGIN_LINES = 2;

export function checkEdits(text: string, edits: readonly TextEdit[]): void {
  let last = 0;
  for (const e of edits) {
    if (!(Number.isInteger(e.start) && Number.isInteger(e.end) && last <= e.start && e.start <= e.end && e.end <= text.length)) {
      throw new SpliceError('input', `edits must be sorted, non-overlapping and inside the text (0..${text.length}); got [${e.start}, ${e.end})`);
    }
    last = e.end;
  }
}

export function applyTextEdits(text: string, edits: readonly TextEdit[]): string {
  let out = '';
  let at = 0;
  for (const e of edits) {
    out += text.slice(at, e.start) + e.text;
    at = e.end;
  }
  return out + text.slice(at);
}

/** Byte offset of the start of the line `lines` lines before byte b (0 at the top). */
function lineStartBefore(buf: Buffer, b: number, lines: number): number {
  let i = Math.min(b, buf.length);
  for (let n = 0; n <= lines && i > 0; ) {
    i--;
    if (buf[i] === 0x0a) n++;
    if (n > lines) return i + 1;
  }
  return i <= 0 ? 0 : i;
}

/** Byte offset just after the newline ending the `lines`-th line after byte b (the end of the text at most). */
function lineEndAfter(buf: Buffer, b: number, lines: number): number {
  let i = b;
  for (let n = 0; i < buf.length; i++) {
    if (buf[i] === 0x0a && ++n > lines) return i + 1;
  }
  return buf.length;
}

function sameIds(a: readonly number[], aFrom: number, b: readonly number[], bFrom: number, count: number): boolean {
  for (let k = 0; k < count; k++) if (a[aFrom + k] !== b[bFrom + k]) return false;
  return true;
}

/** Re-tokenizes one window holding edits[first..last]; undefined when its edge anchors do not hold. */
function diffWindow(tokenizer: SpliceTokenizer, old: TokenizedText, newBytes: Buffer, edits: ByteEdit[], first: number, last: number, margin: number, shift: number): TokenSpan | undefined {
  const editStart = edits[first]!.start;
  const editEnd = edits[last]!.end;
  const a = old.tokenAt(lineStartBefore(old.bytes, editStart, margin));
  const endToken = old.tokenAt(lineEndAfter(old.bytes, editEnd, margin));
  const b = endToken < old.length && old.starts[endToken]! < lineEndAfter(old.bytes, editEnd, margin) ? endToken + 1 : endToken;
  const ws = old.starts[a]!;
  const we = old.starts[b]!;
  let delta = 0;
  for (let k = first; k <= last; k++) delta += edits[k]!.delta;
  const window = newBytes.subarray(ws + shift, we + shift + delta).toString('utf8');
  const ids = tokenizer.encode(window);
  const head = Math.min(ANCHOR_TOKENS, ids.length);
  const headOk = a === 0 || (old.starts[a + head]! <= editStart && sameIds(ids, 0, old.ids, a, head));
  const tail = Math.min(ANCHOR_TOKENS, ids.length);
  const tailOk = b === old.length || (old.starts[b - tail]! >= editEnd && sameIds(ids, ids.length - tail, old.ids, b - tail, tail));
  if (!headOk || !tailOk) return undefined;
  let p = 0;
  while (p < ids.length && a + p < b && ids[p] === old.ids[a + p]) p++;
  let s = 0;
  while (s < ids.length - p && s < b - a - p && ids[ids.length - 1 - s] === old.ids[b - 1 - s]) s++;
  return { start: a + p, end: b - s, ids: ids.slice(p, ids.length - s) };
}

/**
 * Token-level form of `edits` (sorted, non-overlapping, in old-text UTF-16 offsets). Each edit is re-tokenized in a
 * window of whole lines around it; the window is widened until the tokens at its edges match the old ones, which
 * shows the tokenizer's boundaries there did not move. Edits whose windows overlap are diffed together.
 */
export function diffTokens(tokenizer: SpliceTokenizer, old: TokenizedText, edits: readonly TextEdit[]): TokenDiff {
  checkEdits(old.text, edits);
  const newText = applyTextEdits(old.text, edits);
  const newBytes = Buffer.from(newText, 'utf8');
  const byteEdits = edits.map((e) => {
    const start = byteOffset(old.text, e.start);
    const end = start + Buffer.byteLength(old.text.slice(e.start, e.end), 'utf8');
    return { start, end, delta: Buffer.byteLength(e.text, 'utf8') - (end - start) };
  });
  const groups: { first: number; shift: number; span: TokenSpan }[] = [];
  for (let first = 0, shift = 0; first < byteEdits.length; ) {
    let last = first;
    let margin = FIRST_MARGIN_LINES;
    for (;;) {
      // Take in following edits whose windows would overlap this one.
      while (last + 1 < byteEdits.length && lineEndAfter(old.bytes, byteEdits[last]!.end, margin) >= lineStartBefore(old.bytes, byteEdits[last + 1]!.start, margin)) last++;
      const span = diffWindow(tokenizer, old, newBytes, byteEdits, first, last, margin, shift);
      const prev = groups[groups.length - 1];
      if (span && prev && prev.span.end > span.start) {
        // A wider window reached into the previous group's tokens: diff both groups as one.
        groups.pop();
        ({ first, shift } = prev);
        continue;
      }
      if (span) {
        groups.push({ first, shift, span });
        break;
      }
      if (margin > old.bytes.length) throw new SpliceError('inference', 'token diff did not converge');
      margin *= 2;
    }
    for (let k = first; k <= last; k++) shift += byteEdits[k]!.delta;
    first = last + 1;
  }
  const spans = groups.map((g) => g.span).filter((sp) => sp.start !== sp.end || sp.ids.length > 0);
  const ids: number[] = [];
  let at = 0;
  for (const sp of spans) {
    ids.push(...old.ids.slice(at, sp.start), ...sp.ids);
    at = sp.end;
  }
  ids.push(...old.ids.slice(at));
  return { next: TokenizedText.of(tokenizer, newText, ids), spans };
}
