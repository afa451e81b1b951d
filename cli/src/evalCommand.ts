// `splice eval pie|fim|frame --tasks FILE.jsonl`: metrics per mode; JSON result on the last line with --json.
import * as fs from 'node:fs';
import { Engine, PROMPT_MODES, SpliceError, UPDATE_MODES, type PromptMode, type UpdateMode } from '../../runtime/src/index.js';
import { parse, UsageError } from './args.js';
import { ENGINE_OPTIONS, engineOptions } from './engineOptions.js';
import { evalPie } from './eval/pieEval.js';
import { evalFim, type FimTask } from './eval/fimEval.js';
import { evalPromptModes } from './eval/promptModeEval.js';
import { evalFrames } from './eval/frameEval.js';
import { runEvalShape } from './eval/shapeEval.js';
import { readFimTasks, readPieTasks } from './eval/readTasks.js';

function parseModes(value: string): UpdateMode[] {
  const modes = value.split(',') as UpdateMode[];
  const bad = modes.find((m) => !UPDATE_MODES.includes(m));
  if (bad) throw new SpliceError('input', `unknown mode "${bad}" (expected ${UPDATE_MODES.join(', ')})`);
  return modes;
}

function progress(label: string, total: number): (done: number) => void {
  const started = performance.now();
  return (done) => {
    if (done % 10 === 0 || done === total) process.stderr.write(`eval ${label}: ${done}/${total} tasks (${Math.round((performance.now() - started) / 1000)} s)\n`);
  };
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
  const all = readFimTasks(v.tasks);
  const tasks = v.limit ? all.slice(0, Number(v.limit)) : all;
  if (v.modes) return runEvalFimModes(tasks, parsePromptModes(v.modes), v);
  const engine = await Engine.open(engineOptions(v));
  try {
    const result = await evalFim(engine, tasks, progress('fim', tasks.length));
    const info = engine.info();
    const out = { ...result, model: info.model, device: info.device };
    if (v.json) process.stdout.write(`${JSON.stringify(out)}\n`);
    else process.stdout.write(`${result.tasks} tasks on ${info.model} / ${info.device}: exact match ${result.em}, edit similarity ${result.es}, ${JSON.stringify(result.byLanguage)}\n`);
  } finally {
    await engine.close();
  }
}

/** `eval fim --modes`: every task under each prompt mode; per-mode scores and paired comparisons. */
async function runEvalFimModes(tasks: FimTask[], modes: PromptMode[], v: { model?: string; device?: string; json?: boolean; details?: string }): Promise<void> {
  const engine = await Engine.open(engineOptions(v));
  try {
    const report = progress('fim', tasks.length);
    if (v.details) fs.writeFileSync(v.details, '');
    const result = await evalPromptModes(engine, tasks, modes, (done, detail) => {
      if (v.details) fs.appendFileSync(v.details, `${JSON.stringify(detail)}\n`);
      report(done);
    });
    const info = engine.info();
    if (v.json) process.stdout.write(`${JSON.stringify({ ...result, model: info.model, device: info.device })}\n`);
    else {
      process.stdout.write(`${result.tasks} tasks on ${info.model} / ${info.device}\n`);
      for (const [m, s] of Object.entries(result.modes)) process.stdout.write(`${m.padEnd(8)} em ${s.em}  es ${s.es}  ${s.ms} ms per completion\n`);
      for (const [pair, p] of Object.entries(result.paired)) process.stdout.write(`${pair}: es better ${p.better}, worse ${p.worse}, ties ${p.ties} (sign test p ${p.sign_test_p})\n`);
    }
  } finally {
    await engine.close();
  }
}

async function runEvalFrame(args: string[]): Promise<void> {
  const v = parse(args, { ...ENGINE_OPTIONS, tasks: { type: 'string' }, limit: { type: 'string' }, details: { type: 'string' } });
  if (!v.tasks) throw new UsageError('--tasks FILE is required');
  const all = readFimTasks(v.tasks);
  const tasks = v.limit ? all.slice(0, Number(v.limit)) : all;
  const engine = await Engine.open(engineOptions(v));
  try {
    const report = progress('frame', tasks.length);
    if (v.details) fs.writeFileSync(v.details, '');
    const result = await evalFrames(engine, tasks, (done, detail) => {
      if (v.details) fs.appendFileSync(v.details, `${JSON.stringify(detail)}\n`);
      report(done);
    });
    const info = engine.info();
    if (v.json) process.stdout.write(`${JSON.stringify({ ...result, model: info.model, device: info.device })}\n`);
    else {
      process.stdout.write(`${result.tasks} tasks on ${info.model} / ${info.device}: same line ${result.same_line}; edit frame es better ${result.es_better}, worse ${result.es_worse}, ties ${result.es_ties} (sign test p ${result.sign_test_p})\n`);
      for (const [f, m] of Object.entries(result.frames)) process.stdout.write(`${f.padEnd(6)} em ${m.em}  es ${m.es}  first token p50 ${m.first_token_ms_p50} ms  encoded ${m.encoded_mean}\n`);
    }
  } finally {
    await engine.close();
  }
}

export async function runEval(args: string[]): Promise<void> {
  const [kind, ...rest] = args;
  if (kind === 'fim') return runEvalFim(rest);
  if (kind === 'frame') return runEvalFrame(rest);
  if (kind === 'shape') return runEvalShape(rest);
  if (kind !== 'pie') throw new UsageError(`unknown evaluation "${kind ?? ''}" (available: pie, fim, frame, shape)`);
  const v = parse(rest, { ...ENGINE_OPTIONS, tasks: { type: 'string' }, modes: { type: 'string', default: UPDATE_MODES.join(',') }, limit: { type: 'string' }, details: { type: 'string' } });
  if (!v.tasks) throw new UsageError('--tasks FILE is required');
  const modes = parseModes(v.modes!);
  const all = readPieTasks(v.tasks);
  const tasks = v.limit ? all.slice(0, Number(v.limit)) : all;
  const engine = await Engine.open(engineOptions(v));
  try {
    const report = progress('pie', tasks.length);
    if (v.details) fs.writeFileSync(v.details, '');
    const result = await evalPie(engine, tasks, modes, (done, detail) => {
      if (v.details) fs.appendFileSync(v.details, `${JSON.stringify(detail)}\n`);
      report(done);
    });
    const info = engine.info();
    const out = { ...result, model: info.model, device: info.device };
    if (v.json) process.stdout.write(`${JSON.stringify(out)}\n`);
    else {
      process.stdout.write(`${result.tasks} tasks (${result.skipped} skipped: context too long) on ${info.model} / ${info.device}\n`);
      for (const m of modes) process.stdout.write(`${m.padEnd(9)} em ${result.modes[m].em}  es ${result.modes[m].es}  update ${result.modes[m].update_ms} ms\n`);
    }
  } finally {
    await engine.close();
  }
}
