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

/**
 * Pairs old tokens with window tokens that have the same id at the same place (old byte offsets mapped through the
 * edits); the unpaired runs between pairs are the spans. A token that overlaps an edit is never paired.
 */
function alignSpans(old: TokenizedText, a: number, b: number, ids: readonly number[], lengths: Int32Array, newStart: number, edits: readonly ByteEdit[], shift: number): TokenSpan[] {
  const mapped = (i: number): number | undefined => {
    const o0 = old.starts[i]!;
    const o1 = old.starts[i + 1]!;
    let d = shift;
    for (const e of edits) {
      if (o0 < e.end && o1 > e.start) return undefined; // overlaps replaced text
      if (e.start === e.end && o0 < e.start && e.start < o1) return undefined; // insertion inside the token
      if (e.end <= o0) d += e.delta;
    }
    return o0 + d;
  };
  const spans: TokenSpan[] = [];
  let open: TokenSpan | undefined;
  const change = (oldIndex: number, id?: number) => {
    open ??= { start: oldIndex, end: oldIndex, ids: [] };
    if (id === undefined) open.end = oldIndex + 1;
    else open.ids.push(id);
  };
  let i = a;
  let k = 0;
  let at = newStart;
  while (i < b || k < ids.length) {
    const m = i < b ? mapped(i) : undefined;
    if (i < b && k < ids.length && m === at && ids[k] === old.ids[i]) {
      if (open) spans.push(open);
      open = undefined;
      at += lengths[ids[k++]!]!;
      i++;
    } else if (i < b && (k >= ids.length || m === undefined || m < at)) {
      change(i++);
    } else {
      change(i, ids[k]!);
      at += lengths[ids[k++]!]!;
    }
  }
  if (open) spans.push(open);
  return spans;
}

/** Re-tokenizes one window holding edits[first..last]; undefined when its edge anchors do not hold. */
function diffWindow(tokenizer: SpliceTokenizer, old: TokenizedText, newBytes: Buffer, edits: ByteEdit[], first: number, last: number, margin: number, shift: number): TokenSpan[] | undefined {
  const editStart = edits[first]!.start;
  const editEnd = edits[last]!.end;
  const a = old.tokenAt(lineStartBefore(old.bytes, editStart, margin));
  const endByte = lineEndAfter(old.bytes, editEnd, margin);
  const endToken = old.tokenAt(endByte);
  const b = endToken < old.length && old.starts[endToken]! < endByte ? endToken + 1 : endToken;
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
  return alignSpans(old, a, b, ids, tokenizer.tokenByteLengths()!, ws + shift, edits.slice(first, last + 1), shift);
}

function lastSpan(groups: readonly { spans: TokenSpan[] }[]): { group: number; span: TokenSpan } | undefined {
  for (let g = groups.length - 1; g >= 0; g--) {
    const span = groups[g]!.spans.at(-1);
    if (span) return { group: g, span };
  }
  return undefined;
}

/**
 * Token-level form of `edits` (sorted, non-overlapping, in old-text UTF-16 offsets). Each edit is re-tokenized in a
 * window of whole lines around it; the window is widened until the tokens at its edges match the old ones, which
 * shows the tokenizer's boundaries there did not move. Edits whose windows overlap are diffed together, and within
 * a window tokens are paired by place, so each edit still gets its own span.
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
  const groups: { first: number; shift: number; spans: TokenSpan[] }[] = [];
  for (let first = 0, shift = 0; first < byteEdits.length; ) {
    let last = first;
    let margin = FIRST_MARGIN_LINES;
    for (;;) {
      // Take in following edits whose windows would overlap this one.
      while (last + 1 < byteEdits.length && lineEndAfter(old.bytes, byteEdits[last]!.end, margin) >= lineStartBefore(old.bytes, byteEdits[last + 1]!.start, margin)) last++;
      const spans = diffWindow(tokenizer, old, newBytes, byteEdits, first, last, margin, shift);
      const prev = lastSpan(groups);
      if (spans?.length && prev && prev.span.end > spans[0]!.start) {
        // A wider window reached into an earlier group's tokens: diff them as one group.
        ({ first, shift } = groups[prev.group]!);
        groups.length = prev.group;
        continue;
      }
      if (spans) {
        groups.push({ first, shift, spans });
        break;
      }
      if (margin > old.bytes.length) throw new SpliceError('inference', 'token diff did not converge');
      margin *= 2;
    }
    for (let k = first; k <= last; k++) shift += byteEdits[k]!.delta;
    first = last + 1;
  }
  const spans = groups.flatMap((g) => g.spans);
  const ids: number[] = [];
  let at = 0;
  for (const sp of spans) {
    ids.push(...old.ids.slice(at, sp.start), ...sp.ids);
    at = sp.end;
  }
  ids.push(...old.ids.slice(at));
  return { next: TokenizedText.of(tokenizer, newText, ids), spans };
}
