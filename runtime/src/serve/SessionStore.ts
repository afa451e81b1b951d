// Per-document PIE sessions on one engine: made for the documents the user completes in, evicted by recency of use.
import type { CompletionRequest, Confidence, Engine } from '../engine/Engine.js';
import type { DocumentSession, UpdateStats } from '../pie/DocumentSession.js';

/** Sessions kept at once; the least recently used one is dropped beyond this. */
export const MAX_SESSIONS = 8;
/** Documents longer than this (UTF-16 units) get no session: completions encode a window around the cursor instead. */
export const MAX_SESSION_CHARS = 1_000_000;

/** What a document's cache did last (the shape of `splice/stats`). */
export interface SessionStats {
  uri: string;
  /** Document tokens held in the cache (0: no session). */
  cachedTokens: number;
  /** Why the document cannot have a session now (its completions encode a window from scratch). */
  noCache?: string;
  /** The cached window of the document's tokens, and the document's length in tokens. */
  window?: { start: number; end: number; documentTokens: number };
  lastUpdate?: Omit<UpdateStats, 'window' | 'contextTokens'>;
  lastCompletion?: { reusedTokens: number; promptTokens: number; generatedTokens: number; encodedTokens: number; firstTokenMs: number; ms: number };
}

export interface StoreCompletion {
  completion: string;
  stopReason: string;
  confidence?: Confidence;
  stats: SessionStats;
}

const round1 = (ms: number) => Math.round(ms * 10) / 10;

export class SessionStore {
  /** Least recently used first. */
  private readonly sessions = new Map<string, DocumentSession>();
  private readonly stats = new Map<string, SessionStats>();

  constructor(
    private readonly engine: Engine,
    /** Documents that must not get (or keep) a session: closed ones. */
    private readonly isClosed: (uri: string) => boolean,
  ) {}

  /**
   * The document as its session holds it: the text the tokenizer's normalizer makes of it (Qwen2's NFC composes
   * decomposed characters), which has the same tokens, so the cache stays exact; a cursor offset is carried into it.
   * A refusal (with the reason) when it cannot be cached: too long, not byte-level BPE, a normalizer whose output it
   * would change again, or a cursor inside a sequence the normalizer rewrites.
   */
  view(text: string, offset?: number): { text: string; offset?: number } | { refusal: string } {
    if (text.length > MAX_SESSION_CHARS) return { refusal: `the document is longer than ${MAX_SESSION_CHARS} characters` };
    const tokenizer = this.engine.model.folder.tokenizer;
    if (tokenizer.tokenByteLengths() === undefined) return { refusal: 'the tokenizer is not byte-level BPE' };
    const problem = tokenizer.offsetProblem(text);
    if (!problem) return { text, offset };
    const normalized = tokenizer.normalize(text);
    const stillChanged = tokenizer.offsetProblem(normalized);
    if (stillChanged) return { refusal: `${problem}, and again after normalizing (${stillChanged})` };
    if (offset === undefined) return { text: normalized };
    const before = tokenizer.normalize(text.slice(0, offset));
    if (before + tokenizer.normalize(text.slice(offset)) !== normalized) return { refusal: `${problem}, and the cursor sits inside a sequence it rewrites` };
    return { text: normalized, offset: before.length };
  }

  has(uri: string): boolean {
    return this.sessions.has(uri);
  }

  /** Brings an existing session up to `text` in the background (its window stays where the edits carried it). */
  async sync(uri: string, text: string, signal: AbortSignal): Promise<void> {
    const session = this.sessions.get(uri);
    if (!session) return;
    const v = this.view(text);
    if ('refusal' in v) {
      this.drop(uri, false);
      this.record(uri, undefined, { noCache: v.refusal });
      return;
    }
    const update = await session.syncTo(v.text, 'pie', undefined, signal);
    if (update) this.record(uri, session, { lastUpdate: strip(update) });
  }

  /** Makes a session for `uri` if it has none (a warm-up for the document the user looks at). */
  async warm(uri: string, text: string, maxTokens: number, offset: number | undefined, signal: AbortSignal): Promise<void> {
    if (this.sessions.has(uri) || this.isClosed(uri)) return;
    const v = this.view(text, offset);
    if ('refusal' in v) return;
    await this.open(uri, v.text, maxTokens, v.offset, signal);
  }

  /**
   * Completes through the document's session (made on first use), or from a window encoded afresh when it cannot have
   * one or `useSession` is false (the `none` cache mode, the latency baseline).
   */
  async complete(uri: string, req: CompletionRequest, useSession = true): Promise<StoreCompletion> {
    const v = useSession && !this.isClosed(uri) ? this.view(req.text, req.offset) : undefined;
    const refusal = v && 'refusal' in v ? v.refusal : undefined;
    if (!v || refusal) {
      if (refusal && this.sessions.has(uri)) this.drop(uri, false); // its text can no longer be cached
      const r = await this.engine.complete(req);
      const lastCompletion = { reusedTokens: 0, promptTokens: r.promptTokens, generatedTokens: r.generatedTokens, encodedTokens: r.promptTokens, firstTokenMs: round1(r.firstTokenMs), ms: round1(r.ms) };
      return { completion: r.completion, stopReason: r.stopReason, confidence: r.confidence, stats: this.record(uri, undefined, { lastCompletion, noCache: refusal }) };
    }
    const at = { ...req, ...(v as { text: string; offset: number }) }; // the request over the normalized text
    const fresh = !this.sessions.has(uri);
    const opened = performance.now();
    const session = this.sessions.get(uri) ?? (await this.open(uri, at.text, at.maxTokens, at.offset, at.signal));
    const r = await this.engine.completeInSession(session, at);
    this.touch(uri, session);
    const encoded = r.encodedTokens + (fresh ? session.kvCache.length : 0);
    const ms = fresh ? performance.now() - opened : r.ms;
    const firstTokenMs = r.firstTokenMs + (ms - r.ms);
    const patch: Partial<SessionStats> = { noCache: undefined, lastCompletion: { reusedTokens: r.reusedTokens, promptTokens: r.promptTokens, generatedTokens: r.generatedTokens, encodedTokens: encoded, firstTokenMs: round1(firstTokenMs), ms: round1(ms) } };
    if (r.update) patch.lastUpdate = strip(r.update);
    return { completion: r.completion, stopReason: r.stopReason, confidence: r.confidence, stats: this.record(uri, session, patch) };
  }

  private async open(uri: string, text: string, maxTokens: number, offset: number | undefined, signal?: AbortSignal): Promise<DocumentSession> {
    const session = await this.engine.openCompletionSession(text, { maxTokens, offset, signal });
    this.touch(uri, session);
    this.record(uri, session, {});
    this.evict();
    return session;
  }

  statsFor(uri?: string): SessionStats[] {
    return [...this.stats.values()].filter((s) => uri === undefined || s.uri === uri);
  }

  /** Forgets a document's stats (its session stays until drop: a running job may still use it). */
  forgetStats(uri: string): void {
    this.stats.delete(uri);
  }

  /** Forgets a document's session and, when `forget`, its stats too. */
  drop(uri: string, forget = true): void {
    this.sessions.get(uri)?.dispose();
    this.sessions.delete(uri);
    if (forget) this.stats.delete(uri);
    else this.record(uri, undefined, {});
  }

  clear(): void {
    for (const s of this.sessions.values()) s.dispose();
    this.sessions.clear();
    this.stats.clear();
  }

  private touch(uri: string, session: DocumentSession): void {
    this.sessions.delete(uri);
    this.sessions.set(uri, session);
  }

  private evict(): void {
    for (const uri of this.sessions.keys()) {
      if (this.sessions.size <= MAX_SESSIONS) break;
      this.drop(uri, false);
    }
  }

  private record(uri: string, session: DocumentSession | undefined, patch: Partial<SessionStats>): SessionStats {
    const w = session?.window;
    const base: SessionStats = { ...(this.stats.get(uri) ?? { uri, cachedTokens: 0 }), ...patch, cachedTokens: w ? w.end - w.start : 0 };
    base.window = w && session ? { start: w.start, end: w.end, documentTokens: session.tokens.length } : undefined;
    if (!this.isClosed(uri)) this.stats.set(uri, base);
    return base;
  }
}

function strip(u: UpdateStats): Omit<UpdateStats, 'window' | 'contextTokens'> {
  const { window: _w, contextTokens: _c, ...rest } = u;
  return { ...rest, ms: round1(rest.ms) };
}
