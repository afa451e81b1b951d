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
}

export const DEFAULT_SETTINGS: SpliceSettings = { enable: true, modelPath: '', device: 'auto', maxTokens: 64, debounceMs: 75 };

export type SpliceState = 'loading' | 'ready' | 'busy' | 'error' | 'disabled';

/** `splice/status` (server → client): what the status bar shows. */
export interface SpliceStatus {
  state: SpliceState;
  model?: string;
  device?: string;
  /** Why this device, or what went wrong. */
  detail?: string;
}

export const STATUS_NOTIFICATION = 'splice/status';
