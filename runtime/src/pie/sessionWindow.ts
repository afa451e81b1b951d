// Which tokens of a document a session caches (its window), and how edits and cursor moves carry the window along.
import type { TokenSpan } from './tokenDiff.js';

/** Document tokens [start, end) held by a session's cache (after its leading ids). */
export interface TokenWindow {
  start: number;
  end: number;
}

/** Share of the window kept before the focus (the cursor) when the window is placed. */
export const FOCUS_SHARE = 0.75;
/** A window is moved once fewer tokens than this share of it lie before the focus (unless it starts the document). */
export const MIN_PREFIX_SHARE = 0.5;
/** …or fewer than this many lie after the focus (unless it ends the document). */
export const MIN_AHEAD_TOKENS = 32;
/** A window is placed (or trimmed) to its limit less a slack (this, or an eighth of the limit), so typing grows it for a while. */
export const TRIM_SLACK_TOKENS = 128;

function slack(limit: number): number {
  return Math.min(TRIM_SLACK_TOKENS, Math.floor(limit / 8));
}

export function windowLength(w: TokenWindow): number {
  return w.end - w.start;
}

/** The window of at most `limit` tokens for a document of `total` tokens, with the focus token at FOCUS_SHARE. */
export function placeWindow(total: number, limit: number, focus: number): TokenWindow {
  if (total <= limit) return { start: 0, end: total };
  const start = Math.max(0, Math.min(total - limit, focus - Math.round(FOCUS_SHARE * limit)));
  return { start, end: start + limit };
}

/** True when `w` can serve a completion at `focus` without moving (and is within its limit). */
export function windowServes(w: TokenWindow, total: number, limit: number, focus: number): boolean {
  if (windowLength(w) > limit) return false;
  if (focus < w.start || focus > w.end) return false;
  const prefixOk = w.start === 0 || focus - w.start >= MIN_PREFIX_SHARE * limit;
  const aheadOk = w.end === total || w.end - focus >= Math.min(MIN_AHEAD_TOKENS, limit);
  return prefixOk && aheadOk;
}

/**
 * Where the window should be for `focus`: `w` itself when it serves; a window grown past the limit but still serving
 * is trimmed (head first) to the limit less the slack; otherwise the window is placed afresh around the focus.
 */
export function planWindow(w: TokenWindow, total: number, limit: number, focus: number): TokenWindow {
  if (total <= limit) return { start: 0, end: total };
  if (windowServes(w, total, limit, focus)) return w;
  const target = Math.max(1, limit - slack(limit));
  if (windowLength(w) > limit && focus >= w.start && focus <= w.end) {
    const start = Math.max(w.start, Math.min(focus - Math.round(FOCUS_SHARE * target), w.end - target));
    const trimmed = { start, end: Math.min(w.end, start + target) };
    if (windowServes(trimmed, total, limit, focus)) return trimmed;
  }
  return placeWindow(total, target, focus);
}

/** The result of carrying a window through a token diff. */
export interface MappedWindow {
  /** The window in the new document's token indices. */
  window: TokenWindow;
  /** The diff's spans as they touch the window, in old window-relative indices (sorted, non-overlapping). */
  spans: TokenSpan[];
}

function isBefore(s: TokenSpan, w: TokenWindow): boolean {
  return s.end < w.start || (s.end === w.start && (s.start < s.end || w.start > 0));
}

function isAfter(s: TokenSpan, w: TokenWindow, total: number): boolean {
  return s.start > w.end || (s.start === w.end && (s.start < s.end || w.end < total));
}

/**
 * Carries window `w` of a document of `total` tokens through `spans` (old token indices). Spans before the window
 * shift it, spans after it leave it alone, spans inside it become window spans; a span across an edge pulls the
 * edge out to take all of the span's new tokens.
 */
export function mapWindow(w: TokenWindow, total: number, spans: readonly TokenSpan[]): MappedWindow {
  let shiftBefore = 0;
  let start: number | undefined;
  let length = windowLength(w);
  const inside: TokenSpan[] = [];
  for (const s of spans) {
    const delta = s.ids.length - (s.end - s.start);
    if (isBefore(s, w)) {
      shiftBefore += delta;
      continue;
    }
    if (isAfter(s, w, total)) continue;
    const from = Math.max(s.start, w.start);
    const to = Math.min(s.end, w.end);
    if (s.start < w.start && start === undefined) start = s.start + shiftBefore;
    inside.push({ start: from - w.start, end: to - w.start, ids: s.ids });
    length += s.ids.length - (to - from);
  }
  const newStart = start ?? w.start + shiftBefore;
  return { window: { start: newStart, end: newStart + length }, spans: inside };
}
