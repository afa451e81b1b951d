// `splice eval shape`: the held-out FIM tasks completed as the editor would show them before and after the completion
// pipeline: `raw` (the old request: stop at a blank line, text shown as generated) and `shaped` (the server's request
// and pipeline: language-server/src/completion/). Scores the cursor's line (exact match, edit similarity) and counts
// the shown texts that duplicate the suffix, leave brackets open, run past the block, repeat a line or are empty.
import { PROMPT_MODES, type Engine, type PromptMode, type SamplingOptions, type Confidence } from '../../../runtime/src/index.js';
import { parse, UsageError } from '../args.js';
import { ENGINE_OPTIONS } from '../engineOptions.js';
import { limitTasks, runEvaluation } from './evalRun.js';
import { cutLoops, cutRepeatedLines } from '../../../language-server/src/completion/junk/junk.js';
import { FOLLOWING_LINES, shapeCompletion, stopsFor } from '../../../language-server/src/completion/pipeline.js';
import { firstShown } from '../../../language-server/src/completion/fallback/firstShown.js';
import { DEFAULT_SETTINGS } from '../../../language-server/src/protocol.js';
import { indentWidth, placeOf, type Place } from '../../../language-server/src/completion/place/placeOf.js';
import { grammarFor, loadParser } from '../../../language-server/src/completion/syntax/grammars.js';
import { addsErrorsInPlace, windowAround } from '../../../language-server/src/completion/syntax/parseCheck.js';
import { leftOpen, lineState, scanBrackets } from '../../../language-server/src/completion/text/brackets.js';
import type { Parser } from 'web-tree-sitter';
import { FIM_EVAL_CONTEXT, type FimTask } from './fimEval.js';
import { editSimilarity } from './pieEval.js';
import { pairedCounts, type PairedCounts } from './signTest.js';
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
  prompt_mode: PromptMode;
  raw: VariantScores;
  shaped: VariantScores;
  /** The counters on the reference line itself (the original file): what a counter says about correct code. */
  reference: VariantScores;
  /** Edit similarity of the cursor's line, task by task: shaped better / worse / tied against raw, sign test. */
  shaped_vs_raw_es: PairedCounts;
  /** Share of tasks where nothing is shown although the raw text had none of the faults. */
  dropped_clean: number;
  /** Share of tasks whose reference line, given to the pipeline as the model's text, comes out whole. */
  reference_kept: number;
  /** The confidence gate at several thresholds, on the shaped items shown (see gateTable). */
  gate: { first_token_p: GateRow[]; mean_p: GateRow[] };
  byLanguage: Record<string, { tasks: number; raw_em: number; shaped_em: number; raw_es: number; shaped_es: number }>;
  byPlace: Record<string, number>;
  /** Fallback samples the shaped variant may ask for (`splice.fallbackSamples`), the model calls it made per task, and
   * the share of tasks whose shown item came from a fallback. */
  fallback: { limit: number; calls_per_task: number; shown_from_fallback: number };
  /** Time the pipeline took per task (shaping and syntax checks; the model's time not counted). */
  shape_ms_p50: number;
  shape_ms_p95: number;
  ms_per_task: number;
}

export interface ShapeTaskDetail {
  id: string;
  /** The model's first-token and mean per-token probability for this generation. */
  first_token_p?: number;
  mean_p?: number;
  place: string;
  raw: string;
  shaped: string | null;
  /** The shown item came from the k-th fallback sample (absent: from the greedy completion). */
  shaped_from_fallback?: number;
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
  // Unbalanced: it opens a bracket that neither it nor the document's next lines close, or (mid-line) closes one.
  // Brackets in a comment are no code: a cursor inside a block comment (seen from the window) starts the scan there.
  const win = windowAround(doc.text, doc.offset);
  const inBlockComment = scanBrackets(win.before, place.style).end.comment === 'block';
  const start = inBlockComment ? { open: [], comment: 'block' as const } : lineState(place.linePrefix, place.style);
  const following = after.split('\n').slice(0, FOLLOWING_LINES).join('\n');
  const open = leftOpen(shown, place.style, start, following);
  if (open.length > 0 || (place.kind === 'inline' && scanBrackets(shown, place.style, start).outer.length > 0)) flags.push('unbalanced');
  const limit = place.kind === 'block' ? place.blockIndent : place.indent;
  // A block's own closing line (`}` at the opener's indentation, last) ends it; any other dedented line runs past it.
  const later = shown.split('\n').slice(1);
  const closesOwn = (l: string, k: number) => k === later.length - 1 && place.kind === 'block' && indentWidth(l) === place.indent && /^\s*[}\])]/.test(l);
  if (later.some((l, k) => l.trim() !== '' && indentWidth(l) < limit && !closesOwn(l, k))) flags.push('past_block');
  if (cutLoops(cutRepeatedLines(shown)) !== shown) flags.push('repeats');
  if (parser && addsErrorsInPlace(parser, win, shown, replaceSuffix)) flags.push('syntax_errors');
  return flags;
}

function percentile(values: number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return Math.round(sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]! * 100) / 100;
}

const round4 = (x: number) => Math.round(x * 10000) / 10000;

/** What a request with `stops` would have returned on the same (greedy) generation: its text cut at the first stop. */
export function asIfStopped(gen: { completion: string; stopReason: string }, stops: { stopSequences: string[]; stopSearchFrom?: number }): { completion: string; stopReason: string } {
  let cut: number | undefined;
  for (const s of stops.stopSequences) {
    const i = gen.completion.indexOf(s, stops.stopSearchFrom ?? 0);
    if (i >= 0 && (cut === undefined || i < cut)) cut = i;
  }
  return cut === undefined ? gen : { completion: gen.completion.slice(0, cut), stopReason: 'stop-sequence' };
}

export interface ShapeEvalOptions {
  /** How the prompt is conditioned when the cursor is inside a word (the server's `splice.sampling`). */
  promptMode?: PromptMode;
  /** Fallback samples after a greedy completion that shows nothing (default: the server's `splice.fallbackSamples`). */
  fallbacks?: number;
}

export async function evalShape(engine: Engine, tasks: FimTask[], onTask?: (done: number, detail: ShapeTaskDetail) => void, opts: ShapeEvalOptions = {}): Promise<ShapeEvalResult> {
  const parsers = new Map<string, Parser | undefined>();
  for (const lang of new Set(tasks.map((t) => t.language))) {
    const name = grammarFor(lang);
    parsers.set(lang, name ? await loadParser(name) : undefined);
  }
  const sums = { raw: { em: 0, es: 0, lines: 0 }, shaped: { em: 0, es: 0, lines: 0 }, reference: { em: 0, es: 0, lines: 0 } };
  const counts = { raw: zeroFlags(), shaped: zeroFlags(), reference: zeroFlags() };
  const esOf = { raw: [] as number[], shaped: [] as number[] };
  let droppedClean = 0;
  let referenceKept = 0;
  const shownItems: GateItem[] = [];
  const byLanguage: ShapeEvalResult['byLanguage'] = {};
  const byPlace: Record<string, number> = {};
  const shapeMs: number[] = [];
  const fallbackLimit = opts.fallbacks ?? DEFAULT_SETTINGS.fallbackSamples;
  let calls = 0;
  let fromFallback = 0;
  const started = performance.now();
  for (const [i, t] of tasks.entries()) {
    const doc = editorDocument(t);
    const parser = parsers.get(t.language);
    const place = placeOf(doc.text, doc.offset, t.language);
    byPlace[place.kind] = (byPlace[place.kind] ?? 0) + 1;
    // One generation per task: `raw` shows it as the old request did (stopped at a blank line); `shaped` is what the
    // server's request (its stops cut the same greedy tokens) becomes through the pipeline. Paired by construction.
    const gen = await engine.complete({ text: doc.text, offset: doc.offset, maxTokens: MAX_TOKENS, context: FIM_EVAL_CONTEXT, stopSequences: RAW_STOPS, promptMode: opts.promptMode ?? 'byte' });
    const stops = stopsFor(place);
    let ms = 0;
    const confidences: (Confidence | undefined)[] = [];
    // The server's attempts (fallback/firstShown.ts): the greedy one is this generation; a fallback is a sampled
    // completion with the server's stops. The pipeline's time is summed over the attempts.
    const attempt = async (sampling?: SamplingOptions) => {
      const sampled = sampling && (await engine.complete({ text: doc.text, offset: doc.offset, maxTokens: MAX_TOKENS, context: FIM_EVAL_CONTEXT, ...stops, sampling, promptMode: opts.promptMode ?? 'byte' }));
      const req = sampled || asIfStopped(gen, stops);
      confidences.push((sampled || gen).confidence);
      if (!sampled && req.completion.length === 0) return undefined; // the server asks no fallback after an empty completion
      const t0 = performance.now();
      const { item } = shapeCompletion({ ...doc, languageId: t.language, completion: req.completion, stopReason: req.stopReason, parser });
      ms += performance.now() - t0;
      return item;
    };
    const shown = await firstShown(attempt, fallbackLimit);
    const item = shown.item;
    calls += shown.calls;
    if (shown.from) fromFallback++;
    shapeMs.push(ms);
    const expected = t.expected.trimEnd();
    const lang = (byLanguage[t.language] ??= { tasks: 0, raw_em: 0, shaped_em: 0, raw_es: 0, shaped_es: 0 });
    lang.tasks++;
    const flags = { raw: [] as Flag[], shaped: [] as Flag[], reference: [] as Flag[] };
    const variants = [['raw', gen.completion, 0], ['shaped', item?.text ?? '', item?.replaceSuffix ?? 0], ['reference', expected, 0]] as const;
    for (const [variant, text, replaceSuffix] of variants) {
      const line = text.split('\n')[0]!.trimEnd();
      const em = line === expected ? 1 : 0;
      const es = editSimilarity(line, expected);
      sums[variant].em += em;
      sums[variant].es += es;
      sums[variant].lines += text.trim() === '' ? 0 : text.split('\n').length;
      if (variant !== 'reference') {
        esOf[variant].push(es);
        lang[`${variant}_em`] += em;
        lang[`${variant}_es`] += es;
      }
      flags[variant] = faultsOf(doc, place, text, replaceSuffix, parser);
      for (const f of flags[variant]) counts[variant][f]++;
    }
    if (flags.shaped.includes('empty') && flags.raw.length === 0) droppedClean++;
    const conf = confidences[shown.from ?? 0];
    if (item && conf) shownItems.push({ firstP: Math.exp(conf.firstTokenLogprob), meanP: Math.exp(conf.meanLogprob), es: esOf.shaped.at(-1)!, em: item.text.split('\n')[0]!.trimEnd() === expected ? 1 : 0 });
    const ref = shapeCompletion({ ...doc, languageId: t.language, completion: expected, stopReason: 'stop-sequence', parser });
    if (ref.item?.text === expected) referenceKept++;
    const p = (x: number | undefined) => (x === undefined ? undefined : round4(Math.exp(x)));
    onTask?.(i + 1, { id: t.id, first_token_p: p(conf?.firstTokenLogprob), mean_p: p(conf?.meanLogprob), place: place.kind, raw: gen.completion, shaped: item?.text ?? null, ...(shown.from && { shaped_from_fallback: shown.from }), expected: t.expected, flags: { raw: flags.raw, shaped: flags.shaped }, shape_ms: Math.round(ms * 100) / 100 });
  }
  const n = Math.max(1, tasks.length);
  const scores = (v: 'raw' | 'shaped' | 'reference'): VariantScores => ({
    em: round4(sums[v].em / n),
    es: round4(sums[v].es / n),
    rates: Object.fromEntries(FLAGS.map((f) => [f, round4(counts[v][f] / n)])) as Record<Flag, number>,
    lines: round4(sums[v].lines / n),
  });
  for (const l of Object.values(byLanguage)) for (const k of ['raw_em', 'shaped_em', 'raw_es', 'shaped_es'] as const) l[k] = round4(l[k] / l.tasks);
  return {
    tasks: tasks.length,
    prompt_mode: opts.promptMode ?? 'byte',
    raw: scores('raw'),
    shaped: scores('shaped'),
    reference: scores('reference'),
    shaped_vs_raw_es: pairedCounts(esOf.shaped, esOf.raw),
    dropped_clean: round4(droppedClean / n),
    reference_kept: round4(referenceKept / n),
    gate: { first_token_p: gateTable(shownItems, (x) => x.firstP), mean_p: gateTable(shownItems, (x) => x.meanP) },
    byLanguage,
    byPlace,
    fallback: { limit: fallbackLimit, calls_per_task: round4(calls / n), shown_from_fallback: round4(fromFallback / n) },
    shape_ms_p50: percentile(shapeMs, 50),
    shape_ms_p95: percentile(shapeMs, 95),
    ms_per_task: Math.round((performance.now() - started) / n),
  };
}

interface GateItem {
  firstP: number;
  meanP: number;
  es: number;
  em: number;
}

/** One threshold of the gate: the share of shown items it suppresses, and the scores of those it keeps and suppresses. */
export interface GateRow {
  min: number;
  suppressed: number;
  es_kept: number;
  es_suppressed: number;
  em_kept: number;
  em_suppressed: number;
}

const GATE_THRESHOLDS = [0.02, 0.05, 0.1, 0.2, 0.3, 0.5, 0.7];

/** The gate at each threshold over the shown items, by the probability `signal` picks. */
export function gateTable(items: GateItem[], signal: (x: GateItem) => number): GateRow[] {
  const mean = (xs: number[]) => (xs.length ? round4(xs.reduce((a, b) => a + b, 0) / xs.length) : 0);
  return GATE_THRESHOLDS.map((min) => {
    const kept = items.filter((x) => signal(x) >= min);
    const cut = items.filter((x) => signal(x) < min);
    return {
      min,
      suppressed: round4(cut.length / Math.max(1, items.length)),
      es_kept: mean(kept.map((x) => x.es)),
      es_suppressed: mean(cut.map((x) => x.es)),
      em_kept: mean(kept.map((x) => x.em)),
      em_suppressed: mean(cut.map((x) => x.em)),
    };
  });
}

function zeroFlags(): Record<Flag, number> {
  return Object.fromEntries(FLAGS.map((f) => [f, 0])) as Record<Flag, number>;
}

/** `splice eval shape --tasks FILE.jsonl [--model DIR] [--device D] [--prompt-mode M] [--fallbacks N] [--limit N] [--details OUT.jsonl] [--json]`. */
export async function runEvalShape(args: string[]): Promise<void> {
  const v = parse(args, { ...ENGINE_OPTIONS, tasks: { type: 'string' }, limit: { type: 'string' }, details: { type: 'string' }, 'prompt-mode': { type: 'string' }, fallbacks: { type: 'string' } });
  if (!v.tasks) throw new UsageError('--tasks FILE is required');
  const promptMode = (v['prompt-mode'] ?? 'byte') as PromptMode;
  if (!PROMPT_MODES.includes(promptMode)) throw new UsageError(`--prompt-mode must be one of ${PROMPT_MODES.join(', ')} (got ${promptMode})`);
  const fallbacks = v.fallbacks === undefined ? undefined : Number(v.fallbacks);
  if (fallbacks !== undefined && !(Number.isInteger(fallbacks) && fallbacks >= 0)) throw new UsageError(`--fallbacks must be a whole number >= 0 (got ${v.fallbacks})`);
  const tasks = limitTasks(readFimTasks(v.tasks), v.limit);
  await runEvaluation(v, 'shape', tasks.length, (engine, onTask) => evalShape(engine, tasks, onTask, { promptMode, fallbacks }), (result, info) => {
    const f = result.fallback;
    const lines = [`${result.tasks} tasks on ${info.model} / ${info.device}, prompt mode ${result.prompt_mode}; pipeline p50 ${result.shape_ms_p50} ms, p95 ${result.shape_ms_p95} ms`];
    lines.push(`fallback samples: up to ${f.limit}; model calls per task ${f.calls_per_task}; shown from a fallback ${f.shown_from_fallback}`);
    lines.push(`           em      es      lines   ${FLAGS.map((f) => f.padEnd(18)).join('')}`);
    for (const name of ['raw', 'shaped', 'reference'] as const) {
      const s = result[name];
      lines.push(`${name.padEnd(11)}${String(s.em).padEnd(8)}${String(s.es).padEnd(8)}${String(s.lines).padEnd(8)}${FLAGS.map((f) => String(s.rates[f]).padEnd(18)).join('')}`);
    }
    const p = result.shaped_vs_raw_es;
    lines.push('gate (shown items; suppressed share, es kept / suppressed, em kept / suppressed):');
    for (const [name, rows] of Object.entries(result.gate)) {
      for (const r of rows) lines.push(`  ${name} >= ${r.min}: ${r.suppressed}  es ${r.es_kept} / ${r.es_suppressed}  em ${r.em_kept} / ${r.em_suppressed}`);
    }
    lines.push(`shaped vs raw (edit similarity): better ${p.better}, worse ${p.worse}, ties ${p.ties}, sign test p ${p.sign_test_p}; dropped although raw had no fault: ${result.dropped_clean}; reference kept whole: ${result.reference_kept}`);
    return `${lines.join('\n')}\n`;
  });
}
