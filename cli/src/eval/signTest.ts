// Paired comparison of two systems on the same tasks: counts of better/worse/tied tasks and the exact sign test.
import { round } from '../bench/stats.js';

export interface PairedCounts {
  better: number;
  worse: number;
  ties: number;
  sign_test_p: number;
}

/** Two-sided exact sign test: P(a split at least this uneven) under p = 1/2, ties dropped. */
export function signTestP(better: number, worse: number): number {
  const n = better + worse;
  if (n === 0) return 1;
  const k = Math.min(better, worse);
  let tail = 0;
  let c = 1; // C(n, 0)
  for (let i = 0; i <= k; i++) {
    tail += c;
    c = (c * (n - i)) / (i + 1);
  }
  return Math.min(1, (2 * tail) / 2 ** n);
}

/** Compares `a` with `b` task by task (same order): how often a scores higher, lower or the same, and the sign test. */
export function pairedCounts(a: readonly number[], b: readonly number[]): PairedCounts {
  let better = 0;
  let worse = 0;
  for (const [i, x] of a.entries()) {
    if (x > b[i]!) better++;
    else if (x < b[i]!) worse++;
  }
  const p = signTestP(better, worse);
  // Four decimals, but a p below 1e-4 keeps two significant digits (not 0).
  return { better, worse, ties: a.length - better - worse, sign_test_p: p >= 1e-4 ? round(p, 4) : Number(p.toPrecision(2)) };
}
