// The Splice language server: document sync, inline completions through one queued inference loop, status reports.
import { type Connection, TextDocuments, TextDocumentSyncKind, type InlineCompletionParams, type InlineCompletionList, type CancellationToken } from 'vscode-languageserver';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { InferenceQueue, type Engine } from '../../runtime/src/index.js';
import { controllerFor, delay } from './delay.js';
import { EngineHost } from './EngineHost.js';
import { DEFAULT_SETTINGS, STATUS_NOTIFICATION, type SpliceSettings, type SpliceStatus } from './protocol.js';
import { mergeSettings } from './settings.js';

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
    connection.onShutdown(() => this.host.dispose());
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
    const maxTokens = this.settings.maxTokens;
    const result = await this.queue.submit(
      doc.uri,
      async (jobSignal) => {
        this.setStatus({ state: 'busy' });
        try {
          return await engine.complete({ text, offset, maxTokens, signal: jobSignal, stopSequences: STOP_SEQUENCES });
        } finally {
          this.setStatus({ ...this.lastStatus, state: 'ready' });
        }
      },
      signal,
    );
    if (!result || result.stopReason === 'aborted' || result.completion.length === 0) return null;
    return { items: [{ insertText: result.completion, range: { start: params.position, end: params.position } }] };
  }

  listen(): void {
    this.connection.listen();
  }
}
