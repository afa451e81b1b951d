// Bits per byte a prompt mode assigns to the first bytes of a reference middle: exact byte-level probability for
// `byte`, and the log-probability of the middle's own tokens after the naive prompt for `naive`.
import type { KvOps } from '../kv/KvOps.js';
import type { LanguageModel } from '../model/LanguageModel.js';
import type { ByteVocab } from './ByteVocab.js';
import { CachedTokenModel } from './cachedTokenModel.js';
import { ByteState } from './covers.js';
import { freshTail } from './promptLead.js';

export interface MiddleBits {
  bits: number;
  bytes: number;
}

/** `byte`: −log2 P(middle's first bytes | prompt) by the covers, the prompt's uncertain tail moved into the middle. */
export async function byteMiddleBits(model: LanguageModel, ops: KvOps, vocab: ByteVocab, prefixIds: readonly number[], suffixIds: readonly number[], middle: Uint8Array): Promise<MiddleBits | undefined> {
  const t = await freshTail(model, vocab, prefixIds, suffixIds);
  if (!t) return undefined;
  const scorer = new CachedTokenModel(model, ops, t.cache, t.lastBase, false);
  try {
    const state = await ByteState.of(vocab, scorer, t.tail, { prevToken: t.prevToken });
    const before = state.logMass;
    for (const b of middle) await state.push(b);
    return { bits: (before - state.logMass) / Math.LN2, bytes: middle.length };
  } finally {
    scorer.dispose();
  }
}

/** `naive`: −log2 of the middle's own tokens (tokenized alone) after the naive prompt, over the tokens that hold its first bytes. */
export async function naiveMiddleBits(model: LanguageModel, prompt: readonly number[], middleIds: readonly number[], vocab: ByteVocab, bytes: number): Promise<MiddleBits> {
  let n = 0;
  let covered = 0;
  while (n < middleIds.length && covered < bytes) covered += vocab.bytesOf(middleIds[n++]!).length;
  const ids = [...prompt, ...middleIds.slice(0, n)];
  const cache = model.newCache();
  try {
    const { logits, vocab: v } = await model.forward(ids, ids.map((_, k) => k), cache, { logits: 'all' });
    let nats = 0;
    for (let i = 0; i < n; i++) {
      const row = logits.subarray((prompt.length - 1 + i) * v, (prompt.length + i) * v);
      let max = -Infinity;
      for (const x of row) max = Math.max(max, x);
      let sum = 0;
      for (const x of row) sum += Math.exp(x - max);
      nats += max + Math.log(sum) - row[middleIds[i]!]!;
    }
    return { bits: nats / Math.LN2, bytes: covered };
  } finally {
    cache.dispose();
  }
}
