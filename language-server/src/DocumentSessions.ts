// The server's per-document cached states (PIE sessions), bounded in number, dropped on close or engine reload.
import type { DocumentSession, Engine } from '../../runtime/src/index.js';

/** Open documents whose caches are kept; the least recently used one is dropped beyond this. */
const MAX_SESSIONS = 8;

export class DocumentSessions {
  private engine: Engine | undefined;
  private readonly sessions = new Map<string, DocumentSession>();

  /**
   * The session for `uri`, created from `text` if there is none. Undefined when the document is too long for a
   * session on this engine (completions then encode a window around the cursor instead).
   */
  async get(engine: Engine, uri: string, text: string, maxTokens: number, signal: AbortSignal): Promise<DocumentSession | undefined> {
    if (engine !== this.engine) this.clear(engine);
    const existing = this.sessions.get(uri);
    if (existing) {
      this.sessions.delete(uri); // re-insert: most recently used last
      this.sessions.set(uri, existing);
      return existing;
    }
    if (!engine.model.folder.tokenizer.tokenByteLengths()) return undefined; // PIE needs byte-level BPE offsets
    const limit = engine.sessionTokenLimit(maxTokens);
    // A cheap bound first (a token is at least one character), then the real count.
    if (text.length > limit * 16 || engine.model.folder.tokenizer.encode(text).length > limit) return undefined;
    const session = await engine.openCompletionSession(text, signal);
    this.sessions.set(uri, session);
    for (const [old, s] of this.sessions) {
      if (this.sessions.size <= MAX_SESSIONS) break;
      s.dispose();
      this.sessions.delete(old);
    }
    return session;
  }

  drop(uri: string): void {
    this.sessions.get(uri)?.dispose();
    this.sessions.delete(uri);
  }

  clear(engine?: Engine): void {
    for (const s of this.sessions.values()) s.dispose();
    this.sessions.clear();
    this.engine = engine;
  }
}
