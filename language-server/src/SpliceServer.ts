// The Splice language server: document sync, inline completions through one queued inference loop, status reports.
import { type Connection, TextDocuments, TextDocumentSyncKind, type InlineCompletionParams, type InlineCompletionList, type CancellationToken } from 'vscode-languageserver';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { InferenceQueue, type CompletionRequest, type Engine } from '../../runtime/src/index.js';
import { DocumentCaches } from './DocumentCaches.js';
import { controllerFor, delay } from './delay.js';
import { EngineHost } from './EngineHost.js';
import { DEFAULT_SETTINGS, METRICS_REQUEST, STATS_REQUEST, STATUS_NOTIFICATION, type MetricsParams, type SpliceSettings, type SpliceStatus, type StatsParams } from './protocol.js';
import { ServerMetricsMonitor } from './serverMetrics.js';
import { mergeSettings } from './settings.js';

/** Quiet time after the last change before the document's cache is patched in the background. */
const SYNC_DEBOUNCE_MS = 40;

/** Inline completions end at a blank line. */
export const STOP_SEQUENCES = ['\n\n'];

/** Documents with NUL characters are binary: never sent to the model. */
function isBinary(text: string): boolean {
  return text.slice(0, 8192).includes('\u0000');
}

export class SpliceServer {
  private settings: SpliceSettings = DEFAULT_SETTINGS;
  private readonly documents = new TextDocuments(TextDocument);
  private readonly queue = new InferenceQueue();
  private readonly host: EngineHost;
  /** The newest inline-completion request per document; a newer one aborts it wherever it is (debounce, queue, decoding). */
  private readonly latest = new Map<string, AbortController>();
  private lastStatus: SpliceStatus = { state: 'loading' };
  private readonly metrics = new ServerMetricsMonitor();
  private readonly caches = new DocumentCaches((encoded) => this.metrics.countCompletion(encoded));
  private readonly syncTimers = new Map<string, NodeJS.Timeout>();

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
    connection.onRequest(STATS_REQUEST, (params: StatsParams | undefined) => this.caches.statsFor(params?.uri));
    connection.onRequest(METRICS_REQUEST, (params: MetricsParams | undefined) => this.metrics.request(params));
    connection.onShutdown(async () => {
      for (const t of this.syncTimers.values()) clearTimeout(t);
      this.caches.clear();
      await this.host.dispose();
    });
    this.documents.onDidChangeContent((e) => this.scheduleSync(e.document.uri));
    this.documents.onDidClose((e) => {
      clearTimeout(this.syncTimers.get(e.document.uri));
      this.caches.drop(e.document.uri);
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
    const result = await this.runJob(doc.uri, signal, (jobSignal) => this.caches.complete(engine, doc.uri, { ...request, signal: jobSignal }, this.settings.cacheMode));
    if (!result || result.stopReason === 'aborted' || result.completion.length === 0) return null;
    return { items: [{ insertText: result.completion, range: { start: params.position, end: params.position } }] };
  }

  /**
   * Runs a model job on the queue with busy/ready status; the one boundary where runtime errors become a status
   * (the editor keeps working, the request answers null).
   */
  private async runJob<T>(uri: string, signal: AbortSignal | undefined, job: (signal: AbortSignal) => Promise<T>): Promise<T | undefined> {
    try {
      return await this.queue.submit(
        uri,
        async (jobSignal) => {
          this.setStatus({ state: 'busy' });
          try {
            return await job(jobSignal);
          } finally {
            this.setStatus({ ...this.lastStatus, state: 'ready', cache: this.caches.describe(uri) ?? this.lastStatus.cache });
          }
        },
        signal,
      );
    } catch (err) {
      this.setStatus({ ...this.lastStatus, state: 'error', detail: (err as Error).message });
      this.connection.console.error(`splice: ${(err as Error).stack ?? String(err)}`);
      return undefined;
    }
  }

  /** After edits settle, brings the document's cache up to date in the background (PIE on every edit burst). */
  private scheduleSync(uri: string): void {
    clearTimeout(this.syncTimers.get(uri));
    this.syncTimers.set(
      uri,
      setTimeout(() => {
        this.syncTimers.delete(uri);
        void this.syncNow(uri);
      }, SYNC_DEBOUNCE_MS),
    );
  }

  private async syncNow(uri: string): Promise<void> {
    const doc = this.documents.get(uri);
    if (!doc || !this.settings.enable || !this.host.loaded || this.settings.cacheMode === 'none') return;
    const text = doc.getText();
    if (isBinary(text)) return;
    const engine = await this.host.get(this.settings);
    await this.runJob(`sync:${uri}`, undefined, (signal) => this.caches.sync(engine, uri, text, this.settings.maxTokens, signal));
  }

  listen(): void {
    this.connection.listen();
  }
}
