// The Splice language server: document sync, inline completions and status; inference runs in the engine worker.
import { type Connection, TextDocuments, TextDocumentSyncKind, InlineCompletionTriggerKind, type InlineCompletionParams, type InlineCompletionList, type CancellationToken } from 'vscode-languageserver';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { EngineWorkerClient, type CoreStatus, type ServeCompletionRequest, type StoreCompletion } from '../../runtime/src/index.js';
import { describeCache } from './cacheLine.js';
import { isOffered } from './completion/filter/documentFilter.js';
import { passesGate } from './completion/gate/confidenceGate.js';
import { ALTERNATIVES, distinctItems, sampling } from './completion/nbest/alternatives.js';
import { firstShown, type FirstShown } from './completion/fallback/firstShown.js';
import type { Shaped } from './completion/place/shapeByPlace.js';
import { stopsFor } from './completion/pipeline.js';
import { ShapeWorkerClient } from './completion/ShapeWorkerClient.js';
import { placeOf } from './completion/place/placeOf.js';
import { TypedThroughCache } from './completion/reuse/TypedThroughCache.js';
import { itemInDocument, viewWithSelected, type CompletionView } from './completion/suggest/selectedCompletion.js';
import { controllerFor, delay } from './delay.js';
import { registerModelRequests } from './modelRequests.js';
import { ACCEPTED_COMMAND, ACCEPTED_NOTIFICATION, DEFAULT_SETTINGS, METRICS_REQUEST, STATS_REQUEST, STATUS_NOTIFICATION, VISIBLE_DOCUMENTS_NOTIFICATION, type DocumentStats, type MetricsParams, type SpliceSettings, type SpliceStatus, type StatsParams, type VisibleDocumentsParams } from './protocol.js';
import { ServerMetricsMonitor } from './serverMetrics.js';
import { mergeSettings } from './settings.js';
import { EditorTool } from './tools/EditorTool.js';
import { ToolRouter } from './tools/ToolRouter.js';
import { fileURLToPath } from 'node:url';

/** Quiet time after the last change before the document's cache is patched in the background. */
const SYNC_DEBOUNCE_MS = 40;

/** Block completions end at a blank line (one-line places stop at the line's end: see completion/pipeline.ts). */
export const STOP_SEQUENCES = ['\n\n'];

/** Most milliseconds one language-service call may take while decoding (then the completion goes on without it). */
export const TOOL_BUDGET_MS = 150;

/** Documents with NUL characters are binary: never sent to the model. */
function isBinary(text: string): boolean {
  return text.slice(0, 8192).includes('\u0000');
}

export class SpliceServer {
  private settings: SpliceSettings = DEFAULT_SETTINGS;
  private readonly documents = new TextDocuments(TextDocument);
  private readonly engine: EngineWorkerClient;
  /** The newest inline-completion request per document; a newer one aborts it wherever it is (debounce, queue, decoding). */
  private readonly latest = new Map<string, AbortController>();
  private lastStatus: SpliceStatus = { state: 'loading' };
  private core: CoreStatus = { state: 'loading' };
  private inFlight = 0;
  /** The last completion's failure (cleared by the next success): shown as an error over a loaded engine. */
  private failure: string | undefined;
  private readonly syncTimers = new Map<string, NodeJS.Timeout>();
  private readonly metrics = new ServerMetricsMonitor();
  /** Recent items per document and text before the cursor: typing along a suggestion keeps its rest. */
  private readonly reuse = new TypedThroughCache(32);

  /** The language services tool-guided decoding asks (see tools/ToolRouter.ts). */
  private readonly tools: ToolRouter;
  private workspaceRoot = process.cwd();

  constructor(private readonly connection: Connection) {
    const editor = new EditorTool(connection, (uri, offset) => {
      const doc = this.documents.get(uri);
      return doc && { text: doc.getText(), position: doc.positionAt(offset) };
    });
    this.tools = new ToolRouter(editor, () => this.workspaceRoot);
    this.engine = new EngineWorkerClient({ status: (s) => this.onCoreStatus(s), log: (line) => connection.console.error(`splice: ${line}`), tool: (q, signal) => this.tools.names(q, signal) });
    connection.onInitialize((params) => {
      this.settings = mergeSettings(DEFAULT_SETTINGS, params.initializationOptions);
      const folder = params.workspaceFolders?.[0]?.uri ?? params.rootUri;
      if (folder?.startsWith('file://')) this.workspaceRoot = fileURLToPath(folder);
      return {
        capabilities: { textDocumentSync: TextDocumentSyncKind.Incremental, inlineCompletionProvider: true },
        serverInfo: { name: 'splice', version: '0.1.0' },
      };
    });
    connection.onInitialized(() => this.configure());
    connection.onDidChangeConfiguration((change) => {
      const raw = (change.settings as { splice?: unknown } | undefined)?.splice ?? change.settings;
      this.settings = mergeSettings(this.settings, raw);
      this.configure();
    });
    connection.languages.inlineCompletion.on((params, token) => this.inlineCompletion(params, token));
    connection.onRequest(STATS_REQUEST, (params: StatsParams | undefined) => this.engine.stats(params?.uri).catch(() => []) as Promise<DocumentStats[]>);
    connection.onRequest(METRICS_REQUEST, (params: MetricsParams | undefined) => this.metrics.request(params));
    connection.onNotification(VISIBLE_DOCUMENTS_NOTIFICATION, (p: VisibleDocumentsParams) => this.warmActive(p));
    connection.onNotification(ACCEPTED_NOTIFICATION, () => this.metrics.countAccepted());
    registerModelRequests(connection);
    connection.onShutdown(async () => {
      for (const t of this.syncTimers.values()) clearTimeout(t);
      await Promise.all([this.engine.shutdown(), this.shaper.dispose(), this.tools.dispose()]);
    });
    this.documents.onDidOpen((e) => {
      this.engine.opened(e.document.uri);
      this.shaper.warm(e.document.languageId); // the grammar loads before the first completion needs it
      if (this.settings.enable && this.settings.toolGuided) this.tools.warm(e.document.uri, e.document.languageId, e.document.getText());
    });
    this.documents.onDidChangeContent((e) => this.scheduleSync(e.document.uri));
    this.documents.onDidClose((e) => {
      clearTimeout(this.syncTimers.get(e.document.uri));
      this.syncTimers.delete(e.document.uri);
      this.latest.get(e.document.uri)?.abort();
      this.reuse.forget(e.document.uri);
      this.engine.close(e.document.uri).catch((err: unknown) => this.logError(err));
    });
    this.documents.listen(connection);
  }

  private configure(): void {
    if (!this.settings.enable) return this.setStatus({ state: 'disabled' });
    const { modelPath, device, modelVariant, decoderGraph, maxTokens, cacheMode, fimFrame, sampling, toolGuided } = this.settings;
    this.engine.configure({ modelPath, device, modelVariant, graph: decoderGraph, maxTokens, cacheMode, fimFrame, promptMode: sampling, toolGuided, toolBudgetMs: TOOL_BUDGET_MS });
    this.showState(); // re-enabled over an engine that stays loaded: no new status comes from the worker
  }

  private onCoreStatus(s: CoreStatus): void {
    this.core = s;
    this.failure = undefined;
    this.showState();
  }

  private setStatus(status: SpliceStatus): void {
    this.lastStatus = status;
    void this.connection.sendNotification(STATUS_NOTIFICATION, status);
  }

  private async inlineCompletion(params: InlineCompletionParams, token: CancellationToken): Promise<InlineCompletionList | null> {
    const uri = params.textDocument.uri;
    this.latest.get(uri)?.abort();
    const controller = controllerFor(token);
    this.latest.set(uri, controller);
    const started = performance.now();
    try {
      const list = await this.completeAt(params, controller.signal);
      if (list?.items.length) this.metrics.countShown(performance.now() - started);
      return list;
    } finally {
      if (this.latest.get(uri) === controller) this.latest.delete(uri);
    }
  }

  private async completeAt(params: InlineCompletionParams, signal: AbortSignal): Promise<InlineCompletionList | null> {
    const doc = this.documents.get(params.textDocument.uri);
    if (!this.settings.enable || !doc || !isOffered(this.settings, doc)) return null;
    const text = doc.getText();
    if (isBinary(text)) return null;
    const offset = doc.offsetAt(params.position);
    const selected = params.context?.selectedCompletionInfo;
    const view = viewWithSelected(text, offset, selected && { start: doc.offsetAt(selected.range.start), end: doc.offsetAt(selected.range.end), text: selected.text });
    // Typing along a shown suggestion: its rest at once, no debounce and no model call.
    const reused = this.reuse.lookup(doc.uri, view.text, view.offset);
    if (reused) this.metrics.countReuse();
    const invoked = params.context?.triggerKind === InlineCompletionTriggerKind.Invoked;
    if (reused && !invoked) return this.itemList(doc, view, offset, [reused]);
    if (!reused && !(await delay(this.settings.debounceMs, signal))) return null;
    const place = placeOf(view.text, view.offset, doc.languageId);
    const req = { text: view.text, offset: view.offset, languageId: doc.languageId, ...stopsFor(place) };
    const first = reused ? { item: reused, calls: 0 } : await this.firstModelItem(doc, req, signal);
    const item = first.item;
    if (signal.aborted) return null;
    if (item && !reused) this.reuse.remember(doc.uri, view.text, view.offset, item);
    // Asked for explicitly (Alt+] / Alt+[ cycling, the trigger command): a few sampled alternatives after it (samples
    // the fallback has not drawn yet).
    const items = item ? [item] : [];
    if (invoked) {
      const drawn = Math.max(0, first.calls - 1);
      for (let k = drawn + 1; k <= drawn + ALTERNATIVES; k++) {
        const alt = await this.modelItem(doc, { ...req, sampling: sampling(k) }, signal);
        if (signal.aborted) return null;
        if (alt) items.push(alt);
      }
    }
    return items.length ? this.itemList(doc, view, offset, distinctItems(items)) : null;
  }

  /** The greedy completion's item, or when nothing of it is shown, the first fallback sample's (fallback/firstShown.ts). */
  private async firstModelItem(doc: TextDocument, req: ServeCompletionRequest, signal: AbortSignal): Promise<FirstShown> {
    const shown = await firstShown(async (s) => {
      const item = await this.modelItem(doc, s ? { ...req, sampling: s } : req, signal);
      // A held-back, empty or failed greedy completion ends the search; a fallback that shows nothing lets the next run.
      return signal.aborted || (item === undefined && !s) ? undefined : (item ?? null);
    }, this.settings.fallbackSamples);
    if (shown.from) this.metrics.countFallbackShown();
    return shown;
  }

  /**
   * One model completion at the view's cursor, through the confidence gate and the shaping pipeline: its item, null if
   * the pipeline shows nothing of it, undefined if there is none to show (failed, aborted, empty, held back by the gate).
   */
  private async modelItem(doc: TextDocument, req: ServeCompletionRequest, signal: AbortSignal): Promise<Shaped | null | undefined> {
    const result = await this.track(() => this.engine.complete(doc.uri, req, signal));
    if (!result || result.stopReason === 'aborted' || result.completion.length === 0) return undefined;
    if (!passesGate(result.confidence, this.settings.minConfidence)) {
      this.metrics.countGated();
      return undefined;
    }
    // Shaping parses with tree-sitter: in its own worker, so the LSP thread never waits on a parse.
    const shaped = await this.shaper.shape({ text: req.text, offset: req.offset, languageId: doc.languageId, completion: result.completion, stopReason: result.stopReason });
    this.metrics.countShape(shaped.ms);
    this.logGrammarFailures(shaped.grammarFailures, shaped.error);
    return shaped.outcome?.item ?? null;
  }

  /** The LSP answer: the items in document positions (extending the suggest widget's selection, if any). */
  private itemList(doc: TextDocument, view: CompletionView, offset: number, shaped: readonly Shaped[]): InlineCompletionList {
    return {
      items: shaped.map((x) => {
        const { insertText, start, end } = itemInDocument(view, offset, x);
        // VS Code runs the item's command when the user accepts it: the acceptance rate in `splice/metrics`.
        return { insertText, range: { start: doc.positionAt(start), end: doc.positionAt(end) }, command: { title: 'Splice: completion accepted', command: ACCEPTED_COMMAND } };
      }),
    };
  }

  private loggedGrammarFailures = 0;
  private readonly shaper = new ShapeWorkerClient();

  private logGrammarFailures(failures: [string, string][], error?: string): void {
    if (error) this.connection.console.error(`splice: shaping: ${error}`);
    if (failures.length === this.loggedGrammarFailures) return;
    this.loggedGrammarFailures = failures.length;
    for (const [name, why] of failures) this.connection.console.error(`splice: the ${name} grammar did not load (indentation rules instead): ${why}`);
  }

  /**
   * Runs a completion with busy/ready status; the one boundary where engine failures become a status
   * (the editor keeps working, the request answers null).
   */
  private async track(run: () => Promise<StoreCompletion | undefined>): Promise<StoreCompletion | undefined> {
    this.inFlight++;
    this.showState();
    try {
      const r = await run();
      if (r) {
        this.failure = undefined;
        this.lastStatus = { ...this.lastStatus, cache: describeCache(r.stats as DocumentStats) };
        this.metrics.countCompletion(r.stats.lastCompletion?.encodedTokens ?? 0);
      }
      return r;
    } catch (err) {
      this.logError(err);
      this.failure = (err as Error).message;
      return undefined;
    } finally {
      this.inFlight--;
      this.showState();
    }
  }

  /** The status bar's state: the engine's, over it a completion's failure, and busy while completions run. */
  private showState(): void {
    if (!this.settings.enable) return;
    const c = this.core;
    if (c.state === 'ready' && this.failure) return this.setStatus({ ...c, state: 'error', detail: this.failure, cache: this.lastStatus.cache });
    this.setStatus({ ...c, state: c.state === 'ready' && this.inFlight > 0 ? 'busy' : c.state, cache: this.lastStatus.cache });
  }

  private logError(err: unknown): void {
    this.connection.console.error(`splice: ${(err as Error)?.stack ?? String(err)}`);
  }

  /** After edits settle, brings the document's cache (if it has one) up to date in the background. */
  private scheduleSync(uri: string): void {
    clearTimeout(this.syncTimers.get(uri));
    this.syncTimers.set(
      uri,
      setTimeout(() => {
        this.syncTimers.delete(uri);
        const doc = this.documents.get(uri);
        if (!doc || !this.settings.enable || isBinary(doc.getText())) return;
        this.engine.sync(uri, doc.getText()).catch((err: unknown) => this.logError(err));
      }, SYNC_DEBOUNCE_MS),
    );
  }

  /** The document the user looks at gets a session in the background, before its first completion. */
  private warmActive(p: VisibleDocumentsParams): void {
    const doc = p.uris[0] === undefined ? undefined : this.documents.get(p.uris[0]);
    if (!doc || !this.settings.enable || isBinary(doc.getText())) return;
    this.engine.warm(doc.uri, doc.getText(), 0).catch((err: unknown) => this.logError(err));
  }

  listen(): void {
    this.connection.listen();
  }
}
