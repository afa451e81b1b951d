// RestartBudget: a bounded number of automatic restarts in a sliding window.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RestartBudget } from './RestartBudget.js';

describe('RestartBudget', () => {
  it('allows 4 restarts within 3 minutes and refuses the 5th', () => {
    const b = new RestartBudget(4, 180_000);
    assert.deepEqual([0, 1000, 2000, 3000].map((t) => b.tryRestart(t)), [true, true, true, true]);
    assert.equal(b.tryRestart(4000), false);
    assert.equal(b.used(4000), 4);
  });

  it('forgets crashes older than the window', () => {
    const b = new RestartBudget(2, 1000);
    assert.ok(b.tryRestart(0) && b.tryRestart(500));
    assert.equal(b.tryRestart(900), false);
    assert.equal(b.tryRestart(1001), true, 'the crash at 0 left the window');
  });
});
