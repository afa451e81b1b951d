// Sampled completions: the k-th seeded sampling, shared by the fallback samples and n-best cycling (Alt+] / Alt+[), and
// the n-best list: a few sampled completions after the greedy one, each shaped like it; duplicates left out.
import type { SamplingOptions } from '../../../../runtime/src/index.js';

/** Alternatives asked for on an explicit request (one model call each). */
export const ALTERNATIVES = 2;

/** The k-th sampled completion's sampling (k ≥ 1): its own seed, so a request's samples differ and repeat across runs. */
export function sampling(k: number): SamplingOptions {
  return { temperature: 0.8, topP: 0.95, seed: k };
}

/** The items in order, each text (with its range) once. */
export function distinctItems<T extends { text: string; replaceSuffix: number }>(items: readonly T[]): T[] {
  const seen = new Set<string>();
  return items.filter((x) => {
    const key = `${x.replaceSuffix}\u0000${x.text}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
