// One document's cached state: its tokens and the KV cache of a window of them, kept in step with edits by PIE.
import { throwIfAborted } from '../errors.js';
import { prefill } from '../generate/generate.js';
import type { KvCache } from '../kv/KvCache.js';
import type { KvOps } from '../kv/KvOps.js';
import type { LanguageModel } from '../model/LanguageModel.js';
import { TokenizedText } from '../tokenizer/TokenizedText.js';
import { editsBetween } from './editsBetween.js';
import { mapWindow, planWindow, windowLength, type TokenWindow } from './sessionWindow.js';
import { diffTokens, type TextEdit, type TokenSpan } from './tokenDiff.js';
import { chooseMode, slideCost, type UpdateMode } from './updatePolicy.js';

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
  /** Rows in the cache after the update (leading ids included). */
  contextTokens: number;
  /** The cached window of document tokens after the update, and how far it moved (0: it stayed). */
  window: TokenWindow;
  windowMoved: number;
  ms: number;
}

export interface SessionOptions {
  /** Token ids cached before the text (e.g. a FIM prefix token); never edited. */
  leading?: readonly number[];
  /** Most document tokens the cache holds (default: all); a longer document is cached as a window around the focus. */
  windowTokens?: number;
  /** UTF-8 byte offset the window is placed around (default: the end of the text). */
  focusByte?: number;
  signal?: AbortSignal;
}

export class DocumentSession {
  private constructor(
    private readonly model: LanguageModel,
    private readonly ops: KvOps,
    private readonly leading: readonly number[],
    private readonly limit: number,
    private tokenized: TokenizedText,
    private win: TokenWindow,
    private cache: KvCache,
  ) {}

  /** Encodes `text` (its window around the focus, after the leading ids) from scratch into a new cache. */
  static async open(model: LanguageModel, ops: KvOps, text: string, opts: SessionOptions = {}): Promise<DocumentSession> {
    const tokenized = TokenizedText.encode(model.folder.tokenizer, text);
    const leading = opts.leading ?? [];
    const limit = opts.windowTokens ?? Number.POSITIVE_INFINITY;
    const focus = tokenized.tokenAt(opts.focusByte ?? tokenized.bytes.length);
    const win = planWindow({ start: 0, end: 0 }, tokenized.length, limit, focus);
    const cache = await DocumentSession.encode(model, [...leading, ...tokenized.ids.slice(win.start, win.end)], opts.signal);
    return new DocumentSession(model, ops, leading, limit, tokenized, win, cache);
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

  /** All cached ids: the leading ids, then the window's. */
  get ids(): number[] {
    return [...this.leading, ...this.tokenized.ids.slice(this.win.start, this.win.end)];
  }

  get kvCache(): KvCache {
    return this.cache;
  }

  /** The whole text's tokens with their byte offsets (without the leading ids). */
  get tokens(): TokenizedText {
    return this.tokenized;
  }

  /** The document tokens the cache holds: row leadingCount + k is token window.start + k. */
  get window(): TokenWindow {
    return { ...this.win };
  }

  get leadingCount(): number {
    return this.leading.length;
  }

  /**
   * Brings the session to `text` (whatever edits happened since the last sync) with its window serving `focusByte`
   * (a byte offset in `text`; default: the window stays where the edits carried it). Undefined when nothing changed.
   */
  async syncTo(text: string, mode: UpdateMode = 'pie', focusByte?: number, signal?: AbortSignal): Promise<UpdateStats | undefined> {
    const edits = editsBetween(this.tokenized.text, text);
    if (edits.length > 0) return this.update(edits, mode, focusByte, signal);
    return focusByte === undefined ? undefined : this.focus(focusByte, signal);
  }

  /** Moves the window (a PIE edit of the cache: head rows dropped or added, keys rotated by −Δ, tail encoded) so it serves `focusByte`. */
  async focus(focusByte: number, signal?: AbortSignal): Promise<UpdateStats | undefined> {
    const target = planWindow(this.win, this.tokenized.length, this.limit, this.tokenized.tokenAt(focusByte));
    if (target.start === this.win.start && target.end === this.win.end) return undefined;
    const started = performance.now();
    const stats = this.emptyStats('pie');
    const previous = this.win.start;
    await this.guarded(() => this.moveTo(target, 'pie', stats, signal));
    stats.windowMoved = Math.abs(this.win.start - previous);
    return this.finish(stats, started);
  }

  /** Applies edits (UTF-16 offsets in the current text, sorted, non-overlapping) to the text and the cache. */
  async update(edits: readonly TextEdit[], requested: UpdateMode = 'pie', focusByte?: number, signal?: AbortSignal): Promise<UpdateStats> {
    const started = performance.now();
    const diff = diffTokens(this.model.folder.tokenizer, this.tokenized, edits);
    const mapped = diff.spans && mapWindow(this.win, this.tokenized.length, diff.spans);
    const carried = mapped?.window ?? { start: Math.min(this.win.start, diff.next.length), end: Math.min(this.win.end, diff.next.length) };
    const target = this.targetAfterEdit(carried, mapped?.spans ?? [], diff.next, focusByte);
    const moveTokens = mapped ? slideCost(carried, target) : 0;
    const choice = chooseMode(requested, mapped?.spans, windowLength(this.win), this.model.folder.config.rope.unpatchable, moveTokens);
    const stats = this.emptyStats(requested);
    Object.assign(stats, { mode: choice.mode, reason: choice.reason, spans: mapped?.spans.length ?? 0 });
    const previous = this.win;
    this.tokenized = diff.next;
    await this.guarded(async () => {
      if (choice.mode === 'full') return this.reencode(target, stats, signal);
      await this.patch(mapped!.spans, choice.mode as 'pie' | 'conflict', stats);
      this.win = carried;
      await this.moveTo(target, choice.mode as 'pie' | 'conflict', stats, signal);
    });
    stats.windowMoved = Math.abs(this.win.start - previous.start);
    return this.finish(stats, started);
  }

  /**
   * Where the window goes after an edit: around `focusByte` when given; else it stays where the edit carried it,
   * trimmed around the last edit when it grew past its limit.
   */
  private targetAfterEdit(carried: TokenWindow, spans: readonly TokenSpan[], next: TokenizedText, focusByte?: number): TokenWindow {
    if (next.length <= this.limit) return { start: 0, end: next.length };
    if (focusByte !== undefined) return planWindow(carried, next.length, this.limit, next.tokenAt(focusByte));
    if (windowLength(carried) <= this.limit) return carried;
    let shift = 0;
    let edited = carried.end;
    for (const s of spans) {
      edited = carried.start + s.start + shift + s.ids.length;
      shift += s.ids.length - (s.end - s.start);
    }
    return planWindow(carried, next.length, this.limit, Math.min(edited, next.length));
  }

  private emptyStats(requested: UpdateMode): UpdateStats {
    return { requested, mode: requested, spans: 0, tokensDropped: 0, tokensReencoded: 0, tokensMoved: 0, contextTokens: 0, window: this.window, windowMoved: 0, ms: 0 };
  }

  private finish(stats: UpdateStats, started: number): UpdateStats {
    stats.contextTokens = this.cache.length;
    stats.window = this.window;
    stats.ms = performance.now() - started;
    return stats;
  }

  /** Runs a cache change; if it fails or is aborted half-way, the session forgets everything (never a half-patched cache). */
  private async guarded(change: () => Promise<void>): Promise<void> {
    try {
      await change();
    } catch (err) {
      this.reset();
      throw err;
    }
  }

  /** Encodes the target window from scratch. */
  private async reencode(target: TokenWindow, stats: UpdateStats, signal?: AbortSignal): Promise<void> {
    const cache = await DocumentSession.encode(this.model, [...this.leading, ...this.tokenized.ids.slice(target.start, target.end)], signal);
    stats.tokensDropped += windowLength(this.win);
    stats.tokensReencoded += windowLength(target);
    this.cache.dispose();
    this.cache = cache;
    this.win = target;
  }

  /** Moves the (up-to-date) window to `target`: drops or encodes head rows as a PIE edit, then cuts or extends the tail. */
  private async moveTo(target: TokenWindow, mode: 'pie' | 'conflict', stats: UpdateStats, signal?: AbortSignal): Promise<void> {
    const w = this.win;
    if (target.start === w.start && target.end === w.end) return;
    if (target.start >= w.end || target.end <= w.start) return this.reencode(target, stats, signal);
    const ids = this.tokenized.ids;
    const head: TokenSpan = target.start > w.start ? { start: 0, end: target.start - w.start, ids: [] } : { start: 0, end: 0, ids: ids.slice(target.start, w.start) as number[] };
    if (head.end > head.start || head.ids.length > 0) await this.patch([head], mode, stats);
    const rows = this.leading.length + (Math.min(w.end, target.end) - target.start);
    if (rows < this.cache.length) {
      stats.tokensDropped += this.cache.length - rows;
      await this.ops.truncate(this.cache, rows);
    }
    const tail = ids.slice(w.end, target.end) as number[];
    if (tail.length > 0) {
      await prefill(this.model, tail, this.cache, undefined, signal);
      throwIfAborted(signal);
      stats.tokensReencoded += tail.length;
    }
    this.win = target;
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
    this.win = { start: 0, end: 0 };
  }

  dispose(): void {
    this.cache.dispose();
  }
}
