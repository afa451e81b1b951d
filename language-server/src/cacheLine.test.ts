// describeCache: the status bar's cache line, including why a document has no cache.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { describeCache } from './cacheLine.js';

describe('describeCache', () => {
  it('says why a document has no cache when the server gave a reason', () => {
    assert.equal(describeCache({ uri: 'a', cachedTokens: 0 }), 'no cache');
    assert.equal(describeCache({ uri: 'a', cachedTokens: 0, noCache: "the tokenizer's NFC normalizer changes the text at line 3, column 8" }), "no cache (the tokenizer's NFC normalizer changes the text at line 3, column 8)");
  });
});
