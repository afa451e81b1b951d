// Splice's custom LSP messages (all under the `splice/` prefix) and the initialization options the client sends.
// Plain types and method names only: the extension imports this file too, with its own JSON-RPC library.

/** Sent in `initialize` (initializationOptions) and again on `workspace/didChangeConfiguration` (settings.splice). */
export interface SpliceSettings {
  enable: boolean;
  /** Model folder; empty = the bundled model. */
  modelPath: string;
  device: 'cpu' | 'webgpu' | 'cuda' | 'auto';
  /** Which of the folder's ONNX graphs: `auto` (per device: 4-bit on CPU, fp16 on GPUs, when present) or a variant by name. */
  modelVariant: 'auto' | 'fp32' | 'fp16' | 'q4' | 'q4f16' | 'int8' | 'uint8' | 'quantized' | 'bnb4';
  /** `fused` (a graph rebuilt from the weights, the exported one where it cannot be) or `reference` (the exported graph). */
  decoderGraph: 'fused' | 'reference';
  maxTokens: number;
  /** Wait this long after the last request before running the model (a newer request cancels the wait). */
  debounceMs: number;
  /**
   * How completions use the document: `pie` (a cached window per document, patched on every edit) or `none`
   * (every completion encodes a window around the cursor from scratch: the baseline of `splice bench latency`).
   */
  cacheMode: 'pie' | 'none';
  /**
   * How a completion frames the text after the cursor: `edit` (the cached suffix rows with the FIM suffix token spliced
   * in as a PIE edit: a few tokens encoded) or `exact` (the suffix encoded afresh after the prefix: ~258 tokens).
   */
  fimFrame: 'edit' | 'exact';
  /** Per VS Code language id, whether completions are offered; `*` is the default for the others (true if absent). */
  enableLanguages: Record<string, boolean>;
  /** Glob patterns (`**` any folders) of files that never get completions: secrets and keys by default. */
  excludeFiles: string[];
  /**
   * How a cursor inside a word is conditioned on: `byte` (exact byte-level: the middle starts with the partial word),
   * `healing` (token healing) or `naive` (the prefix tokenized as it is).
   */
  sampling: 'byte' | 'healing' | 'naive';
  /**
   * The confidence gate: a completion whose first token the model gave a probability below this is not shown
   * (0 = off). See README for the measurement behind the default.
   */
  minConfidence: number;
  /**
   * When nothing of the model's best completion survives the pipeline, up to this many sampled completions are asked
   * for in turn and the first that survives is shown (0 = never; one model call each, only as needed).
   */
  fallbackSamples: number;
  /**
   * Tool-guided decoding: after `obj.` (and where the model writes its tool mark) the language service is asked which
   * names exist there, and the completion is decoded inside them (TypeScript's service for TS/JS, pyright for Python,
   * the editor's own completion providers for other languages).
   */
  toolGuided: boolean;
}

/** Files that never get completions unless the user says otherwise (`splice.excludeFiles`). */
export const DEFAULT_EXCLUDE_FILES = ['**/.env', '**/.env.*', '**/*.pem', '**/*.key', '**/id_rsa*', '**/secrets.*', '**/credentials*'];

/** `splice.minConfidence`'s default, chosen by `splice eval shape`'s gate table (README). */
export const DEFAULT_MIN_CONFIDENCE = 0.2;

/** `splice.fallbackSamples`'s default, chosen by `splice eval shape --fallbacks N` (README). */
export const DEFAULT_FALLBACK_SAMPLES = 2;
export const MAX_FALLBACK_SAMPLES = 4;

export const DEFAULT_SETTINGS: SpliceSettings = {
  enable: true,
  modelPath: '',
  device: 'auto',
  modelVariant: 'auto',
  decoderGraph: 'fused',
  maxTokens: 64,
  debounceMs: 75,
  cacheMode: 'pie',
  fimFrame: 'edit',
  sampling: 'byte',
  minConfidence: DEFAULT_MIN_CONFIDENCE,
  fallbackSamples: DEFAULT_FALLBACK_SAMPLES,
  toolGuided: true,
  enableLanguages: { '*': true },
  excludeFiles: DEFAULT_EXCLUDE_FILES,
};

export type SpliceState = 'loading' | 'ready' | 'busy' | 'error' | 'disabled';

/** `splice/status` (server → client): what the status bar shows. */
export interface SpliceStatus {
  state: SpliceState;
  model?: string;
  device?: string;
  /** Why this device, or what went wrong. */
  detail?: string;
  /** What the last completion reused and patched, e.g. "reused 1532 tokens · pie re-encoded 12, moved 310 (2.9 ms)". */
  cache?: string;
}

/**
 * `splice/completionItems` (server → client request): the names the editor's own completion providers offer at a
 * position of an open document (`vscode.executeCompletionItemProvider`): tool-guided decoding for languages the server
 * has no language service for. Only asked where the text to complete is the document's own (nothing generated yet).
 */
export const COMPLETION_ITEMS_REQUEST = 'splice/completionItems';

export interface CompletionItemsParams {
  uri: string;
  position: { line: number; character: number };
}

/** The items' names (their insert text when it is a plain string, else their label). */
export interface CompletionItemsResult {
  names: string[];
}

/** `splice/stats` (client → server request): what the document caches did last. */
export const STATS_REQUEST = 'splice/stats';

export interface StatsParams {
  /** One document; all when absent. */
  uri?: string;
}

export interface DocumentStats {
  uri: string;
  /** Tokens of the document held in its cache (0: no session yet, or none for this document). */
  cachedTokens: number;
  /** Why this document cannot be cached now (e.g. the tokenizer's NFC normalizer changes its text): completions encode from scratch. */
  noCache?: string;
  /** The cached window of the document's tokens (a document longer than the model's context is cached in part). */
  window?: { start: number; end: number; documentTokens: number };
  /** The last cache update (PIE, conflict or full), if any. */
  lastUpdate?: {
    requested: string;
    mode: string;
    reason?: string;
    spans: number;
    tokensDropped: number;
    tokensReencoded: number;
    tokensMoved: number;
    /** How far the cached window moved (0: it stayed). */
    windowMoved: number;
    ms: number;
  };
  /** The last completion: rows reused from the cache, tokens encoded for its prompt, total time. */
  lastCompletion?: {
    reusedTokens: number;
    promptTokens: number;
    generatedTokens: number;
    /** Tokens this completion request encoded apart from the generated ones: cache sync, window slide and prompt. */
    encodedTokens: number;
    /** From taking the request to the first generated token (cache update, prompt), and in all. */
    firstTokenMs: number;
    ms: number;
  };
}

/** `splice/metrics` (client → server request): the server process's health since start (or the last reset). */
export const METRICS_REQUEST = 'splice/metrics';

export interface MetricsParams {
  /** Start a new measurement window after answering. */
  reset?: boolean;
}

export interface ServerMetrics {
  /** Longest and 99th-percentile event-loop delay of the LSP thread (perf_hooks.monitorEventLoopDelay), ms. */
  eventLoopMaxMs: number;
  eventLoopP99Ms: number;
  /** Resident set size now and its peak (process.resourceUsage().maxRSS), bytes. */
  rssBytes: number;
  rssPeakBytes: number;
  /** Completion requests answered and the tokens they encoded (see lastCompletion.encodedTokens). */
  completions: number;
  encodedTokens: number;
  /** Completion requests answered from the typed-through cache (no model call; not in `completions`). */
  reusedCompletions: number;
  /** Model completions not shown because the first token's probability was below `splice.minConfidence`. */
  gatedCompletions: number;
  /** Answers whose item came from a fallback sample (`splice.fallbackSamples`): the greedy completion showed nothing. */
  fallbackShown: number;
  /** Time the completion pipeline (shaping, syntax checks) added per model completion: median and 95th percentile, ms. */
  shapeMsP50: number;
  shapeMsP95: number;
  /** Completions answered with an item (from the model or the typed-through cache), and those the user accepted (`splice/accepted`). */
  shown: number;
  accepted: number;
  /** Time from a request to its answer, for answers with an item: counts per bucket (`upToMs`: the bucket's upper edge; null: above the last). */
  latencyHistogram: { upToMs: number | null; count: number }[];
  latencyMsP50: number;
  latencyMsP95: number;
}

/** `splice/accepted` (client → server notification): the user accepted a shown completion (the item's command). */
export const ACCEPTED_NOTIFICATION = 'splice/accepted';

/** The command each inline completion item carries: VS Code runs it when the item is accepted. */
export const ACCEPTED_COMMAND = 'splice.completionAccepted';

/** `splice/visibleDocuments` (client → server notification): the documents shown in editors, the active one first. */
export const VISIBLE_DOCUMENTS_NOTIFICATION = 'splice/visibleDocuments';

export interface VisibleDocumentsParams {
  uris: string[];
}

export const STATUS_NOTIFICATION = 'splice/status';

/** `splice/listModels` (client → server request): the models a picker offers. Reads only the local disk. */
export const LIST_MODELS_REQUEST = 'splice/listModels';

export interface ListModelsParams {
  /** The models folder setting (empty: SPLICE_MODELS_DIR or the per-user cache folder). */
  modelsFolder?: string;
}

export interface ModelList {
  modelsDir: string;
  bundled: { name: string; dir: string };
  installed: { id: string; dir: string; bytes: number }[];
  /** The curated hub models: repo, parameters, licence, the variant fetched, a note. */
  catalog: { repo: string; params: string; licence: string; variant: string; note: string }[];
}

/** Where hub requests go and how: the editor's settings (empty fields fall back to HF_ENDPOINT, HF_TOKEN, HTTPS_PROXY). */
export interface HubParams {
  endpoint?: string;
  token?: string;
  proxy?: string;
}

/** `splice/hubModelInfo` (client → server request): what pulling a model would fetch (asks the hub: an explicit user action). */
export const HUB_MODEL_INFO_REQUEST = 'splice/hubModelInfo';

export interface HubModelInfoParams extends HubParams {
  /** `owner/name` or `owner/name:variant`. */
  model: string;
}

export interface HubModelInfo {
  model: string;
  variant: string;
  files: { path: string; size?: number }[];
  /** Sum of the sizes (undefined if the hub lists none). */
  bytes?: number;
}

/** `splice/pullModel` (client → server request, cancellable): downloads a hub model into the models folder. */
export const PULL_MODEL_REQUEST = 'splice/pullModel';

export interface PullModelParams extends HubParams {
  model: string;
  modelsFolder?: string;
  revision?: string;
}

export interface PullModelResult {
  dir: string;
  id: string;
  bytes: number;
  /** False when that commit was installed already. */
  downloaded: boolean;
}

/** `splice/pullProgress` (server → client notification) while a pull runs. */
export const PULL_PROGRESS_NOTIFICATION = 'splice/pullProgress';

export interface PullProgressParams {
  model: string;
  file: string;
  fileIndex: number;
  fileCount: number;
  received: number;
  total?: number;
  bytesPerSecond: number;
  etaSeconds?: number;
}
