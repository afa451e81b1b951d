// The confidence gate on the first token's probability.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { passesGate } from './confidenceGate.js';

describe('confidence gate', () => {
  it('suppresses a completion whose first token is below the threshold; 0 is off', () => {
    assert.equal(passesGate({ firstTokenLogprob: Math.log(0.05) }, 0.1), false);
    assert.equal(passesGate({ firstTokenLogprob: Math.log(0.1) }, 0.1), true);
    assert.equal(passesGate({ firstTokenLogprob: Math.log(0.9) }, 0.5), true);
    assert.equal(passesGate({ firstTokenLogprob: Math.log(1e-6) }, 0), true, 'off');
    assert.equal(passesGate(undefined, 0.5), true, 'nothing generated: nothing to judge');
  });
});
