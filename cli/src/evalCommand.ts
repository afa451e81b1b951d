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
import { readFimTasks, readPieTasks } from './eval/readTasks.js';

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

export async function runEval(args: string[]): Promise<void> {
  const [kind, ...rest] = args;
  if (kind === 'fim') return runEvalFim(rest);
  if (kind === 'frame') return runEvalFrame(rest);
  if (kind === 'shape') return runEvalShape(rest);
  if (kind === 'graph') return runEvalGraph(rest);
  if (kind !== 'pie') throw new UsageError(`unknown evaluation "${kind ?? ''}" (available: pie, fim, frame, shape, graph)`);
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
