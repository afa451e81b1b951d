// Fallback samples: when the pipeline shows nothing of the model's best guess (it broke the syntax at once, or was
// junk), a few sampled completions are asked for in turn, and the first the pipeline keeps is shown instead.
import type { SamplingOptions } from '../../../../runtime/src/index.js';
import { sampling } from '../nbest/alternatives.js';
import type { Shaped } from '../place/shapeByPlace.js';

export interface FirstShown {
  item: Shaped | null;
  /** Model calls made (1 + the fallbacks tried). */
  calls: number;
  /** Which call's item is shown: 0 the greedy one, k the k-th fallback; undefined when none. */
  from?: number;
}

/**
 * The greedy completion's item; if the pipeline leaves nothing of it, the first of up to `limit` fallback samples (the
 * k-th with `sampling(k)`) that it keeps. `attempt` answers null for a completion that shows nothing, and undefined
 * where the search must end (the request was aborted, or the confidence gate held the greedy completion back: the
 * model is unsure at this place). Keeping a cut greedy item rather than sampling a whole one was measured better
 * (README, `splice eval shape`).
 */
export async function firstShown(attempt: (sampling?: SamplingOptions) => Promise<Shaped | null | undefined>, limit: number): Promise<FirstShown> {
  let calls = 0;
  for (let from = 0; from <= limit; from++) {
    const item = await attempt(from === 0 ? undefined : sampling(from));
    calls++;
    if (item === undefined) break;
    if (item) return { item, calls, from };
  }
  return { item: null, calls };
}
