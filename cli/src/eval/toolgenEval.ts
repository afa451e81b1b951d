// `splice eval toolgen`: member and function tasks completed plain and tool-guided, paired per task.
// member: the identifier's exact match and validity (the language service offers it there);
// function: Static Validity (no counted checker error inside the generated body) and Dependency Coverage.
import * as path from 'node:path';
import { callTool, type CompletionRequest, type Engine, type ToolCallRecord } from '../../../runtime/src/index.js';
import { percentile, round } from '../bench/stats.js';
import { FIM_EVAL_CONTEXT } from './fimEval.js';
import { pairedCounts, type PairedCounts } from './signTest.js';
import type { StaticChecker } from './staticValidity.js';
import { taskUri, type ToolgenTask } from './toolgenTask.js';
import type { ToolSet } from './toolgenTools.js';

export const TOOLGEN_MODES = ['plain', 'tool'] as const;
export type ToolgenMode = (typeof TOOLGEN_MODES)[number];

export interface ToolgenEvalOptions {
  tools: ToolSet;
  checker: StaticChecker;
  /** Per tool call while decoding. */
  budgetMs: number;
  /** The mark gate (default: the runtime's). */
  gate?: number;
}

const IDENT = /^[\p{L}_$][\p{L}\p{N}_$]*/u;
/** The oracle's own call (the names at the task's cursor) may take this long: a cold service starts. */
const ORACLE_BUDGET_MS = 30_000;
const MEMBER_MAX_TOKENS = 24;
const FUNCTION_MAX_TOKENS = 128;
const KEYWORDS = new Set(
  'False None True and as assert async await break class continue def del elif else except finally for from global if import in is lambda nonlocal not or pass raise return try while with yield self this const let var function new typeof instanceof void delete throw catch switch case default extends super static public private protected readonly interface type enum implements export null undefined true false of do'.split(' '),
);

interface Outcome {
  ms: number;
  calls: ToolCallRecord[];
}
interface MemberOutcome extends Outcome {
  ident: string;
  em: number;
  valid: number;
}
interface FunctionOutcome extends Outcome {
  body: string;
  /** The completion before cutBody (its start). */
  raw: string;
  valid: number;
  errors: string[];
  coverage?: number;
}

export interface ToolgenEvalResult {
  tasks: { member: number; function: number };
  member: Record<ToolgenMode, { em: number; validity: number; ms: number }> & { paired_em: PairedCounts; paired_validity: PairedCounts; oracle_empty: number; by_language: Record<string, Record<ToolgenMode, { tasks: number; em: number; validity: number }>> };
  function: Record<ToolgenMode, { static_validity: number; dependency_coverage: number; coverage_tasks: number; ms: number }> & { paired_validity: PairedCounts };
  tool_calls: { calls: number; ms_p50: number; ms_p95: number; ms_max: number; outcomes: Record<string, number>; by_language: Record<string, { calls: number; ms_p50: number; ms_p95: number }> };
  /** The mark's probability at the member tasks' cursors (the first trigger of each `tool` completion): how often the gate alone would fire. */
  mark_gate: { tasks: number; p_mark_p50: number; p_mark_p90: number; at_or_above_0_8: number; at_or_above_0_5: number };
  budget_ms: number;
}

function request(t: ToolgenTask, mode: ToolgenMode, o: ToolgenEvalOptions, maxTokens: number, stops: string[]): CompletionRequest {
  const tool = mode === 'tool' ? o.tools.forLanguage(t.language) : undefined;
  const guidance = tool && { tool, budgetMs: o.budgetMs, gate: o.gate, uri: taskUri(t), languageId: t.language };
  return { text: t.prefix + t.suffix, offset: t.prefix.length, maxTokens, stopSequences: stops, context: FIM_EVAL_CONTEXT, promptMode: 'naive', tool: guidance };
}

async function memberOutcome(engine: Engine, t: ToolgenTask, mode: ToolgenMode, names: readonly string[], o: ToolgenEvalOptions): Promise<MemberOutcome> {
  const started = performance.now();
  const r = await engine.complete(request(t, mode, o, MEMBER_MAX_TOKENS, ['\n']));
  const ident = IDENT.exec(r.completion)?.[0] ?? '';
  return { ident, em: ident === t.expected ? 1 : 0, valid: ident !== '' && names.includes(ident) ? 1 : 0, ms: round(performance.now() - started), calls: r.toolCalls };
}

/** The generated body (its first line starts after the task's indentation), up to a line dedented to the `def` (Python) or a closing `}` (TS/JS). */
export function cutBody(t: ToolgenTask, completion: string): string {
  const lines = completion.split('\n');
  const out: string[] = [];
  if (t.language === 'python') {
    const def = /(?:^|\n)([ \t]*)(?:async[ \t]+)?def[ \t][^\n]*(?:\n(?![ \t]*(?:async[ \t]+)?def[ \t])[^\n]*)*$/.exec(t.prefix);
    const indent = def?.[1]?.length ?? 0;
    for (const [i, l] of lines.entries()) {
      if (i > 0 && l.trim() !== '' && /^[ \t]*/.exec(l)![0].length <= indent) break; // the first line follows the task's indentation
      out.push(l);
    }
  } else {
    let depth = 0;
    outer: for (const l of lines) {
      for (const c of l) {
        depth += c === '{' ? 1 : c === '}' ? -1 : 0;
        if (depth < 0) break outer;
      }
      out.push(l);
    }
  }
  while (out.length && out[out.length - 1]!.trim() === '') out.pop();
  return out.length ? `${out.join('\n')}\n` : '';
}

const identifiers = (text: string) => new Set(text.match(/[\p{L}_$][\p{L}\p{N}_$]*/gu) ?? []);

/** The reference body's identifiers that the rest of the file also names (its repo-level dependencies), keywords aside. */
export function dependencies(t: ToolgenTask): Set<string> {
  const around = identifiers(t.prefix + t.suffix);
  return new Set([...identifiers(t.expected)].filter((n) => around.has(n) && !KEYWORDS.has(n)));
}

async function functionOutcome(engine: Engine, t: ToolgenTask, mode: ToolgenMode, o: ToolgenEvalOptions): Promise<FunctionOutcome> {
  const started = performance.now();
  const r = await engine.complete(request(t, mode, o, FUNCTION_MAX_TOKENS, ['\n\n\n']));
  const ms = round(performance.now() - started);
  const body = cutBody(t, r.completion);
  const fill = body || (t.language === 'python' ? '' : '\n');
  const errors = await o.checker.errorsIn(path.resolve(t.root, t.file), t.language, t.prefix + fill + t.suffix, t.prefix.length, t.prefix.length + fill.length);
  const deps = dependencies(t);
  const used = identifiers(body);
  const coverage = deps.size ? [...deps].filter((d) => used.has(d)).length / deps.size : undefined;
  return { body, raw: r.completion.slice(0, 300), valid: body.trim() !== '' && errors.length === 0 ? 1 : 0, errors, coverage, ms, calls: r.toolCalls };
}

const mean = (xs: number[]) => (xs.length ? round(xs.reduce((a, b) => a + b, 0) / xs.length, 4) : 0);

export async function evalToolgen(engine: Engine, tasks: ToolgenTask[], o: ToolgenEvalOptions, onTask: (done: number, detail?: unknown) => void): Promise<ToolgenEvalResult> {
  const member: Record<ToolgenMode, MemberOutcome[]> = { plain: [], tool: [] };
  const fn: Record<ToolgenMode, FunctionOutcome[]> = { plain: [], tool: [] };
  const memberLanguage: string[] = [];
  const callLanguage: { language: string; ms: number; outcome: string }[] = [];
  let oracleEmpty = 0;
  for (const [i, t] of tasks.entries()) {
    const detail: Record<string, unknown> = { id: t.id, kind: t.kind, language: t.language, expected: t.kind === 'member' ? t.expected : undefined };
    if (t.kind === 'member') {
      const tool = o.tools.forLanguage(t.language);
      const oracle = tool ? await callTool(tool, { text: t.prefix + t.suffix, offset: t.prefix.length, uri: taskUri(t), languageId: t.language }, ORACLE_BUDGET_MS) : undefined;
      const names = oracle?.names ?? [];
      if (names.length === 0) oracleEmpty++;
      memberLanguage.push(t.language);
      for (const mode of TOOLGEN_MODES) member[mode].push(await memberOutcome(engine, t, mode, names, o));
      detail.names = names.length;
      detail.modes = Object.fromEntries(TOOLGEN_MODES.map((m) => [m, member[m].at(-1)]));
    } else {
      for (const mode of TOOLGEN_MODES) fn[mode].push(await functionOutcome(engine, t, mode, o));
      detail.modes = Object.fromEntries(TOOLGEN_MODES.map((m) => [m, fn[m].at(-1)]));
    }
    const last = t.kind === 'member' ? member.tool.at(-1)! : fn.tool.at(-1)!;
    for (const c of last.calls) callLanguage.push({ language: t.language, ms: c.ms, outcome: c.outcome });
    onTask(i + 1, detail);
  }
  return summarize(member, fn, memberLanguage, callLanguage, oracleEmpty, o.budgetMs);
}

function summarize(member: Record<ToolgenMode, MemberOutcome[]>, fn: Record<ToolgenMode, FunctionOutcome[]>, memberLanguage: string[], calls: { language: string; ms: number; outcome: string }[], oracleEmpty: number, budgetMs: number): ToolgenEvalResult {
  const byLanguage: ToolgenEvalResult['member']['by_language'] = {};
  for (const language of new Set(memberLanguage)) {
    const idx = memberLanguage.flatMap((l, i) => (l === language ? [i] : []));
    byLanguage[language] = Object.fromEntries(TOOLGEN_MODES.map((m) => [m, { tasks: idx.length, em: mean(idx.map((i) => member[m][i]!.em)), validity: mean(idx.map((i) => member[m][i]!.valid)) }])) as Record<ToolgenMode, { tasks: number; em: number; validity: number }>;
  }
  const memberModes = Object.fromEntries(TOOLGEN_MODES.map((m) => [m, { em: mean(member[m].map((x) => x.em)), validity: mean(member[m].map((x) => x.valid)), ms: mean(member[m].map((x) => x.ms)) }]));
  const fnModes = Object.fromEntries(
    TOOLGEN_MODES.map((m) => {
      const cov = fn[m].flatMap((x) => (x.coverage === undefined ? [] : [x.coverage]));
      return [m, { static_validity: mean(fn[m].map((x) => x.valid)), dependency_coverage: mean(cov), coverage_tasks: cov.length, ms: mean(fn[m].map((x) => x.ms)) }];
    }),
  );
  const pMarks = member.tool.flatMap((x) => (x.calls[0]?.pMark === undefined ? [] : [x.calls[0].pMark]));
  const share = (g: number) => mean(pMarks.map((p) => (p >= g ? 1 : 0)));
  const markGate = { tasks: pMarks.length, p_mark_p50: round(percentile(pMarks, 50), 4), p_mark_p90: round(percentile(pMarks, 90), 4), at_or_above_0_8: share(0.8), at_or_above_0_5: share(0.5) };
  const ms = calls.map((c) => c.ms);
  const outcomes: Record<string, number> = {};
  for (const c of calls) outcomes[c.outcome] = (outcomes[c.outcome] ?? 0) + 1;
  const callsBy: ToolgenEvalResult['tool_calls']['by_language'] = {};
  for (const language of new Set(calls.map((c) => c.language))) {
    const xs = calls.filter((c) => c.language === language).map((c) => c.ms);
    callsBy[language] = { calls: xs.length, ms_p50: round(percentile(xs, 50)), ms_p95: round(percentile(xs, 95)) };
  }
  return {
    tasks: { member: member.plain.length, function: fn.plain.length },
    member: { ...(memberModes as Record<ToolgenMode, { em: number; validity: number; ms: number }>), paired_em: pairedCounts(member.tool.map((x) => x.em), member.plain.map((x) => x.em)), paired_validity: pairedCounts(member.tool.map((x) => x.valid), member.plain.map((x) => x.valid)), oracle_empty: oracleEmpty, by_language: byLanguage },
    function: { ...(fnModes as Record<ToolgenMode, { static_validity: number; dependency_coverage: number; coverage_tasks: number; ms: number }>), paired_validity: pairedCounts(fn.tool.map((x) => x.valid), fn.plain.map((x) => x.valid)) },
    tool_calls: { calls: calls.length, ms_p50: ms.length ? round(percentile(ms, 50)) : 0, ms_p95: ms.length ? round(percentile(ms, 95)) : 0, ms_max: ms.length ? round(Math.max(...ms)) : 0, outcomes, by_language: callsBy },
    mark_gate: markGate,
    budget_ms: budgetMs,
  };
}
