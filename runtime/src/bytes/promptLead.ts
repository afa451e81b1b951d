// How generation starts when the prompt ends with uncertain bytes: the exact cover posterior (`byte`) or token healing
// (`healing`) picks the first tokens; they are fed as the prompt and their bytes already in the prompt are not shown.
import { logSoftmaxAt, Sampler, type SamplingOptions } from '../generate/Sampler.js';
import { seededRandom } from '../generate/seededRandom.js';
import type { KvCache } from '../kv/KvCache.js';
import type { KvOps } from '../kv/KvOps.js';
import type { LanguageModel } from '../model/LanguageModel.js';
import { concatBytes, type ByteVocab } from './ByteVocab.js';
import { CachedTokenModel } from './cachedTokenModel.js';
import { enumerateCovers, type Cover } from './covers.js';

/** The base context (cached but its last token; the lead functions take ownership) and the bytes the generation must start with. */
export interface UncertainTail {
  cache: KvCache;
  lastBase: number;
  /** The prompt's last bytes, moved out of the prompt into what is generated (at most the longest token). */
  tail: Uint8Array;
  /** The token before the tail (pair validity), undefined when the tail starts a segment (a FIM middle). */
  prevToken?: number;
}

/** Where generation starts: a cache, the ids to feed, which of them count as generated, and the bytes to hide. */
export interface Lead {
  cache: KvCache;
  prompt: number[];
  leadIds: number[];
  /** Text at the start of the generated text that the prompt already holds (the tail). */
  hidden: string;
  /** Tokens encoded to choose the lead. */
  encoded: number;
  /** Natural log of the lead's probability given the prompt's bytes (the chosen cover's posterior; for healing, the product of its constrained choices). */
  logprob: number;
}

function pickCover(covers: Cover[], sampling: SamplingOptions): Cover {
  if (sampling.temperature === 0) return covers.reduce((a, b) => (b.logMass > a.logMass ? b : a));
  const max = Math.max(...covers.map((c) => c.logMass));
  const weights = covers.map((c) => Math.exp((c.logMass - max) / sampling.temperature));
  let r = seededRandom(sampling.seed)() * weights.reduce((a, b) => a + b, 0);
  for (let i = 0; i < covers.length; i++) if ((r -= weights[i]!) <= 0) return covers[i]!;
  return covers[covers.length - 1]!;
}

/** Which covers a caller allows, by the bytes their last token writes past the tail (tool-guided decoding's names). */
export type OverhangFilter = (overhang: Uint8Array) => boolean;

/**
 * `byte`: the first token is drawn from the exact posterior over the tail's covers (argmax when greedy); with
 * `accept`, over the covers it accepts (all of them when it accepts none).
 */
export async function byteLead(model: LanguageModel, ops: KvOps, vocab: ByteVocab, t: UncertainTail, sampling: SamplingOptions, accept?: OverhangFilter): Promise<Lead | undefined> {
  const scorer = new CachedTokenModel(model, ops, t.cache, t.lastBase);
  try {
    const all = await enumerateCovers(vocab, scorer, t.tail, { prevToken: t.prevToken });
    if (all.length === 0) return undefined;
    const accepted = accept ? all.filter((c) => accept(vocab.bytesOf(c.token).subarray(t.tail.length - c.start))) : all;
    const covers = accepted.length ? accepted : all;
    const c = pickCover(covers, sampling);
    const cache = await scorer.take(c.seq);
    const max = Math.max(...covers.map((x) => x.logMass));
    const logprob = c.logMass - max - Math.log(covers.reduce((sum, x) => sum + Math.exp(x.logMass - max), 0));
    return { cache, prompt: [c.token], leadIds: [c.token], hidden: Buffer.from(t.tail.subarray(c.start)).toString('utf8'), encoded: scorer.encoded, logprob };
  } finally {
    scorer.dispose();
  }
}

/**
 * `healing` (the baseline): only tokens consistent with the tail's bytes are allowed until the tail is consumed —
 * a token that holds the rest of the tail, or one that is a prefix of it (then the next is constrained likewise).
 */
export async function healingLead(model: LanguageModel, vocab: ByteVocab, t: UncertainTail, sampling: SamplingOptions): Promise<Lead | undefined> {
  const cache = t.cache;
  const chosen: number[] = [];
  let feed = t.lastBase;
  let rest = t.tail;
  let encoded = 0;
  let logprob = 0;
  try {
    while (rest.length > 0) {
      const { logits } = await model.forward([feed], [cache.length], cache, { logits: 'last' });
      encoded++;
      const allowed = new Set([...vocab.startingWith(rest), ...vocab.prefixesOf(rest)]);
      if (allowed.size === 0) throw new Error('no token is consistent with the tail');
      const masked = logits.map((v, id) => (allowed.has(id) ? v : -Infinity));
      feed = new Sampler(sampling).sample(masked, 0, masked.length);
      logprob += logSoftmaxAt(masked, feed);
      chosen.push(feed);
      const n = vocab.bytesOf(feed).length;
      rest = n >= rest.length ? new Uint8Array(0) : rest.subarray(n);
    }
    return { cache, prompt: [feed], leadIds: chosen, hidden: Buffer.from(t.tail).toString('utf8'), encoded, logprob };
  } catch (err) {
    cache.dispose();
    if ((err as Error).message === 'no token is consistent with the tail') return undefined;
    throw err;
  }
}

/** Bytes of a token list. */
export function bytesOfIds(vocab: ByteVocab, ids: readonly number[]): Uint8Array {
  let out: Uint8Array = new Uint8Array(0);
  for (const id of ids) out = concatBytes(out, vocab.bytesOf(id));
  return out;
}

/**
 * The first byte of `bytes` where some token could start and still cover the end (no cover starts earlier): the
 * uncertain tail need not reach further back than this.
 */
export function firstCoverStart(vocab: ByteVocab, bytes: Uint8Array): number {
  for (let j = Math.max(0, bytes.length - vocab.maxTokenBytes); j < bytes.length; j++) {
    if (vocab.startingWith(bytes.subarray(j)).length > 0) return j;
  }
  return bytes.length - 1;
}

/**
 * How many trailing tokens to move out of the prompt: at least one, back to the token where the first possible
 * cover starts (within the longest token's bytes).
 */
export function tailTokenCount(vocab: ByteVocab, ids: readonly number[], minKeep = 0): number {
  let n = 0;
  let bytes = 0;
  while (ids.length - n > minKeep) {
    const b = vocab.bytesOf(ids[ids.length - n - 1]!).length;
    if (n > 0 && bytes + b > vocab.maxTokenBytes) break;
    bytes += b;
    n++;
  }
  const tail = bytesOfIds(vocab, ids.slice(ids.length - n));
  const first = firstCoverStart(vocab, tail);
  let start = 0;
  while (n > 1 && start + vocab.bytesOf(ids[ids.length - n]!).length <= first) {
    start += vocab.bytesOf(ids[ids.length - n]!).length;
    n--;
  }
  return n;
}

/** Picks the lead for `mode` over a base context (whose cache it takes over: reused or freed); `accept` filters `byte` covers. */
export function leadFor(mode: 'byte' | 'healing', model: LanguageModel, ops: KvOps, vocab: ByteVocab, t: UncertainTail, sampling: SamplingOptions, accept?: OverhangFilter): Promise<Lead | undefined> {
  return mode === 'byte' ? byteLead(model, ops, vocab, t, sampling, accept) : healingLead(model, vocab, t, sampling);
}

/**
 * The base context of a prompt encoded from scratch, its last prefix tokens moved into the tail: for FIM models
 * `<prefix> P' <suffix> S <middle>` (the middle must start with the tail), for left-to-right models P' itself.
 */
export async function freshTail(model: LanguageModel, vocab: ByteVocab, prefixIds: readonly number[], suffixIds: readonly number[]): Promise<UncertainTail | undefined> {
  const fim = model.folder.fim;
  const l2r = fim.family === 'none';
  const n = tailTokenCount(vocab, prefixIds, l2r ? 1 : 0);
  if (n === 0) return undefined;
  const kept = prefixIds.slice(0, prefixIds.length - n);
  const tail = bytesOfIds(vocab, prefixIds.slice(prefixIds.length - n));
  const base = l2r ? kept : fim.build(kept, suffixIds);
  const cache = model.newCache();
  try {
    const before = base.slice(0, -1);
    if (before.length > 0) await model.forward(before, before.map((_, k) => k), cache, { logits: 'none' });
  } catch (err) {
    cache.dispose();
    throw err;
  }
  return { cache, lastBase: base[base.length - 1]!, tail, prevToken: l2r ? kept[kept.length - 1] : undefined };
}
