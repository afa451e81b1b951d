// The language model as a NextTokenModel over a cached base context: the first candidate runs on the base cache
// itself, others on copies of its base rows; the run of the chosen candidate is kept to generate from.
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
  /** Every cache this model owns (the base included) until `take` hands one out; `dispose` frees the rest. */
  private readonly owned = new Set<KvCache>();
  private readonly baseRows: number;
  private baseFree = true;
  /** Tokens encoded by the candidate runs (each: the base's last token and one candidate sequence). */
  encoded = 0;

  /** Takes ownership of `base`, which holds the base context but its last token, `lastBase` (run with every candidate). */
  constructor(
    private readonly model: LanguageModel,
    private readonly ops: KvOps,
    private readonly base: KvCache,
    private readonly lastBase: number,
    /** Keep each run's cache for `take` (false when only scoring: copies are freed at once). */
    private readonly keepRuns = true,
  ) {
    this.baseRows = base.length;
    this.owned.add(base);
  }

  /** A cache holding just the base rows: the base itself the first time, else a copy of its base rows. */
  private async fresh(): Promise<KvCache> {
    if (this.baseFree) {
      this.baseFree = false;
      return this.base;
    }
    const copy = await this.ops.copyRows(this.base, 0, this.baseRows);
    this.owned.add(copy);
    return copy;
  }

  private async run(seq: readonly number[], logits: 'all' | 'none'): Promise<{ cache: KvCache; rows: Float32Array; vocab: number }> {
    const cache = await this.fresh();
    const ids = [this.lastBase, ...seq];
    const r = await this.model.forward(ids, ids.map((_, k) => this.baseRows + k), cache, { logits });
    this.encoded += ids.length;
    if (this.keepRuns || cache === this.base) this.runs.push({ seq: [...seq], cache });
    else {
      cache.dispose();
      this.owned.delete(cache);
    }
    return { cache, rows: r.logits, vocab: r.vocab };
  }

  async logProbs(seq: readonly number[]): Promise<Float64Array[]> {
    const { rows, vocab } = await this.run(seq, 'all');
    return Array.from({ length: seq.length + 1 }, (_, i) => logSoftmax(rows.subarray(i * vocab, (i + 1) * vocab)));
  }

  /** A cache holding the base context and `seq` (cut from a run that had it as a prefix); the caller owns it. */
  async take(seq: readonly number[]): Promise<KvCache> {
    let run = this.runs.find((r) => r.seq.length >= seq.length && seq.every((id, k) => r.seq[k] === id));
    if (!run) {
      await this.run(seq, 'none');
      run = this.runs[this.runs.length - 1]!;
    }
    await this.ops.truncate(run.cache, this.baseRows + 1 + seq.length);
    this.owned.delete(run.cache);
    return run.cache;
  }

  /** Frees every cache not taken (a run on the base cache and the base are one). */
  dispose(): void {
    for (const c of this.owned) c.dispose();
    this.owned.clear();
    this.runs.length = 0;
  }
}
