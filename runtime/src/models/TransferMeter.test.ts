// TransferMeter: speed over a sliding window and the ETA from it.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TransferMeter } from './TransferMeter.js';

describe('TransferMeter', () => {
  it('measures bytes per second over the window and the time left', () => {
    const m = new TransferMeter(5000);
    assert.equal(m.bytesPerSecond(), 0);
    assert.equal(m.etaSeconds(100), undefined);
    m.add(0, 0);
    m.add(1000, 1000);
    m.add(2000, 2000);
    assert.equal(m.bytesPerSecond(), 1000);
    assert.equal(m.etaSeconds(10_000), 8);
  });

  it('forgets samples older than the window (a stall then a burst reads as the burst)', () => {
    const m = new TransferMeter(1000);
    m.add(0, 0);
    m.add(10, 5000);
    m.add(3010, 5500);
    m.add(6010, 6000);
    assert.equal(m.bytesPerSecond(), 6000);
  });
});
