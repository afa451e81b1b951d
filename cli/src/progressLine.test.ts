// progressLine: what `splice models pull` prints while downloading.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatDuration, progressLine } from './progressLine.js';

describe('progressLine', () => {
  it('shows file, bytes of total, percent, speed and ETA', () => {
    const line = progressLine({ repo: 'o/n', file: 'onnx/model_q4.onnx', fileIndex: 3, fileCount: 4, received: 123_400_000, total: 456_700_000, bytesPerSecond: 12_300_000, etaSeconds: 27.1 });
    assert.equal(line, 'onnx/model_q4.onnx (4/4)  123 MB / 457 MB 27%  12 MB/s  ETA 0:27');
  });

  it('leaves out what is unknown', () => {
    assert.equal(progressLine({ repo: 'o/n', file: 'config.json', fileIndex: 0, fileCount: 4, received: 700, bytesPerSecond: 0 }), 'config.json (1/4)  700 B  0 B/s');
  });

  it('formats durations', () => {
    assert.deepEqual([formatDuration(0), formatDuration(75), formatDuration(3725)], ['0:00', '1:15', '1:02:05']);
  });
});
