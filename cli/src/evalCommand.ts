// `splice eval pie|fim|frame|shape|graph --tasks FILE.jsonl`: metrics per mode; JSON result on the last line with --json.
import { PROMPT_MODES, SpliceError, UPDATE_MODES, type PromptMode, type UpdateMode } from '../../runtime/src/index.js';
import { parse, UsageError } from './args.js';
import { ENGINE_OPTIONS } from './engineOptions.js';
import { limitTasks, runEvaluation, type EvalRunOptions } from './eval/evalRun.js';
import { evalPie } from './eval/pieEval.js';
import { evalFim, type FimTask } from './eval/fimEval.js';
import { evalPromptModes } from './eval/promptModeEval.js';
import { evalFrames } from './eval/frameEval.js';
import { runEvalShape } from './eval/shapeEval.js';
import { runEvalGraph } from './eval/graphEval.js';
import { readFimTasks, readPieTasks, readToolgenTasks } from './eval/readTasks.js';
import { evalToolgen } from './eval/toolgenEval.js';
import { StaticChecker } from './eval/staticValidity.js';
import { ToolSet } from './eval/toolgenTools.js';

function parseModes(value: string): UpdateMode[] {
  const modes = value.split(',') as UpdateMode[];
  const bad = modes.find((m) => !UPDATE_MODES.includes(m));
  if (bad) throw new SpliceError('input', `unknown mode "${bad}" (expected ${UPDATE_MODES.join(', ')})`);
  return modes;
}

function parsePromptModes(value: string): PromptMode[] {
  const modes = [...new Set(value.split(','))] as PromptMode[];
  const bad = modes.find((m) => !PROMPT_MODES.includes(m));
  if (bad) throw new SpliceError('input', `unknown prompt mode "${bad}" (expected ${PROMPT_MODES.join(', ')})`);
  return modes;
}

async function runEvalFim(args: string[]): Promise<void> {
  const v = parse(args, { ...ENGINE_OPTIONS, tasks: { type: 'string' }, limit: { type: 'string' }, modes: { type: 'string' }, details: { type: 'string' } });
  if (!v.tasks) throw new UsageError('--tasks FILE is required');
  if (v.details && !v.modes) throw new UsageError('--details needs --modes');
  const tasks = limitTasks(readFimTasks(v.tasks), v.limit);
  if (v.modes) return runEvalFimModes(tasks, parsePromptModes(v.modes), v);
  await runEvaluation(v, 'fim', tasks.length, (engine, onTask) => evalFim(engine, tasks, onTask), (r, info) => `${r.tasks} tasks on ${info.model} / ${info.device}: exact match ${r.em}, edit similarity ${r.es}, ${JSON.stringify(r.byLanguage)}\n`);
}

/** `eval fim --modes`: every task under each prompt mode; per-mode scores and paired comparisons. */
function runEvalFimModes(tasks: FimTask[], modes: PromptMode[], v: EvalRunOptions): Promise<void> {
  return runEvaluation(v, 'fim', tasks.length, (engine, onTask) => evalPromptModes(engine, tasks, modes, onTask), (r, info) => {
    const lines = [`${r.tasks} tasks on ${info.model} / ${info.device}`];
    for (const [m, s] of Object.entries(r.modes)) lines.push(`${m.padEnd(8)} em ${s.em}  es ${s.es}  ${s.ms} ms per completion`);
    for (const [pair, p] of Object.entries(r.paired)) lines.push(`${pair}: es better ${p.better}, worse ${p.worse}, ties ${p.ties} (sign test p ${p.sign_test_p})`);
    return `${lines.join('\n')}\n`;
  });
}

async function runEvalFrame(args: string[]): Promise<void> {
  const v = parse(args, { ...ENGINE_OPTIONS, tasks: { type: 'string' }, limit: { type: 'string' }, details: { type: 'string' } });
  if (!v.tasks) throw new UsageError('--tasks FILE is required');
  const tasks = limitTasks(readFimTasks(v.tasks), v.limit);
  await runEvaluation(v, 'frame', tasks.length, (engine, onTask) => evalFrames(engine, tasks, onTask), (r, info) => {
    const lines = [`${r.tasks} tasks on ${info.model} / ${info.device}: same line ${r.same_line}; edit frame es better ${r.es_better}, worse ${r.es_worse}, ties ${r.es_ties} (sign test p ${r.sign_test_p})`];
    for (const [f, m] of Object.entries(r.frames)) lines.push(`${f.padEnd(6)} em ${m.em}  es ${m.es}  first token p50 ${m.first_token_ms_p50} ms  encoded ${m.encoded_mean}`);
    return `${lines.join('\n')}\n`;
  });
}

/** `eval toolgen`: member and function tasks, plain vs tool-guided (see evals/README.md). */
async function runEvalToolgen(args: string[]): Promise<void> {
  const v = parse(args, { ...ENGINE_OPTIONS, tasks: { type: 'string' }, limit: { type: 'string' }, details: { type: 'string' }, 'tool-budget': { type: 'string', default: '1000' }, gate: { type: 'string' } });
  if (!v.tasks) throw new UsageError('--tasks FILE is required');
  const budgetMs = Number(v['tool-budget']);
  if (!(budgetMs > 0)) throw new SpliceError('input', `--tool-budget must be a positive number of milliseconds (got "${v['tool-budget']}")`);
  const gate = v.gate === undefined ? undefined : Number(v.gate);
  if (gate !== undefined && !(gate >= 0 && gate <= 1)) throw new SpliceError('input', `--gate must be in [0, 1] (got "${v.gate}")`);
  const tasks = limitTasks(readToolgenTasks(v.tasks), v.limit);
  const tools = new ToolSet();
  const checker = new StaticChecker();
  try {
    await runEvaluation(v, 'toolgen', tasks.length, (engine, onTask) => evalToolgen(engine, tasks, { tools, checker, budgetMs, gate }, onTask), (r, info) => {
      const m = r.member;
      const f = r.function;
      const lines = [`${r.tasks.member} member and ${r.tasks.function} function tasks on ${info.model} / ${info.device}`];
      for (const mode of ['plain', 'tool'] as const) lines.push(`${mode.padEnd(6)} member em ${m[mode].em} validity ${m[mode].validity} (${m[mode].ms} ms)  function static validity ${f[mode].static_validity} dependency coverage ${f[mode].dependency_coverage} (${f[mode].ms} ms)`);
      lines.push(`tool vs plain: em better ${m.paired_em.better}, worse ${m.paired_em.worse} (p ${m.paired_em.sign_test_p}); validity better ${m.paired_validity.better}, worse ${m.paired_validity.worse} (p ${m.paired_validity.sign_test_p})`);
      lines.push(`tool calls ${r.tool_calls.calls}: p50 ${r.tool_calls.ms_p50} ms, p95 ${r.tool_calls.ms_p95} ms, ${JSON.stringify(r.tool_calls.outcomes)}`);
      return `${lines.join('\n')}\n`;
    });
  } finally {
    await tools.dispose();
    await checker.dispose();
  }
}

export async function runEval(args: string[]): Promise<void> {
  const [kind, ...rest] = args;
  if (kind === 'toolgen') return runEvalToolgen(rest);
  if (kind === 'fim') return runEvalFim(rest);
  if (kind === 'frame') return runEvalFrame(rest);
  if (kind === 'shape') return runEvalShape(rest);
  if (kind === 'graph') return runEvalGraph(rest);
  if (kind !== 'pie') throw new UsageError(`unknown evaluation "${kind ?? ''}" (available: pie, fim, frame, shape, toolgen, graph)`);
  const v = parse(rest, { ...ENGINE_OPTIONS, tasks: { type: 'string' }, modes: { type: 'string', default: UPDATE_MODES.join(',') }, limit: { type: 'string' }, details: { type: 'string' } });
  if (!v.tasks) throw new UsageError('--tasks FILE is required');
  const modes = parseModes(v.modes!);
  const tasks = limitTasks(readPieTasks(v.tasks), v.limit);
  await runEvaluation(v, 'pie', tasks.length, (engine, onTask) => evalPie(engine, tasks, modes, onTask), (r, info) => {
    const lines = [`${r.tasks} tasks (${r.skipped} skipped: context too long) on ${info.model} / ${info.device}`];
    for (const m of modes) lines.push(`${m.padEnd(9)} em ${r.modes[m].em}  es ${r.modes[m].es}  update ${r.modes[m].update_ms} ms`);
    return `${lines.join('\n')}\n`;
  });
}
