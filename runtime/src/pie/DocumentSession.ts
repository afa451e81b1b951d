// One document's cached state: its tokens and KV cache on the device, kept in step with edits by PIE.
import { throwIfAborted } from '../errors.js';
import { prefill } from '../generate/generate.js';
import type { KvCache } from '../kv/KvCache.js';
import type { KvOps } from '../kv/KvOps.js';
import type { LanguageModel } from '../model/LanguageModel.js';
import { TokenizedText } from '../tokenizer/TokenizedText.js';
import { editsBetween } from './editsBetween.js';
import { diffTokens, type TextEdit, type TokenSpan } from './tokenDiff.js';
import { chooseMode, type UpdateMode } from './updatePolicy.js';

/** What the last update did (the status bar and `splice/stats` show it). */
export interface UpdateStats {
  requested: UpdateMode;
  mode: UpdateMode;
  /** Why `mode` differs from `requested`. */
  reason?: string;
  spans: number;
  tokensDropped: number;
  tokensReencoded: number;
  /** Suffix rows whose keys were rotated (PIE) or reused as they were (conflict). */
  tokensMoved: number;
  contextTokens: number;
  ms: number;
}

export interface SessionOptions {
  /** Token ids cached before the text (e.g. a FIM prefix token); never edited. */
  leading?: readonly number[];
  signal?: AbortSignal;
}

export class DocumentSession {
  private constructor(
    private readonly model: LanguageModel,
    private readonly ops: KvOps,
    private readonly leading: readonly number[],
    private tokenized: TokenizedText,
    private cache: KvCache,
  ) {}

  /** Encodes `text` from scratch (after the leading ids) into a new cache. */
  static async open(model: LanguageModel, ops: KvOps, text: string, opts: SessionOptions = {}): Promise<DocumentSession> {
    const tokenized = TokenizedText.encode(model.folder.tokenizer, text);
    const leading = opts.leading ?? [];
    const cache = await DocumentSession.encode(model, [...leading, ...tokenized.ids], opts.signal);
    return new DocumentSession(model, ops, leading, tokenized, cache);
  }

  private static async encode(model: LanguageModel, ids: number[], signal?: AbortSignal): Promise<KvCache> {
    const cache = model.newCache();
    try {
      await prefill(model, ids, cache, undefined, signal);
      throwIfAborted(signal);
      return cache;
    } catch (err) {
      cache.dispose();
      throw err;
    }
  }

  get text(): string {
    return this.tokenized.text;
  }

  /** All cached ids: the leading ids, then the text's. */
  get ids(): number[] {
    return [...this.leading, ...this.tokenized.ids];
  }

  get kvCache(): KvCache {
    return this.cache;
  }

  /** The text's tokens with their byte offsets (without the leading ids). */
  get tokens(): TokenizedText {
    return this.tokenized;
  }

  get leadingCount(): number {
    return this.leading.length;
  }

  /** Brings the session to `text` (whatever edits happened since the last sync), or undefined when unchanged. */
  async syncTo(text: string, mode: UpdateMode = 'pie'): Promise<UpdateStats | undefined> {
    const edits = editsBetween(this.tokenized.text, text);
    return edits.length === 0 ? undefined : this.update(edits, mode);
  }

  /** Applies edits (UTF-16 offsets in the current text, sorted, non-overlapping) to the text and the cache. */
  async update(edits: readonly TextEdit[], requested: UpdateMode = 'pie'): Promise<UpdateStats> {
    const started = performance.now();
    const diff = diffTokens(this.model.folder.tokenizer, this.tokenized, edits);
    const oldTokens = this.tokenized.length;
    const choice = chooseMode(requested, diff.spans, oldTokens, this.model.folder.config.rope.unpatchable);
    const stats: UpdateStats = { requested, mode: choice.mode, reason: choice.reason, spans: diff.spans.length, tokensDropped: 0, tokensReencoded: 0, tokensMoved: 0, contextTokens: 0, ms: 0 };
    if (choice.mode === 'full') {
      const cache = await DocumentSession.encode(this.model, [...this.leading, ...diff.next.ids]);
      this.cache.dispose();
      this.cache = cache;
      Object.assign(stats, { tokensDropped: oldTokens, tokensReencoded: diff.next.length });
    } else {
      try {
        await this.patch(diff.spans, choice.mode, stats);
      } catch (err) {
        this.reset(); // a half-patched cache must never pass for the text: the next update re-encodes it all
        throw err;
      }
    }
    this.tokenized = diff.next;
    stats.contextTokens = this.cache.length;
    stats.ms = performance.now() - started;
    return stats;
  }

  /** PIE (or conflict): per span, left to right with a running Δ — encode the new ids over the prefix, then splice. */
  private async patch(spans: readonly TokenSpan[], mode: 'pie' | 'conflict', stats: UpdateStats): Promise<void> {
    let shift = this.leading.length;
    for (const span of spans) {
      const start = span.start + shift;
      const end = span.end + shift;
      const n = this.cache.length;
      const delta = span.ids.length - (end - start);
      if (span.ids.length > 0) {
        const positions = span.ids.map((_, k) => start + k);
        await this.model.forward(span.ids, positions, this.cache, { maskRows: [start, n], logits: 'none' });
      }
      await this.ops.splice(this.cache, start, end, n, mode === 'pie' ? delta : 0);
      stats.tokensDropped += end - start;
      stats.tokensReencoded += span.ids.length;
      stats.tokensMoved += n - end;
      shift += delta;
    }
  }

  /**
   * A working copy for generation: rows of every cached token but the last, and that last token as the prompt,
   * so its logits are computed on the current text (PIE's step 6: re-feed the last context token).
   */
  async forkForGeneration(): Promise<{ cache: KvCache; prompt: number[] }> {
    const ids = this.ids;
    if (ids.length === 0) return { cache: this.model.newCache(), prompt: [] };
    return { cache: await this.ops.copyRows(this.cache, 0, ids.length - 1), prompt: [ids[ids.length - 1]!] };
  }

  /** Forgets the text and the cache: the session then stands for an empty document. */
  private reset(): void {
    this.cache.dispose();
    this.cache = this.model.newCache();
    this.tokenized = TokenizedText.encode(this.model.folder.tokenizer, '');
  }

  dispose(): void {
    this.cache.dispose();
  }
}
