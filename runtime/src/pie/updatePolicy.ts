// Decides how a document's cache follows an edit: PIE, conflict (evaluation baseline) or full re-encoding, and why.
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

export function chooseMode(requested: UpdateMode, spans: readonly TokenSpan[] | undefined, oldTokens: number, unpatchable?: string): ModeChoice {
  if (requested === 'full') return { mode: 'full' };
  if (unpatchable) return { mode: 'full', reason: unpatchable };
  if (!spans) return { mode: 'full', reason: 'no token diff' };
  const touched = touchedTokens(spans);
  if (touched > FULL_FALLBACK_SHARE * Math.max(1, oldTokens)) {
    return { mode: 'full', reason: `the edit touches ${touched} of ${oldTokens} tokens (more than ${FULL_FALLBACK_SHARE * 100}%)` };
  }
  return { mode: requested };
}
