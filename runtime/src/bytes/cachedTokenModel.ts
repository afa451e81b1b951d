// The language model as a NextTokenModel over a cached base context: each call runs the base's last token and a
// candidate sequence on a copy of the cache; the copy of the chosen sequence is kept to generate from.
import type { KvCache } from '../kv/KvCache.js';
import type { KvOps } from '../kv/KvOps.js';
import type { LanguageModel } from '../model/LanguageModel.js';
import type { NextTokenModel } from './covers.js';

function logSoftmax(row: Float32Array): Float64Array {
  let max = -Infinity;
  for (const v of row) max = Math.max(max, v);
  let sum = 0;
  for (const v of row) sum += Math.exp(v - max);
  const z = max + Math.log(sum);
  return Float64Array.from(row, (v) => v - z);
}

export class CachedTokenModel implements NextTokenModel {
  private readonly runs: { seq: number[]; cache: KvCache }[] = [];
  /** Tokens encoded by the candidate runs (each: the base's last token and one candidate sequence). */
  encoded = 0;

  /** `base` holds the base context but its last token, `lastBase` (which is run with every candidate). */
  constructor(
    private readonly model: LanguageModel,
    private readonly ops: KvOps,
    private readonly base: KvCache,
    private readonly lastBase: number,
  ) {}

  async logProbs(seq: readonly number[]): Promise<Float64Array[]> {
    const cache = await this.ops.copyRows(this.base, 0, this.base.length);
    const ids = [this.lastBase, ...seq];
    try {
      const { logits, vocab } = await this.model.forward(ids, ids.map((_, k) => this.base.length + k), cache, { logits: 'all' });
      this.encoded += ids.length;
      this.runs.push({ seq: [...seq], cache });
      return ids.map((_, i) => logSoftmax(logits.subarray(i * vocab, (i + 1) * vocab)));
    } catch (err) {
      cache.dispose();
      throw err;
    }
  }

  /** A cache holding the base context and `seq` (cut from a run that had it as a prefix); frees every other run. */
  async take(seq: readonly number[]): Promise<KvCache> {
    const i = this.runs.findIndex((r) => seq.every((id, k) => r.seq[k] === id) && r.seq.length >= seq.length);
    let cache: KvCache;
    if (i < 0) {
      cache = await this.ops.copyRows(this.base, 0, this.base.length);
      const ids = [this.lastBase, ...seq];
      await this.model.forward(ids, ids.map((_, k) => this.base.length + k), cache, { logits: 'none' });
    } else {
      cache = this.runs.splice(i, 1)[0]!.cache;
      await this.ops.truncate(cache, this.base.length + 1 + seq.length);
    }
    this.dispose();
    return cache;
  }

  dispose(): void {
    for (const r of this.runs.splice(0)) r.cache.dispose();
  }
}
