// n-best for cycling (Alt+] / Alt+[): on an explicit request, a few sampled completions after the greedy one, each
// shaped like it; duplicates and items that shape to nothing are left out.
import type { SamplingOptions } from '../../../../runtime/src/index.js';

/** The samplings of the alternatives asked for after the greedy completion (one model call each). */
export const ALTERNATIVE_SAMPLINGS: readonly SamplingOptions[] = [
  { temperature: 0.8, topP: 0.95, seed: 1 },
  { temperature: 0.8, topP: 0.95, seed: 2 },
];

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
