// `splice eval shape`: the held-out FIM tasks completed as the editor would show them before and after the completion
// pipeline: `raw` (the old request: stop at a blank line, text shown as generated) and `shaped` (the server's request
// and pipeline: language-server/src/completion/). Scores the cursor's line (exact match, edit similarity) and counts
// the shown texts that duplicate the suffix, leave brackets open, run past the block, repeat a line or are empty.
import type { Engine } from '../../../runtime/src/index.js';
import { parse, UsageError } from '../args.js';
import { ENGINE_OPTIONS } from '../engineOptions.js';
import { limitTasks, runEvaluation } from './evalRun.js';
import { cutLoops, cutRepeatedLines } from '../../../language-server/src/completion/junk/junk.js';
import { shapeCompletion, stopsFor } from '../../../language-server/src/completion/pipeline.js';
import { indentWidth, placeOf, type Place } from '../../../language-server/src/completion/place/placeOf.js';
import { grammarFor, loadParser } from '../../../language-server/src/completion/syntax/grammars.js';
import { addsNoErrors, parseErrors, windowAround } from '../../../language-server/src/completion/syntax/parseCheck.js';
import { lineState, scanBrackets } from '../../../language-server/src/completion/text/brackets.js';
import type { Parser } from 'web-tree-sitter';
import { FIM_EVAL_CONTEXT, type FimTask } from './fimEval.js';
import { editSimilarity } from './pieEval.js';
import { readFimTasks } from './readTasks.js';

/** The server's defaults: the token limit of `splice.maxTokens` and the stop the server used before shaping. */
const MAX_TOKENS = 64;
const RAW_STOPS = ['\n\n'];

export const FLAGS = ['empty', 'duplicates_suffix', 'unbalanced', 'past_block', 'repeats', 'syntax_errors'] as const;
export type Flag = (typeof FLAGS)[number];

export interface VariantScores {
  em: number;
  es: number;
  /** Share of tasks whose shown text has each fault. */
  rates: Record<Flag, number>;
  /** Mean lines shown (0 for nothing shown). */
  lines: number;
}

export interface ShapeEvalResult {
  tasks: number;
  raw: VariantScores;
  shaped: VariantScores;
  byLanguage: Record<string, { tasks: number; raw_em: number; shaped_em: number; raw_es: number; shaped_es: number }>;
  byPlace: Record<string, number>;
  /** Time the pipeline took per task (shaping and syntax checks; the model's time not counted). */
  shape_ms_p50: number;
  shape_ms_p95: number;
  ms_per_task: number;
}

export interface ShapeTaskDetail {
  id: string;
  place: string;
  raw: string;
  shaped: string | null;
  expected: string;
  flags: { raw: Flag[]; shaped: Flag[] };
  shape_ms: number;
}

/** The document as the editor holds it while the user writes the cursor's line: the rest of that line not there yet. */
export function editorDocument(t: FimTask): { text: string; offset: number } {
  return { text: `${t.prefix}\n${t.suffix}`, offset: t.prefix.length };
}

/** The faults of a shown text (inserted at the cursor, replacing `replaceSuffix` characters). */
export function faultsOf(doc: { text: string; offset: number }, place: Place, shown: string, replaceSuffix: number, parser?: Parser): Flag[] {
  if (shown.trim() === '') return ['empty'];
  const flags: Flag[] = [];
  const after = doc.text.slice(doc.offset + replaceSuffix);
  // Duplicates the suffix: a line it shows is one of the next non-blank lines, or its end repeats the line's rest.
  const next = after.split('\n').map((l) => l.trim()).filter((l) => l.length >= 3).slice(0, 3);
  const shownLines = shown.split('\n').map((l) => l.trim()).filter((l) => l.length >= 3 && !/^[\s()[\]{};,.:]*$/.test(l));
  const restOfLine = after.split('\n')[0]!.trim();
  if (shownLines.some((l) => next.includes(l)) || (restOfLine.length >= 2 && shown.trimEnd().endsWith(restOfLine))) flags.push('duplicates_suffix');
  const scan = scanBrackets(shown, place.style, lineState(place.linePrefix, place.style));
  if (scan.unclosed.length > 0 || (place.kind === 'inline' && scan.outer.length > 0)) flags.push('unbalanced');
  const limit = place.kind === 'block' ? place.blockIndent : place.indent;
  if (shown.split('\n').slice(1).some((l) => l.trim() !== '' && indentWidth(l) < limit)) flags.push('past_block');
  if (cutLoops(cutRepeatedLines(shown)) !== shown) flags.push('repeats');
  if (parser) {
    const win = windowAround(doc.text, doc.offset);
    const base = parseErrors(parser, win.before + win.after);
    const errors = parseErrors(parser, win.before + shown + win.after.slice(replaceSuffix));
    if (!addsNoErrors(base, errors, win.before.length, win.before.length + shown.length)) flags.push('syntax_errors');
  }
  return flags;
}

function percentile(values: number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return Math.round(sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]! * 100) / 100;
}

const round4 = (x: number) => Math.round(x * 10000) / 10000;

export async function evalShape(engine: Engine, tasks: FimTask[], onTask?: (done: number, detail: ShapeTaskDetail) => void): Promise<ShapeEvalResult> {
  const parsers = new Map<string, Parser | undefined>();
  for (const lang of new Set(tasks.map((t) => t.language))) {
    const name = grammarFor(lang);
    parsers.set(lang, name ? await loadParser(name) : undefined);
  }
  const sums = { raw: { em: 0, es: 0, lines: 0 }, shaped: { em: 0, es: 0, lines: 0 } };
  const counts = { raw: zeroFlags(), shaped: zeroFlags() };
  const byLanguage: ShapeEvalResult['byLanguage'] = {};
  const byPlace: Record<string, number> = {};
  const shapeMs: number[] = [];
  const started = performance.now();
  for (const [i, t] of tasks.entries()) {
    const doc = editorDocument(t);
    const parser = parsers.get(t.language);
    const place = placeOf(doc.text, doc.offset, t.language);
    byPlace[place.kind] = (byPlace[place.kind] ?? 0) + 1;
    const common = { text: doc.text, offset: doc.offset, maxTokens: MAX_TOKENS, context: FIM_EVAL_CONTEXT };
    const raw = await engine.complete({ ...common, stopSequences: RAW_STOPS });
    const req = await engine.complete({ ...common, ...stopsFor(place) });
    const t0 = performance.now();
    const { item } = shapeCompletion({ ...doc, languageId: t.language, completion: req.completion, stopReason: req.stopReason, parser });
    const ms = performance.now() - t0;
    shapeMs.push(ms);
    const expected = t.expected.trimEnd();
    const lang = (byLanguage[t.language] ??= { tasks: 0, raw_em: 0, shaped_em: 0, raw_es: 0, shaped_es: 0 });
    lang.tasks++;
    const flags = { raw: [] as Flag[], shaped: [] as Flag[] };
    for (const [variant, shown, replaceSuffix] of [['raw', raw.completion, 0], ['shaped', item?.text ?? '', item?.replaceSuffix ?? 0]] as const) {
      const line = shown.split('\n')[0]!.trimEnd();
      const em = line === expected ? 1 : 0;
      const es = editSimilarity(line, expected);
      sums[variant].em += em;
      sums[variant].es += es;
      sums[variant].lines += shown.trim() === '' ? 0 : shown.split('\n').length;
      lang[`${variant}_em`] += em;
      lang[`${variant}_es`] += es;
      flags[variant] = faultsOf(doc, place, shown, replaceSuffix, parser);
      for (const f of flags[variant]) counts[variant][f]++;
    }
    onTask?.(i + 1, { id: t.id, place: place.kind, raw: raw.completion, shaped: item?.text ?? null, expected: t.expected, flags, shape_ms: Math.round(ms * 100) / 100 });
  }
  const n = Math.max(1, tasks.length);
  const scores = (v: 'raw' | 'shaped'): VariantScores => ({
    em: round4(sums[v].em / n),
    es: round4(sums[v].es / n),
    rates: Object.fromEntries(FLAGS.map((f) => [f, round4(counts[v][f] / n)])) as Record<Flag, number>,
    lines: round4(sums[v].lines / n),
  });
  for (const l of Object.values(byLanguage)) for (const k of ['raw_em', 'shaped_em', 'raw_es', 'shaped_es'] as const) l[k] = round4(l[k] / l.tasks);
  return {
    tasks: tasks.length,
    raw: scores('raw'),
    shaped: scores('shaped'),
    byLanguage,
    byPlace,
    shape_ms_p50: percentile(shapeMs, 50),
    shape_ms_p95: percentile(shapeMs, 95),
    ms_per_task: Math.round((performance.now() - started) / n),
  };
}

function zeroFlags(): Record<Flag, number> {
  return Object.fromEntries(FLAGS.map((f) => [f, 0])) as Record<Flag, number>;
}

/** `splice eval shape --tasks FILE.jsonl [--model DIR] [--device D] [--limit N] [--details OUT.jsonl] [--json]`. */
export async function runEvalShape(args: string[]): Promise<void> {
  const v = parse(args, { ...ENGINE_OPTIONS, tasks: { type: 'string' }, limit: { type: 'string' }, details: { type: 'string' } });
  if (!v.tasks) throw new UsageError('--tasks FILE is required');
  const tasks = limitTasks(readFimTasks(v.tasks), v.limit);
  await runEvaluation(v, 'shape', tasks.length, (engine, onTask) => evalShape(engine, tasks, onTask), (result, info) => {
    const lines = [`${result.tasks} tasks on ${info.model} / ${info.device}; pipeline p50 ${result.shape_ms_p50} ms, p95 ${result.shape_ms_p95} ms`];
    lines.push(`         em      es      lines   ${FLAGS.map((f) => f.padEnd(18)).join('')}`);
    for (const name of ['raw', 'shaped'] as const) {
      const s = result[name];
      lines.push(`${name.padEnd(9)}${String(s.em).padEnd(8)}${String(s.es).padEnd(8)}${String(s.lines).padEnd(8)}${FLAGS.map((f) => String(s.rates[f]).padEnd(18)).join('')}`);
    }
    return `${lines.join('\n')}\n`;
  });
}
