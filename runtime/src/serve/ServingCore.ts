// The serving core (runs in the engine worker): the engine's life, the one inference queue, and the document sessions.
import { Engine, defaultModelDir, type CompletionRequest } from '../engine/Engine.js';
import { InferenceQueue } from '../engine/InferenceQueue.js';
import type { FimFrame } from '../complete/sessionPrompt.js';
import type { PromptMode } from '../bytes/promptMode.js';
import type { DeviceRequest } from '../device/Device.js';
import type { VariantRequest } from '../model/modelVariant.js';
import type { GraphChoice } from '../model/decoderGraph.js';
import { modelFingerprint } from './modelFingerprint.js';
import { SessionStore, type SessionStats, type StoreCompletion } from './SessionStore.js';
import type { CompletionTool } from '../toolgen/CompletionTool.js';

export interface ServeSettings {
  /** Model folder; empty: the bundled model. */
  modelPath: string;
  device: DeviceRequest;
  /** Which ONNX graph of the folder (default auto: the device's rule). */
  modelVariant?: VariantRequest;
  /** Which decoder graph (default: SPLICE_GRAPH, else fused). */
  graph?: GraphChoice;
  maxTokens: number;
  /** `pie`: completions go through document sessions; `none`: every completion encodes a window from scratch. */
  cacheMode: 'pie' | 'none';
  /** How session completions frame the suffix (see complete/sessionPrompt.ts). */
  fimFrame: FimFrame;
  /** How a cursor inside a token is conditioned on (see bytes/). */
  promptMode: PromptMode;
  /** Tool-guided decoding: at triggers the owner's completion tools are asked, and names are decoded inside their answer. */
  toolGuided: boolean;
  /** Most milliseconds one tool call may take while decoding. */
  toolBudgetMs: number;
}

export interface CoreStatus {
  state: 'loading' | 'ready' | 'error';
  model?: string;
  device?: string;
  /** Why this device, or what went wrong. */
  detail?: string;
}

/** A completion request as the server sends it (the cursor as a UTF-16 offset into text). */
export type ServeCompletionRequest = Pick<CompletionRequest, 'text' | 'offset' | 'stopSequences' | 'stopSearchFrom' | 'sampling'> & { languageId?: string };

interface Failure {
  key: string;
  fingerprint: string;
}

const keyOf = (s: ServeSettings) => `${s.modelPath}\0${s.device}\0${s.modelVariant ?? 'auto'}\0${s.graph ?? ''}`;
const dirOf = (s: ServeSettings) => s.modelPath || defaultModelDir();

export class ServingCore {
  private readonly queue = new InferenceQueue();
  private settings: ServeSettings | undefined;
  private engine: Engine | undefined;
  private store: SessionStore | undefined;
  private loadedKey: string | undefined;
  private failure: Failure | undefined;
  private readonly closed = new Set<string>();

  constructor(
    private readonly report: (status: CoreStatus) => void,
    /** The completion tools (in the worker: a proxy to the owner's language services). */
    private readonly tool?: CompletionTool,
  ) {}

  /** Takes new settings; (re)loads the engine when the model or device changed, or when the last load failed. */
  configure(settings: ServeSettings): void {
    const previous = this.settings;
    this.settings = settings;
    if (previous && previous.maxTokens !== settings.maxTokens) this.queue.submit('store:clear', async () => this.store?.clear(), undefined, { priority: 'control' }).catch(() => undefined);
    if (keyOf(settings) !== this.loadedKey || this.failure) this.scheduleLoad(settings);
  }

  /** A completion at the cursor; undefined when aborted, superseded, or no engine could be loaded. */
  async complete(uri: string, req: ServeCompletionRequest, signal?: AbortSignal): Promise<StoreCompletion | undefined> {
    this.retryIfFolderChanged();
    const settings = this.settings;
    if (!settings) return undefined;
    return this.queue.submit(
      `complete:${uri}`,
      async (jobSignal) => {
        const { languageId, ...rest } = req;
        const tool = settings.toolGuided && this.tool ? { tool: this.tool, uri, languageId, budgetMs: settings.toolBudgetMs } : undefined;
        const full: CompletionRequest = { ...rest, maxTokens: settings.maxTokens, frame: settings.fimFrame, promptMode: settings.promptMode, signal: jobSignal, tool };
        return this.store?.complete(uri, full, settings.cacheMode === 'pie');
      },
      signal,
      { priority: 'user', yields: false },
    );
  }

  /** Brings the document's session (if it has one) up to `text` in the background; yields to completions. */
  sync(uri: string, text: string): Promise<void> {
    return this.background(`sync:${uri}`, (store, signal) => store.sync(uri, text, signal));
  }

  /** Makes a session in the background for a document the user looks at (the cursor, when known, places its window). */
  warm(uri: string, text: string, offset?: number): Promise<void> {
    const maxTokens = this.settings?.maxTokens ?? 64;
    return this.background(`warm:${uri}`, (store, signal) => store.warm(uri, text, maxTokens, offset, signal));
  }

  opened(uri: string): void {
    this.closed.delete(uri);
  }

  /** Forgets a closed document at once (its stats) and frees its session as soon as no job uses it. */
  close(uri: string): Promise<void> {
    this.closed.add(uri);
    this.queue.abortWhere((job) => job.key.endsWith(`:${uri}`));
    this.store?.forgetStats(uri); // at once; a job still running on the session cannot bring them back (isClosed)
    return this.queue.submit(`close:${uri}`, async () => this.store?.drop(uri), undefined, { priority: 'control' }).then(() => undefined);
  }

  stats(uri?: string): SessionStats[] {
    return this.store?.statsFor(uri) ?? [];
  }

  /** Aborts everything, then frees the sessions and the engine. */
  async shutdown(): Promise<void> {
    this.queue.abortWhere(() => true);
    await this.queue.submit('engine', () => this.unload(), undefined, { priority: 'control' });
  }

  private background(key: string, job: (store: SessionStore, signal: AbortSignal) => Promise<void>): Promise<void> {
    if (this.settings?.cacheMode === 'none') return Promise.resolve();
    return this.queue
      .submit(key, async (signal) => (this.store ? job(this.store, signal) : undefined), undefined, { priority: 'background' })
      .then(() => undefined);
  }

  /** A failed load is tried again once its model folder changes on disk (fixed in place). */
  private retryIfFolderChanged(): void {
    const s = this.settings;
    if (!s || !this.failure) return;
    let fingerprint: string;
    try {
      fingerprint = modelFingerprint(dirOf(s));
    } catch {
      return;
    }
    if (fingerprint !== this.failure.fingerprint) this.scheduleLoad(s);
  }

  /** Loads as a control job: the running job is aborted and finishes first, so an engine is never freed mid-run. */
  private scheduleLoad(settings: ServeSettings): void {
    const key = keyOf(settings);
    this.failure = undefined; // the load below records a new failure if it fails again
    this.report({ state: 'loading' });
    this.queue
      .submit('engine', () => this.load(settings, key), undefined, { priority: 'control' })
      .catch((err: unknown) => this.report({ state: 'error', detail: (err as Error).message }));
  }

  private async load(settings: ServeSettings, key: string): Promise<void> {
    await this.unload();
    let fingerprint = '-';
    try {
      fingerprint = modelFingerprint(dirOf(settings));
      const engine = await Engine.open({ modelDir: settings.modelPath || undefined, device: settings.device, variant: settings.modelVariant, graph: settings.graph });
      this.engine = engine;
      this.store = new SessionStore(engine, (uri) => this.closed.has(uri));
      this.loadedKey = key;
      this.failure = undefined;
      const info = engine.info();
      this.report({ state: 'ready', model: info.model, device: info.device, detail: `${info.deviceReason}; decoder ${info.graph}; graph ${info.variant}` });
    } catch (err) {
      this.failure = { key, fingerprint };
      this.report({ state: 'error', detail: (err as Error).message });
    }
  }

  private async unload(): Promise<void> {
    this.store?.clear();
    this.store = undefined;
    const engine = this.engine;
    this.engine = undefined;
    this.loadedKey = undefined;
    await engine?.close().catch(() => undefined);
  }
}
