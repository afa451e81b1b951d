// Fallback samples: asked for only when the greedy completion shows nothing, in order, until one shows something.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { SamplingOptions } from '../../../../runtime/src/index.js';
import type { Shaped } from '../place/shapeByPlace.js';
import { firstShown } from './firstShown.js';

const item = (text: string): Shaped => ({ text, replaceSuffix: 0 });

/** An attempt that answers from `answers` (greedy first) and records the seeds asked for (0 for greedy). */
function scripted(answers: (Shaped | null | undefined)[]) {
  const asked: number[] = [];
  const attempt = async (s?: SamplingOptions) => {
    asked.push(s?.seed ?? 0);
    return answers[asked.length - 1];
  };
  return { attempt, asked };
}

describe('firstShown', () => {
  it('a greedy item is shown with no further call', async () => {
    const s = scripted([item('a'), item('b')]);
    assert.deepEqual(await firstShown(s.attempt, 2), { item: item('a'), calls: 1, from: 0 });
    assert.deepEqual(s.asked, [0]);
  });

  it('after a greedy completion that shows nothing, samples in turn (each its own seed) until one shows something', async () => {
    const s = scripted([null, null, item('c'), item('d')]);
    assert.deepEqual(await firstShown(s.attempt, 4), { item: item('c'), calls: 3, from: 2 });
    assert.deepEqual(s.asked, [0, 1, 2]);
    assert.ok(s.asked.slice(1).every((seed) => seed > 0));
  });

  it('stops at the limit, and with a limit of 0 never samples', async () => {
    const s = scripted([null, null, null, item('x')]);
    assert.deepEqual(await firstShown(s.attempt, 2), { item: null, calls: 3 });
    const none = scripted([null, item('y')]);
    assert.deepEqual(await firstShown(none.attempt, 0), { item: null, calls: 1 });
  });

  it('an attempt that ends the search (gated greedy, aborted) ends it', async () => {
    const gated = scripted([undefined, item('b')]);
    assert.deepEqual(await firstShown(gated.attempt, 2), { item: null, calls: 1 });
    const aborted = scripted([null, undefined, item('c')]);
    assert.deepEqual(await firstShown(aborted.attempt, 2), { item: null, calls: 2 });
  });
});
