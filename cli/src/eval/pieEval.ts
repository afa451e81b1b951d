// `splice eval pie`: next-line exact match and edit similarity after edits, and cache-update time, per update mode.
import { distance } from 'fastest-levenshtein';
import { applyTextEdits, type Engine, type UpdateMode } from '../../../runtime/src/index.js';
import type { PieTask } from './makePieTasks.js';

export interface ModeScore {
  em: number;
  es: number;
  update_ms: number;
}

export interface PieEvalResult {
  tasks: number;
  skipped: number;
  modes: Record<UpdateMode, ModeScore>;
}

const MAX_LINE_TOKENS = 48;

export function editSimilarity(a: string, b: string): number {
  const n = Math.max(a.length, b.length);
  return n === 0 ? 1 : 1 - distance(a, b) / n;
}

/** The first line of a continuation, without trailing whitespace. */
function firstLine(text: string): string {
  return text.split('\n')[0]!.trimEnd();
}

async function runMode(engine: Engine, task: PieTask, mode: UpdateMode): Promise<{ line: string; ms: number }> {
  if (mode === 'full') {
    const context = applyTextEdits(task.before, task.edits).slice(0, task.cursor);
    const t0 = performance.now();
    const session = await engine.openSession(context);
    const ms = performance.now() - t0;
    try {
      const r = await engine.continueSession(session, { maxTokens: MAX_LINE_TOKENS, stopSequences: ['\n'] });
      return { line: firstLine(r.text), ms };
    } finally {
      session.dispose();
    }
  }
  const session = await engine.openSession(task.before);
  try {
    const stats = await session.update(task.edits, mode);
    const r = await engine.continueSession(session, { maxTokens: MAX_LINE_TOKENS, stopSequences: ['\n'] });
    return { line: firstLine(r.text), ms: stats.ms };
  } finally {
    session.dispose();
  }
}

/** Scores every task in every mode; tasks whose context does not fit the model are skipped and counted. */
export async function evalPie(engine: Engine, tasks: PieTask[], modes: readonly UpdateMode[], onTask?: (done: number) => void): Promise<PieEvalResult> {
  const limit = engine.model.folder.config.maxPositions - MAX_LINE_TOKENS - 2;
  const tok = engine.model.folder.tokenizer;
  const sums = Object.fromEntries(modes.map((m) => [m, { em: 0, es: 0, update_ms: 0 }])) as Record<UpdateMode, ModeScore>;
  let scored = 0;
  let skipped = 0;
  for (const task of tasks) {
    const after = applyTextEdits(task.before, task.edits).slice(0, task.cursor);
    if (Math.max(tok.encode(task.before).length, tok.encode(after).length) > limit) {
      skipped++;
      continue;
    }
    for (const mode of modes) {
      const { line, ms } = await runMode(engine, task, mode);
      sums[mode].em += line === task.expected.trimEnd() ? 1 : 0;
      sums[mode].es += editSimilarity(line, task.expected.trimEnd());
      sums[mode].update_ms += ms;
    }
    onTask?.(++scored);
  }
  const mean = (x: number) => (scored ? Math.round((x / scored) * 10000) / 10000 : 0);
  const modesOut = Object.fromEntries(modes.map((m) => [m, { em: mean(sums[m].em), es: mean(sums[m].es), update_ms: mean(sums[m].update_ms) }])) as Record<UpdateMode, ModeScore>;
  return { tasks: scored, skipped, modes: modesOut };
}
