// Messages between the engine worker and the thread that owns it (plain data: structured-clone safe).
import type { SpliceErrorCode } from '../errors.js';
import type { ToolQuery } from '../toolgen/CompletionTool.js';
import type { CoreStatus, ServeCompletionRequest, ServeSettings } from './ServingCore.js';

/** Calls the owner makes; each answers once (`result` or `error`), except the fire-and-forget ones. */
export type WorkerCall =
  | { method: 'configure'; settings: ServeSettings }
  | { method: 'complete'; uri: string; req: ServeCompletionRequest }
  | { method: 'sync'; uri: string; text: string }
  | { method: 'warm'; uri: string; text: string; offset?: number }
  | { method: 'opened'; uri: string }
  | { method: 'close'; uri: string }
  | { method: 'stats'; uri?: string }
  | { method: 'shutdown' };

export type ToWorker =
  | { kind: 'call'; id: number; call: WorkerCall }
  | { kind: 'abort'; id: number }
  /** The owner's answer to a `tool` message: the names, or why there are none. */
  | { kind: 'toolResult'; id: number; names?: string[]; error?: string };

export interface WorkerError {
  name: string;
  code?: SpliceErrorCode;
  message: string;
}

export type FromWorker =
  | { kind: 'result'; id: number; value: unknown }
  | { kind: 'error'; id: number; error: WorkerError }
  | { kind: 'status'; status: CoreStatus }
  | { kind: 'log'; line: string }
  /** Decoding asks the owner's completion tools (tool-guided decoding); `toolAbort`: the call's budget ran out. */
  | { kind: 'tool'; id: number; query: ToolQuery }
  | { kind: 'toolAbort'; id: number };
