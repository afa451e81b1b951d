// Settings from the client: values of the right type and range are taken, anything else keeps the default.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULT_SETTINGS, mergeSettings } from './settings.js';

describe('mergeSettings', () => {
  it('takes valid values and ignores wrong types and out-of-range numbers', () => {
    const s = mergeSettings(DEFAULT_SETTINGS, { fallbackSamples: 0, minConfidence: 0.5, maxTokens: 32, device: 'cpu' });
    assert.deepEqual([s.fallbackSamples, s.minConfidence, s.maxTokens, s.device], [0, 0.5, 32, 'cpu']);
    const bad = mergeSettings(DEFAULT_SETTINGS, { fallbackSamples: 9, minConfidence: 2, maxTokens: -1, device: 'tpu', enable: 'yes' });
    assert.deepEqual(bad, DEFAULT_SETTINGS);
    assert.deepEqual(mergeSettings(DEFAULT_SETTINGS, { fallbackSamples: 1.5 }).fallbackSamples, DEFAULT_SETTINGS.fallbackSamples);
    assert.deepEqual(mergeSettings(DEFAULT_SETTINGS, null), DEFAULT_SETTINGS);
  });
});
