// Per-document cached states (PIE sessions): created on first use, kept in step with edits, bounded, with stats.
import type { CompletionRequest, CompletionResult, DocumentSession, Engine } from '../../runtime/src/index.js';
import type { DocumentStats, SpliceSettings } from './protocol.js';

/** Open documents whose caches are kept; the least recently used one is dropped beyond this. */
const MAX_SESSIONS = 8;

/** The status bar's one line about a document's cache. */
export function describeCache(stats: DocumentStats): string {
  const reuse = stats.cachedTokens ? `reused ${stats.lastCompletion?.reusedTokens ?? 0} of ${stats.cachedTokens} cached tokens` : 'no cache (document longer than the cache window)';
  const u = stats.lastUpdate;
  if (!u) return reuse;
  const how = u.mode === 'full' ? `re-encoded ${u.tokensReencoded}${u.reason ? ` (${u.reason})` : ''}` : `${u.mode} re-encoded ${u.tokensReencoded}, moved ${u.tokensMoved}`;
  return `${reuse} · ${how} in ${u.ms.toFixed(1)} ms`;
}

export class DocumentCaches {
  private engine: Engine | undefined;
  private readonly sessions = new Map<string, DocumentSession>();
  private readonly stats = new Map<string, DocumentStats>();

  /** `onCompletion` hears what each completion encoded (the server's splice/metrics counters). */
  constructor(private readonly onCompletion: (encodedTokens: number) => void = () => undefined) {}

  /**
   * Brings `uri`'s session to `text` (creating it from `text` the first time). Returns the session, or undefined when
   * the document does not fit a session on this engine (completions then encode a window around the cursor).
   */
  async sync(engine: Engine, uri: string, text: string, maxTokens: number, signal?: AbortSignal): Promise<DocumentSession | undefined> {
    if (engine !== this.engine) this.clear(engine);
    let session = this.sessions.get(uri);
    if (session) {
      this.sessions.delete(uri); // re-insert: most recently used last
      const update = await session.syncTo(text);
      if (update) this.record(uri, { lastUpdate: update });
    } else {
      if (!this.fits(engine, text, maxTokens)) return this.forget(uri);
      session = await engine.openCompletionSession(text, signal);
    }
    if (session.kvCache.length > engine.sessionTokenLimit(maxTokens)) {
      session.dispose(); // grew past the window
      return this.forget(uri);
    }
    this.sessions.set(uri, session);
    this.evict();
    this.record(uri, { cachedTokens: session.kvCache.length });
    return session;
  }

  /**
   * Completes through the document's session when it has one (never with cacheMode `none`), else from a fresh
   * window; records what was reused.
   */
  async complete(engine: Engine, uri: string, req: CompletionRequest, cacheMode: SpliceSettings['cacheMode'] = 'pie'): Promise<CompletionResult> {
    const session = cacheMode === 'none' ? undefined : await this.sync(engine, uri, req.text, req.maxTokens, req.signal);
    const result = session ? await engine.completeInSession(session, req) : await engine.complete(req);
    const reusedTokens = 'reusedTokens' in result ? (result.reusedTokens as number) : 0;
    this.record(uri, { lastCompletion: { reusedTokens, promptTokens: result.promptTokens, generatedTokens: result.generatedTokens, encodedTokens: result.promptTokens - reusedTokens, ms: Math.round(result.ms * 10) / 10 } });
    this.onCompletion(result.promptTokens - reusedTokens);
    return result;
  }

  statsFor(uri?: string): DocumentStats[] {
    return [...this.stats.values()].filter((s) => uri === undefined || s.uri === uri);
  }

  drop(uri: string): void {
    this.sessions.get(uri)?.dispose();
    this.sessions.delete(uri);
    this.stats.delete(uri);
  }

  clear(engine?: Engine): void {
    for (const s of this.sessions.values()) s.dispose();
    this.sessions.clear();
    this.engine = engine;
  }

  private fits(engine: Engine, text: string, maxTokens: number): boolean {
    if (!engine.model.folder.tokenizer.tokenByteLengths()) return false; // PIE needs byte-level BPE offsets
    const limit = engine.sessionTokenLimit(maxTokens);
    // A cheap bound first (a token is rarely over 16 characters), then the real count.
    return text.length <= limit * 16 && engine.model.folder.tokenizer.encode(text).length <= limit;
  }

  private forget(uri: string): undefined {
    this.sessions.delete(uri);
    this.record(uri, { cachedTokens: 0 });
    return undefined;
  }

  private evict(): void {
    for (const [uri, s] of this.sessions) {
      if (this.sessions.size <= MAX_SESSIONS) break;
      s.dispose();
      this.sessions.delete(uri);
      this.record(uri, { cachedTokens: 0 });
    }
  }

  private record(uri: string, patch: Partial<DocumentStats>): void {
    this.stats.set(uri, { ...(this.stats.get(uri) ?? { uri, cachedTokens: 0 }), ...patch });
  }

  /** The status line for a document, if it has stats. */
  describe(uri: string): string | undefined {
    const s = this.stats.get(uri);
    return s && describeCache(s);
  }
}

