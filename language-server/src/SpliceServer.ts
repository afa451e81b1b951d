// The Splice language server: document sync, inline completions through one queued inference loop, status reports.
import { type Connection, TextDocuments, TextDocumentSyncKind, type InlineCompletionParams, type InlineCompletionList, type CancellationToken } from 'vscode-languageserver';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { InferenceQueue, type CompletionRequest, type CompletionResult, type Engine, type UpdateStats } from '../../runtime/src/index.js';
import { DocumentSessions } from './DocumentSessions.js';
import { controllerFor, delay } from './delay.js';
import { EngineHost } from './EngineHost.js';
import { DEFAULT_SETTINGS, STATS_REQUEST, STATUS_NOTIFICATION, type DocumentStats, type SpliceSettings, type SpliceStatus, type StatsParams } from './protocol.js';
import { mergeSettings } from './settings.js';

/** Inline completions end at a blank line. */
export const STOP_SEQUENCES = ['\n\n'];

/** Documents with NUL characters are binary: never sent to the model. */
function isBinary(text: string): boolean {
  return text.slice(0, 8192).includes('\u0000');
}

/** The status bar's one line about the cache for the last completion. */
function describeCache(stats: DocumentStats, update: UpdateStats | undefined): string {
  const reuse = stats.cachedTokens ? `reused ${stats.lastCompletion?.reusedTokens ?? 0} of ${stats.cachedTokens} cached tokens` : 'no cache (document longer than the cache window)';
  if (!update) return reuse;
  const how = update.mode === 'full' ? `re-encoded ${update.tokensReencoded}${update.reason ? ` (${update.reason})` : ''}` : `${update.mode} re-encoded ${update.tokensReencoded}, moved ${update.tokensMoved}`;
  return `${reuse} · ${how} in ${update.ms.toFixed(1)} ms`;
}

export class SpliceServer {
  private settings: SpliceSettings = DEFAULT_SETTINGS;
  private readonly documents = new TextDocuments(TextDocument);
  private readonly queue = new InferenceQueue();
  private readonly host: EngineHost;
  /** The newest inline-completion request per document; a newer one aborts it wherever it is (debounce, queue, decoding). */
  private readonly latest = new Map<string, AbortController>();
  private lastStatus: SpliceStatus = { state: 'loading' };
  private readonly sessions = new DocumentSessions();
  private readonly stats = new Map<string, DocumentStats>();

  constructor(private readonly connection: Connection) {
    this.host = new EngineHost((s) => this.setStatus(s));
    connection.onInitialize((params) => {
      this.settings = mergeSettings(DEFAULT_SETTINGS, params.initializationOptions);
      return {
        capabilities: { textDocumentSync: TextDocumentSyncKind.Incremental, inlineCompletionProvider: true },
        serverInfo: { name: 'splice', version: '0.1.0' },
      };
    });
    connection.onInitialized(() => this.warmUp());
    connection.onDidChangeConfiguration((change) => {
      const raw = (change.settings as { splice?: unknown } | undefined)?.splice ?? change.settings;
      this.settings = mergeSettings(this.settings, raw);
      this.warmUp();
    });
    connection.languages.inlineCompletion.on((params, token) => this.inlineCompletion(params, token));
    connection.onRequest(STATS_REQUEST, (params: StatsParams | undefined) => this.documentStats(params?.uri));
    connection.onShutdown(async () => {
      this.sessions.clear();
      await this.host.dispose();
    });
    this.documents.onDidClose((e) => {
      this.sessions.drop(e.document.uri);
      this.stats.delete(e.document.uri);
    });
    this.documents.listen(connection);
  }

  private warmUp(): void {
    if (!this.settings.enable) return this.setStatus({ state: 'disabled' });
    this.host.get(this.settings).catch(() => undefined); // failures are reported through splice/status
  }

  private setStatus(status: SpliceStatus): void {
    this.lastStatus = status.state === 'busy' ? { ...this.lastStatus, state: 'busy' } : status;
    void this.connection.sendNotification(STATUS_NOTIFICATION, this.lastStatus);
  }

  private async inlineCompletion(params: InlineCompletionParams, token: CancellationToken): Promise<InlineCompletionList | null> {
    const uri = params.textDocument.uri;
    this.latest.get(uri)?.abort();
    const controller = controllerFor(token);
    this.latest.set(uri, controller);
    try {
      return await this.completeAt(params, controller.signal);
    } finally {
      if (this.latest.get(uri) === controller) this.latest.delete(uri);
    }
  }

  private async completeAt(params: InlineCompletionParams, signal: AbortSignal): Promise<InlineCompletionList | null> {
    const doc = this.documents.get(params.textDocument.uri);
    if (!this.settings.enable || !doc) return null;
    if (!(await delay(this.settings.debounceMs, signal))) return null;
    const text = doc.getText();
    if (isBinary(text)) return null;
    const offset = doc.offsetAt(params.position);
    let engine: Engine;
    try {
      engine = await this.host.get(this.settings);
    } catch {
      return null; // reported once through splice/status; the editor keeps working
    }
    const request: CompletionRequest = { text, offset, maxTokens: this.settings.maxTokens, stopSequences: STOP_SEQUENCES };
    const result = await this.queue.submit(
      doc.uri,
      async (jobSignal) => {
        this.setStatus({ state: 'busy' });
        try {
          return await this.runCompletion(engine, doc.uri, { ...request, signal: jobSignal });
        } finally {
          this.setStatus({ ...this.lastStatus, state: 'ready' });
        }
      },
      signal,
    );
    if (!result || result.stopReason === 'aborted' || result.completion.length === 0) return null;
    return { items: [{ insertText: result.completion, range: { start: params.position, end: params.position } }] };
  }

  /** Completes through the document's PIE session when it fits the cache window, else from a fresh window. */
  private async runCompletion(engine: Engine, uri: string, req: CompletionRequest & { signal: AbortSignal }) {
    let session = await this.sessions.get(engine, uri, req.text, req.maxTokens, req.signal);
    let update: UpdateStats | undefined;
    if (session) {
      update = await session.syncTo(req.text);
      if (session.kvCache.length > engine.sessionTokenLimit(req.maxTokens)) {
        this.sessions.drop(uri); // grew past the window: completions fall back to a fresh window
        session = undefined;
      }
    }
    const result: CompletionResult & { reusedTokens?: number } = session ? await engine.completeInSession(session, req) : await engine.complete(req);
    const reused = result.reusedTokens ?? 0;
    const entry: DocumentStats = {
      uri,
      cachedTokens: session ? session.kvCache.length : 0,
      lastUpdate: update ?? this.stats.get(uri)?.lastUpdate,
      lastCompletion: { reusedTokens: reused, promptTokens: result.promptTokens, generatedTokens: result.generatedTokens, ms: Math.round(result.ms * 10) / 10 },
    };
    this.stats.set(uri, entry);
    this.lastStatus = { ...this.lastStatus, cache: describeCache(entry, update) };
    return result;
  }

  private documentStats(uri?: string): DocumentStats[] {
    return [...this.stats.values()].filter((s) => uri === undefined || s.uri === uri);
  }

  listen(): void {
    this.connection.listen();
  }
}
