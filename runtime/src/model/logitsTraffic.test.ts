// Logits traffic: a chunked prefill and a PIE patch copy at most one logits row per forward pass off the device.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { prefill } from '../generate/generate.js';
import { KvOps } from '../kv/KvOps.js';
import { DocumentSession } from '../pie/DocumentSession.js';
import { BUNDLED_MODEL, loadFixture, maxAbsDiff } from '../testing/fixtures.js';
import type { LanguageModel } from './LanguageModel.js';

const PREFILL_TOKENS = 1000;
const CHUNK = 256;

/** Python-like code, long enough for `tokens` tokens. */
function codeText(model: LanguageModel, tokens: number): string {
  let text = '';
  for (let i = 0; model.folder.tokenizer.encode(text).length < tokens; i++) {
    text += `def scale_${i}(values, factor=${i % 7 + 1}):\n    return [v * factor + ${i * 13} for v in values]\n\n`;
  }
  return text;
}

/** Runs `f`, recording the logits bytes each forward pass of `model` copied. */
async function bytesPerForward(model: LanguageModel, f: () => Promise<void>): Promise<number[]> {
  const perForward: number[] = [];
  const forward = model.forward.bind(model);
  model.forward = async (...args) => {
    const before = model.logitsBytesCopied;
    const r = await forward(...args);
    perForward.push(model.logitsBytesCopied - before);
    return r;
  };
  try {
    await f();
  } finally {
    model.forward = forward;
  }
  return perForward;
}

const mb = (bytes: number) => `${(bytes / 1e6).toFixed(2)} MB`;

async function withBoth(f: (kept: LanguageModel, all: LanguageModel) => Promise<void>): Promise<void> {
  const kept = await loadFixture(BUNDLED_MODEL, 'cpu');
  const all = await loadFixture(BUNDLED_MODEL, 'cpu', { keepLogits: false });
  try {
    assert.equal(kept.logitsRows, 'kept');
    await f(kept, all);
  } finally {
    await kept.release();
    await all.release();
  }
}

describe('logits traffic (splice-tiny, cpu)', () => {
  it(`a ${PREFILL_TOKENS}-token prefill in chunks of ${CHUNK} copies at most one row per chunk`, async (t) => {
    await withBoth(async (kept, all) => {
      const ids = kept.folder.tokenizer.encode(codeText(kept, PREFILL_TOKENS)).slice(0, PREFILL_TOKENS);
      const vocab = kept.folder.config.vocabSize!;
      const run = async (model: LanguageModel) => {
        const cache = model.newCache();
        let last: Float32Array | undefined;
        const bytes = await bytesPerForward(model, async () => void (last = await prefill(model, ids, cache, CHUNK)));
        cache.dispose();
        return { bytes, last: last! };
      };
      const after = await run(kept);
      const before = await run(all);
      const chunkRows = Array.from({ length: Math.ceil(ids.length / CHUNK) }, (_, i) => Math.min(CHUNK, ids.length - i * CHUNK));
      assert.deepEqual(before.bytes, chunkRows.map((rows) => rows * vocab * 4), 'without the rewrite every row crosses');
      assert.equal(after.bytes.length, chunkRows.length);
      for (const b of after.bytes) assert.ok(b <= vocab * 4, `a chunk copied ${b} bytes (one row is ${vocab * 4})`);
      assert.ok(maxAbsDiff(after.last, before.last) < 1e-4, 'the last row is the same either way');
      const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
      t.diagnostic(`per chunk (${chunkRows.join(', ')} tokens): before ${before.bytes.join(', ')} B; after ${after.bytes.join(', ')} B`);
      t.diagnostic(`whole prefill: before ${mb(sum(before.bytes))}, after ${mb(sum(after.bytes))}`);
    });
  });

  it('a PIE patch copies at most one row per forward pass', async (t) => {
    await withBoth(async (kept, all) => {
      const text = codeText(kept, 300);
      const at = text.indexOf('def scale_4');
      const edit = { start: at, end: at, text: 'DEBUG = False  # toggled while typing\nLIMIT = 4096\n' };
      const vocab = kept.folder.config.vocabSize!;
      const run = async (model: LanguageModel) => {
        const ops = new KvOps('cpu', model.kvShape, model.folder.config.rope);
        const session = await DocumentSession.open(model, ops, text);
        try {
          let reencoded = 0;
          const bytes = await bytesPerForward(model, async () => {
            const stats = await session.update([edit], 'pie');
            assert.equal(stats.mode, 'pie');
            reencoded = stats.tokensReencoded;
          });
          return { bytes, reencoded };
        } finally {
          session.dispose();
          await ops.release();
        }
      };
      const after = await run(kept);
      const before = await run(all);
      assert.ok(after.bytes.length > 0, 'the patch ran a forward pass');
      for (const b of after.bytes) assert.ok(b <= vocab * 4, `a patch forward copied ${b} bytes (one row is ${vocab * 4})`);
      assert.equal(before.bytes.reduce((a, b) => a + b, 0), before.reencoded * vocab * 4);
      t.diagnostic(`patch re-encoding ${after.reencoded} tokens in ${after.bytes.length} forward(s): before ${before.bytes.join(', ')} B; after ${after.bytes.join(', ')} B`);
    });
  });
});
