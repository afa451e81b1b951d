// Splice's custom LSP messages (all under the `splice/` prefix) and the initialization options the client sends.
// Plain types and method names only: the extension imports this file too, with its own JSON-RPC library.

/** Sent in `initialize` (initializationOptions) and again on `workspace/didChangeConfiguration` (settings.splice). */
export interface SpliceSettings {
  enable: boolean;
  /** Model folder; empty = the bundled model. */
  modelPath: string;
  device: 'cpu' | 'webgpu' | 'cuda' | 'auto';
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
   * Tool-guided decoding: after `obj.` (and where the model writes its tool mark) the language service is asked which
   * names exist there, and the completion is decoded inside them (TypeScript's service for TS/JS, pyright for Python,
   * the editor's own completion providers for other languages).
   */
  toolGuided: boolean;
}

/** Files that never get completions unless the user says otherwise (`splice.excludeFiles`). */
export const DEFAULT_EXCLUDE_FILES = ['**/.env', '**/.env.*', '**/*.pem', '**/*.key', '**/id_rsa*', '**/secrets.*', '**/credentials*'];

export const DEFAULT_SETTINGS: SpliceSettings = {
  enable: true,
  modelPath: '',
  device: 'auto',
  maxTokens: 64,
  debounceMs: 75,
  cacheMode: 'pie',
  fimFrame: 'edit',
  sampling: 'byte',
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
  /** Time the completion pipeline (shaping, syntax checks) added per model completion: median and 95th percentile, ms. */
  shapeMsP50: number;
  shapeMsP95: number;
}

/** `splice/visibleDocuments` (client → server notification): the documents shown in editors, the active one first. */
export const VISIBLE_DOCUMENTS_NOTIFICATION = 'splice/visibleDocuments';

export interface VisibleDocumentsParams {
  uris: string[];
}

export const STATUS_NOTIFICATION = 'splice/status';
