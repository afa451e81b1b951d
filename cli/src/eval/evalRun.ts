// The frame every `splice eval …` shares: tasks cut to --limit, the engine opened and closed, --details lines written,
// progress on stderr, and the result printed (JSON on the last line with --json, a readable summary otherwise).
import * as fs from 'node:fs';
import { Engine, type EngineInfo } from '../../../runtime/src/index.js';
import { engineOptions } from '../engineOptions.js';

export interface EvalRunOptions {
  model?: string;
  device?: string;
  graph?: string;
  weights?: string;
  'kv-dtype'?: string;
  json?: boolean;
  details?: string;
}

/** The first `limit` tasks (all without one). */
export function limitTasks<T>(all: T[], limit?: string): T[] {
  return limit ? all.slice(0, Number(limit)) : all;
}

/** Prints `eval <label>: done/total tasks (s)` every 10 tasks and at the end. */
export function progress(label: string, total: number): (done: number) => void {
  const started = performance.now();
  return (done) => {
    if (done % 10 === 0 || done === total) process.stderr.write(`eval ${label}: ${done}/${total} tasks (${Math.round((performance.now() - started) / 1000)} s)\n`);
  };
}

/**
 * Opens the engine, runs `evaluate` (which reports each finished task and its detail line), writes the details file,
 * and prints the result: `{...result, model, device}` as JSON with --json, else `summary(result, info)`.
 */
export async function runEvaluation<R extends object>(
  v: EvalRunOptions,
  label: string,
  total: number,
  evaluate: (engine: Engine, onTask: (done: number, detail?: unknown) => void) => Promise<R>,
  summary: (result: R, info: EngineInfo) => string,
): Promise<void> {
  const engine = await Engine.open(engineOptions(v));
  try {
    const report = progress(label, total);
    if (v.details) fs.writeFileSync(v.details, '');
    const result = await evaluate(engine, (done, detail) => {
      if (v.details && detail !== undefined) fs.appendFileSync(v.details, `${JSON.stringify(detail)}\n`);
      report(done);
    });
    const info = engine.info();
    process.stdout.write(v.json ? `${JSON.stringify({ ...result, model: info.model, device: info.device })}\n` : summary(result, info));
  } finally {
    await engine.close();
  }
}
