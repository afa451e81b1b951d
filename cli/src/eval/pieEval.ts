// `splice eval pie`: next-line exact match and edit similarity after edits, and cache-update time, per update mode.
import { distance } from 'fastest-levenshtein';
import { applyTextEdits, SpliceError, type DocumentSession, type Engine, type UpdateMode } from '../../../runtime/src/index.js';
import type { PieTask } from './makePieTasks.js';

export interface ModeScore {
  em: number;
  es: number;
  update_ms: number;
  /** Share of tasks whose generated line equals full recomputation's (when `full` is among the modes). */
  same_as_full?: number;
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

/**
 * The contexts a task caches before and after its edits: the text before the cursor, without the newline that ends
 * the previous line (when no edit touches it). A bare newline token is rare in training — newlines merge with the
 * next line's indentation — so the model writes that newline itself, and the line after it is the answer.
 */
export function taskContexts(task: PieTask): { before: string; after: string; endedLine: boolean } {
  const delta = task.edits.reduce((d, e) => d + e.text.length - (e.end - e.start), 0);
  const cursorBefore = task.cursor - delta;
  const lastEditEnd = Math.max(0, ...task.edits.map((e) => e.end));
  if (cursorBefore < lastEditEnd || cursorBefore > task.before.length) throw new SpliceError('input', `task ${task.id}: its edits must lie above the cursor`);
  const after = applyTextEdits(task.before, task.edits).slice(0, task.cursor);
  const endedLine = after.endsWith('\n') && lastEditEnd < cursorBefore;
  const trim = endedLine ? 1 : 0;
  return { before: task.before.slice(0, cursorBefore - trim), after: after.slice(0, after.length - trim), endedLine };
}

async function runMode(engine: Engine, task: PieTask, mode: UpdateMode): Promise<{ line: string; ms: number }> {
  const ctx = taskContexts(task);
  let session: DocumentSession;
  let ms: number;
  if (mode === 'full') {
    const t0 = performance.now();
    session = await engine.openSession(ctx.after);
    ms = performance.now() - t0;
  } else {
    session = await engine.openSession(ctx.before);
    ms = (await session.update(task.edits, mode)).ms;
  }
  try {
    // With the newline left out, the continuation starts with it: stop at the next one.
    const r = await engine.continueSession(session, { maxTokens: MAX_LINE_TOKENS, stopSequences: ['\n'], stopSearchFrom: ctx.endedLine ? 1 : 0 });
    const text = ctx.endedLine ? r.text.replace(/^\n/, '') : r.text;
    return { line: text.split('\n')[0]!.trimEnd(), ms };
  } finally {
    session.dispose();
  }
}

/** One task's outcome per mode (for --details). */
export interface PieTaskResult {
  id: string;
  expected: string;
  modes: Partial<Record<UpdateMode, { line: string; em: number; es: number; update_ms: number }>>;
}

/** Scores every task in every mode; tasks whose context does not fit the model are skipped and counted. */
export async function evalPie(engine: Engine, tasks: PieTask[], modes: readonly UpdateMode[], onTask?: (done: number, result: PieTaskResult) => void): Promise<PieEvalResult> {
  const limit = engine.model.folder.config.maxPositions - MAX_LINE_TOKENS - 2;
  const tok = engine.model.folder.tokenizer;
  const sums = Object.fromEntries(modes.map((m) => [m, { em: 0, es: 0, update_ms: 0, same_as_full: 0 }])) as Record<UpdateMode, Required<ModeScore>>;
  let scored = 0;
  let skipped = 0;
  for (const task of tasks) {
    const ctx = taskContexts(task);
    if (Math.max(tok.encode(ctx.before).length, tok.encode(ctx.after).length) > limit) {
      skipped++;
      continue;
    }
    const detail: PieTaskResult = { id: task.id, expected: task.expected, modes: {} };
    for (const mode of modes) {
      const { line, ms } = await runMode(engine, task, mode);
      const em = line === task.expected.trimEnd() ? 1 : 0;
      const es = editSimilarity(line, task.expected.trimEnd());
      sums[mode].em += em;
      sums[mode].es += es;
      sums[mode].update_ms += ms;
      detail.modes[mode] = { line, em, es, update_ms: ms };
    }
    const fullLine = detail.modes.full?.line;
    for (const mode of modes) if (fullLine !== undefined && detail.modes[mode]!.line === fullLine) sums[mode].same_as_full++;
    onTask?.(++scored, detail);
  }
  const mean = (x: number) => (scored ? Math.round((x / scored) * 10000) / 10000 : 0);
  const withFull = modes.includes('full');
  const modesOut = Object.fromEntries(
    modes.map((m) => [m, { em: mean(sums[m].em), es: mean(sums[m].es), update_ms: mean(sums[m].update_ms), ...(withFull ? { same_as_full: mean(sums[m].same_as_full) } : {}) }]),
  ) as Record<UpdateMode, ModeScore>;
  return { tasks: scored, skipped, modes: modesOut };
}
