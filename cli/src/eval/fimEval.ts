// `splice eval fim`: fill-in-the-middle next-line exact match on held-out code (greedy, naive tokenization at the cut).
import type { CompletionRequest, Engine, PromptMode } from '../../../runtime/src/index.js';
import { editSimilarity } from './pieEval.js';

export interface FimTask {
  id: string;
  language: string;
  /** Text before the cursor (the cursor may sit inside a token). */
  prefix: string;
  /** Text after the line the cursor is on. */
  suffix: string;
  /** The rest of the cursor's line (`middle` in mid-token task files). */
  expected: string;
}

export interface FimEvalResult {
  tasks: number;
  em: number;
  es: number;
  byLanguage: Record<string, { tasks: number; em: number }>;
  ms_per_task: number;
}

/** The layout MODEL.md's numbers were measured with. */
export const FIM_EVAL_CONTEXT = { prefixTokens: 768, suffixTokens: 256 };
const MAX_TOKENS = 48;

/** The completion a FIM task asks for: the cursor between prefix and suffix, one line, the model card's layout. */
export function fimRequest(t: FimTask, promptMode?: PromptMode): CompletionRequest {
  const req: CompletionRequest = { text: t.prefix + t.suffix, offset: t.prefix.length, maxTokens: MAX_TOKENS, stopSequences: ['\n'], context: FIM_EVAL_CONTEXT };
  return { ...req, promptMode: promptMode ?? 'naive' }; // the plain `eval fim` (the model card's numbers) is naive
}

/** The completion's first line (trailing spaces trimmed) scored against the expected rest of the line. */
export function scoreLine(completion: string, expected: string): { line: string; em: number; es: number } {
  const line = completion.split('\n')[0]!.trimEnd();
  const want = expected.trimEnd();
  return { line, em: line === want ? 1 : 0, es: editSimilarity(line, want) };
}

export async function evalFim(engine: Engine, tasks: FimTask[], onTask?: (done: number) => void): Promise<FimEvalResult> {
  let em = 0;
  let es = 0;
  const byLanguage: FimEvalResult['byLanguage'] = {};
  const started = performance.now();
  for (const [i, t] of tasks.entries()) {
    const r = await engine.complete(fimRequest(t));
    const s = scoreLine(r.completion, t.expected);
    em += s.em;
    es += s.es;
    const lang = (byLanguage[t.language] ??= { tasks: 0, em: 0 });
    lang.tasks++;
    lang.em += s.em;
    onTask?.(i + 1);
  }
  const n = Math.max(1, tasks.length);
  for (const l of Object.values(byLanguage)) l.em = Math.round((l.em / l.tasks) * 10000) / 10000;
  return { tasks: tasks.length, em: Math.round((em / n) * 10000) / 10000, es: Math.round((es / n) * 10000) / 10000, byLanguage, ms_per_task: Math.round((performance.now() - started) / n) };
}
