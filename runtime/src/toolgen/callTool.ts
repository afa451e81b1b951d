// A tool call under a time budget: a slow, hanging or failing tool yields no names (free decoding), never a stall.
import type { CompletionTool, ToolQuery } from './CompletionTool.js';

export type ToolOutcome = 'ok' | 'empty' | 'timeout' | 'error' | 'aborted';

export interface ToolCallResult {
  names: readonly string[];
  outcome: ToolOutcome;
  ms: number;
  /** The error's message when outcome is `error`. */
  error?: string;
}

/** Asks `tool`; settles within `budgetMs` (the tool's signal is aborted then) or when `signal` aborts. */
export async function callTool(tool: CompletionTool, query: ToolQuery, budgetMs: number, signal?: AbortSignal): Promise<ToolCallResult> {
  const started = performance.now();
  const done = (outcome: ToolOutcome, names: readonly string[] = [], error?: string): ToolCallResult => ({ names, outcome, ms: performance.now() - started, error });
  if (signal?.aborted) return done('aborted');
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  let onAbort: (() => void) | undefined;
  const limit = new Promise<ToolCallResult>((resolve) => {
    timer = setTimeout(() => resolve(done('timeout')), budgetMs);
    onAbort = () => resolve(done('aborted'));
    signal?.addEventListener('abort', onAbort, { once: true });
  });
  const answer = tool.names(query, controller.signal).then(
    (names) => done(names.length ? 'ok' : 'empty', names),
    (err: unknown) => done('error', [], err instanceof Error ? err.message : String(err)),
  );
  try {
    return await Promise.race([answer, limit]);
  } finally {
    clearTimeout(timer);
    if (onAbort) signal?.removeEventListener('abort', onAbort);
    controller.abort();
  }
}
