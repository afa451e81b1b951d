// `splice eval frame`: the FIM frame built as a PIE edit of the cached document vs the exact frame, paired per task.
import type { Engine } from '../../../runtime/src/index.js';
import { median, round } from '../bench/stats.js';
import type { FimTask } from './fimEval.js';
import { editSimilarity } from './pieEval.js';
import { pairedCounts } from './signTest.js';

const FRAMES = ['exact', 'edit'] as const;
type Frame = (typeof FRAMES)[number];

export interface FrameDetail {
  id: string;
  lines: Record<Frame, string>;
  em: Record<Frame, number>;
  es: Record<Frame, number>;
  first_token_ms: Record<Frame, number>;
  encoded: Record<Frame, number>;
  same_line: boolean;
}

export interface FrameEvalResult {
  tasks: number;
  frames: Record<Frame, { em: number; es: number; first_token_ms_p50: number; encoded_mean: number }>;
  /** Share of tasks whose generated line is the same in both frames. */
  same_line: number;
  /** Paired: tasks where the edit frame's edit similarity is higher, lower, equal; and the sign test's two-sided p. */
  es_better: number;
  es_worse: number;
  es_ties: number;
  sign_test_p: number;
  ratio_first_token_p50: number;
}

const MAX_TOKENS = 48;

async function runTask(engine: Engine, t: FimTask): Promise<FrameDetail> {
  const text = t.prefix + t.suffix;
  const offset = t.prefix.length;
  const session = await engine.openCompletionSession(text, { maxTokens: MAX_TOKENS, offset });
  const d = { id: t.id, lines: {}, em: {}, es: {}, first_token_ms: {}, encoded: {} } as FrameDetail;
  try {
    for (const frame of FRAMES) {
      const r = await engine.completeInSession(session, { text, offset, maxTokens: MAX_TOKENS, stopSequences: ['\n'], frame, promptMode: 'naive' });
      const line = r.completion.split('\n')[0]!.trimEnd();
      d.lines[frame] = line;
      d.em[frame] = line === t.expected.trimEnd() ? 1 : 0;
      d.es[frame] = editSimilarity(line, t.expected.trimEnd());
      d.first_token_ms[frame] = round(r.firstTokenMs);
      d.encoded[frame] = r.encodedTokens;
    }
  } finally {
    session.dispose();
  }
  d.same_line = d.lines.exact === d.lines.edit;
  return d;
}

export async function evalFrames(engine: Engine, tasks: FimTask[], onTask?: (done: number, detail: FrameDetail) => void): Promise<FrameEvalResult> {
  const details: FrameDetail[] = [];
  for (const [i, t] of tasks.entries()) {
    details.push(await runTask(engine, t));
    onTask?.(i + 1, details.at(-1)!);
  }
  const n = Math.max(1, details.length);
  const mean = (f: (d: FrameDetail) => number) => round(details.reduce((s, d) => s + f(d), 0) / n, 4);
  const frames = Object.fromEntries(
    FRAMES.map((f) => [f, { em: mean((d) => d.em[f]), es: mean((d) => d.es[f]), first_token_ms_p50: round(median(details.map((d) => d.first_token_ms[f]))), encoded_mean: mean((d) => d.encoded[f]) }]),
  ) as FrameEvalResult['frames'];
  const paired = pairedCounts(details.map((d) => d.es.edit), details.map((d) => d.es.exact));
  return {
    tasks: details.length,
    frames,
    same_line: mean((d) => (d.same_line ? 1 : 0)),
    es_better: paired.better,
    es_worse: paired.worse,
    es_ties: paired.ties,
    sign_test_p: paired.sign_test_p,
    ratio_first_token_p50: round(frames.edit.first_token_ms_p50 / Math.max(1e-9, frames.exact.first_token_ms_p50), 3),
  };
}
