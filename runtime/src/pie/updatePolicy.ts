// Decides how a document's cache follows an edit: PIE, conflict (evaluation baseline) or full re-encoding, and why.
import type { TokenWindow } from './sessionWindow.js';
import type { TokenSpan } from './tokenDiff.js';

export type UpdateMode = 'full' | 'pie' | 'conflict';
export const UPDATE_MODES: readonly UpdateMode[] = ['full', 'pie', 'conflict'];

/** Above this share of the old tokens touched, re-encoding everything is about as cheap and exact. */
export const FULL_FALLBACK_SHARE = 0.5;

export interface ModeChoice {
  mode: UpdateMode;
  /** Why the requested mode was not used. */
  reason?: string;
}

/** Tokens dropped plus tokens re-encoded by a list of spans. */
export function touchedTokens(spans: readonly TokenSpan[]): number {
  return spans.reduce((n, s) => n + (s.end - s.start) + s.ids.length, 0);
}

/** Tokens a window move from `from` to `to` (overlapping) encodes: the new head and the new tail. */
export function slideCost(from: TokenWindow, to: TokenWindow): number {
  if (to.start >= from.end || to.end <= from.start) return to.end - to.start;
  return Math.max(0, from.start - to.start) + Math.max(0, to.end - from.end);
}

/**
 * How a cached window of `oldTokens` tokens follows `spans` (window-relative) plus a window move that encodes
 * `moveTokens`: PIE unless it would touch more than FULL_FALLBACK_SHARE of the window (or cannot be done at all).
 */
export function chooseMode(requested: UpdateMode, spans: readonly TokenSpan[] | undefined, oldTokens: number, unpatchable?: string, moveTokens = 0): ModeChoice {
  if (requested === 'full') return { mode: 'full' };
  if (unpatchable) return { mode: 'full', reason: unpatchable };
  if (!spans) return { mode: 'full', reason: 'no token diff' };
  const touched = touchedTokens(spans) + moveTokens;
  if (touched > FULL_FALLBACK_SHARE * Math.max(1, oldTokens)) {
    const what = moveTokens > 0 ? `the edit and the window move touch` : 'the edit touches';
    return { mode: 'full', reason: `${what} ${touched} of ${oldTokens} tokens (more than ${FULL_FALLBACK_SHARE * 100}%)` };
  }
  return { mode: requested };
}
