// Streaming generation over a KvCache: chunked prefill, then one token at a time, until a stop, the limit or an abort.
import type { KvCache } from '../kv/KvCache.js';
import type { LanguageModel } from '../model/LanguageModel.js';
import type { SpliceTokenizer } from '../tokenizer/SpliceTokenizer.js';
import { logSoftmaxAt, Sampler, type SamplingOptions } from './Sampler.js';
import { StopMatcher } from './StopMatcher.js';

export interface GenerateOptions {
  maxTokens: number;
  sampling: SamplingOptions;
  /** Token ids that end generation (not included in the text). */
  stopTokenIds: readonly number[];
  /** Strings that end generation (the text is cut before them). */
  stopSequences?: readonly string[];
  /** Character of the generated text from which stop sequences are looked for (default 0). */
  stopSearchFrom?: number;
  /** Tokens the model may emit that are not text (e.g. a ToolGen mark): kept in its context, left out of the text. */
  silentTokenIds?: readonly number[];
  signal?: AbortSignal;
  /** Prompt tokens encoded per forward pass (bounds memory for logits; lets an abort land between chunks). */
  prefillChunk?: number;
  /**
   * Tokens already chosen as the start of the output (fed at the end of the prompt), and the bytes at their start that
   * the user's document already holds (not shown): how byte-level and healed prompts begin (see bytes/promptLead.ts).
   * The text is then decoded from the tokens' bytes (`bytesOf`), so a lead token may start inside a character.
   */
  lead?: { ids: readonly number[]; hidden: Uint8Array; bytesOf: (ids: readonly number[]) => Uint8Array };
  /**
   * The document's text after the cursor (FIM): generation stops where its text meets the suffix — the rest of the
   * cursor's line followed by its line break (or the end of the document) — and that part is left out.
   */
  suffix?: string;
  /** Steers each step (tool-guided decoding, toolgen/ToolGuide.ts): masks the logits, or feeds a silent token first. */
  guide?: DecodeGuide;
}

/** Before a token is sampled: the logits to sample from, or a (silent) token to feed first, after which it is asked again. */
export type GuideStep = { logits: Float32Array } | { feed: number };

export interface DecodeGuide {
  /** `generated`: the text shown so far (silent tokens and the lead's hidden text left out). */
  step(logits: Float32Array, generated: string, signal?: AbortSignal): Promise<GuideStep>;
  /** The token sampled after the last step. */
  accepted(id: number): void;
}

export type StopReason = 'stop-token' | 'stop-sequence' | 'suffix' | 'max-tokens' | 'context-full' | 'aborted';

export interface GenerateResult {
  text: string;
  tokenIds: number[];
  /** Natural log of each sampled token's probability under the model (softmax at temperature 1), lead tokens left out. */
  logprobs: number[];
  stopReason: StopReason;
  /** Time from the first sampled token to the end (the rest was the prompt's prefill). */
  decodeMs?: number;
}

const DEFAULT_PREFILL_CHUNK = 256;

/**
 * The text at which a middle meets the suffix: the rest of the cursor's line with its line break (just the rest when
 * the document ends there); undefined when that rest is blank (then the line's end is no sign the middle is done).
 */
export function suffixMeet(suffix: string | undefined): string | undefined {
  if (suffix === undefined) return undefined;
  const nl = suffix.indexOf('\n');
  const line = nl < 0 ? suffix : suffix.slice(0, nl + 1);
  return line.trim().length > 0 ? line : undefined;
}

const UTF8 = new TextDecoder('utf-8');

/** Bytes as text, without an incomplete last character (it is shown once its bytes are all there). */
function decodeWhole(bytes: Uint8Array): string {
  let i = bytes.length;
  while (i > 0 && bytes.length - i < 3 && (bytes[i - 1]! & 0xc0) === 0x80) i--;
  const lead = i > 0 ? bytes[i - 1]! : 0;
  const need = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc0 ? 2 : 1;
  const end = i > 0 && bytes.length - (i - 1) < need ? i - 1 : bytes.length;
  return UTF8.decode(bytes.subarray(0, end));
}

function startsWithBytes(whole: Uint8Array, prefix: Uint8Array): boolean {
  if (prefix.length > whole.length) return false;
  for (let i = 0; i < prefix.length; i++) if (whole[i] !== prefix[i]) return false;
  return true;
}

/**
 * Encodes `ids` at positions cache.length… in chunks; returns the last row's logits, or undefined if aborted.
 * Only the final chunk's last row is needed: earlier chunks ask for no logits.
 */
export async function prefill(model: LanguageModel, ids: readonly number[], cache: KvCache, chunk = DEFAULT_PREFILL_CHUNK, signal?: AbortSignal): Promise<Float32Array | undefined> {
  let last: Float32Array | undefined;
  model.reserve(cache, cache.length + ids.length);
  for (let i = 0; i < ids.length; i += chunk) {
    if (signal?.aborted) return undefined;
    const part = ids.slice(i, i + chunk);
    const positions = part.map((_, k) => cache.length + k);
    const final = i + chunk >= ids.length;
    const { logits } = await model.forward(part, positions, cache, { logits: final ? 'last' : 'none' });
    if (final) last = logits;
  }
  return last;
}

/**
 * Generates after `prompt` (appended to `cache`, which may already hold earlier context).
 * Yields text deltas as they become final; returns the whole result. An abort ends it with stopReason "aborted".
 */
export async function* generate(model: LanguageModel, tokenizer: SpliceTokenizer, prompt: readonly number[], cache: KvCache, opts: GenerateOptions): AsyncGenerator<string, GenerateResult> {
  // A byte-level model can stop inside a multi-byte character: never hand back its U+FFFD half.
  let firstToken: number | undefined;
  const logprobs: number[] = [];
  const result = (text: string, tokenIds: number[], stopReason: StopReason): GenerateResult => ({ text: text.replace(/\uFFFD+$/, ''), tokenIds, logprobs, stopReason, decodeMs: firstToken === undefined ? 0 : performance.now() - firstToken });
  const maxPositions = model.folder.config.maxPositions;
  let logits = await prefill(model, prompt, cache, opts.prefillChunk, opts.signal);
  if (!logits) return result('', [], 'aborted');
  firstToken = performance.now();
  const sampler = new Sampler(opts.sampling);
  const meet = suffixMeet(opts.suffix);
  const stops = new StopMatcher([...(opts.stopSequences ?? []), ...(meet ? [meet] : [])], opts.stopSearchFrom);
  const stopIds = new Set(opts.stopTokenIds);
  const silent = new Set(opts.silentTokenIds ?? []);
  const ids: number[] = [...(opts.lead?.ids ?? [])];
  const lead = opts.lead;
  const textOf = (all: number[]) => {
    const kept = silent.size ? all.filter((id) => !silent.has(id)) : all;
    if (!lead) return tokenizer.decode(kept);
    const bytes = lead.bytesOf(kept);
    return decodeWhole(startsWithBytes(bytes, lead.hidden) ? bytes.subarray(lead.hidden.length) : bytes);
  };
  const stopAt = (text: string, cut: number): StopReason => (meet !== undefined && text.startsWith(meet, cut) && !(opts.stopSequences ?? []).some((s) => s.length > 0 && text.startsWith(s, cut)) ? 'suffix' : 'stop-sequence');
  let emitted = '';
  for (;;) {
    if (opts.signal?.aborted) return result(emitted, ids, 'aborted');
    let row = logits;
    for (let guided = opts.guide && (await opts.guide.step(logits, textOf(ids), opts.signal)); guided; ) {
      if ('logits' in guided) {
        row = guided.logits;
        break;
      }
      if (opts.signal?.aborted) return result(emitted, ids, 'aborted');
      if (cache.length + 1 >= maxPositions) return result(textOf(ids), ids, 'context-full');
      ids.push(guided.feed);
      logits = (await model.forward([guided.feed], [cache.length], cache, { logits: 'last' })).logits;
      guided = await opts.guide!.step(logits, textOf(ids), opts.signal);
    }
    if (opts.signal?.aborted) return result(emitted, ids, 'aborted');
    const next = sampler.sample(row, 0, row.length);
    opts.guide?.accepted(next);
    if (stopIds.has(next)) return result(textOf(ids), ids, 'stop-token');
    ids.push(next);
    logprobs.push(logSoftmaxAt(logits, next));
    const text = textOf(ids);
    const cut = stops.cutAt(text);
    if (cut !== undefined) return result(text.slice(0, cut), ids, stopAt(text, cut));
    const ready = stops.safePrefix(text);
    if (ready.length > emitted.length) {
      yield ready.slice(emitted.length);
      emitted = ready;
    }
    if (ids.length >= opts.maxTokens) return result(text, ids, 'max-tokens');
    if (cache.length + 1 >= maxPositions) return result(text, ids, 'context-full');
    const step = await model.forward([next], [cache.length], cache, { logits: 'last' });
    logits = step.logits;
  }
}
