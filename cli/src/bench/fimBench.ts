// `splice bench fim`: time per completion under the healing and byte prompt modes against naive, on the same tasks.
import { SpliceError, type DeviceKind, type Engine, type PromptMode } from '../../../runtime/src/index.js';
import { fimRequest, type FimTask } from '../eval/fimEval.js';
import { median, round } from './stats.js';

export interface FimBenchRow {
  device: DeviceKind;
  naive_ms: number;
  healing_ms: number;
  byte_ms: number;
  /** healing_ms / naive_ms and byte_ms / naive_ms (medians over every task and run). */
  ratio_healing: number;
  ratio_byte: number;
}

const MODES: readonly PromptMode[] = ['naive', 'healing', 'byte'];

async function timeCompletion(engine: Engine, task: FimTask, mode: PromptMode): Promise<number> {
  const started = performance.now();
  await engine.complete(fimRequest(task, mode));
  return performance.now() - started;
}

/**
 * Each task under the three modes back to back (the order rotating by task and run, so no mode always goes first),
 * `runs` times over the tasks; medians per mode after one untimed completion per mode.
 */
export async function benchFim(engine: Engine, tasks: readonly FimTask[], runs: number): Promise<FimBenchRow> {
  if (tasks.length === 0) throw new SpliceError('input', 'bench fim needs at least one task');
  for (const mode of MODES) await engine.complete(fimRequest(tasks[0]!, mode));
  const times: Record<PromptMode, number[]> = { naive: [], healing: [], byte: [] };
  for (let run = 0; run < runs; run++) {
    for (const [i, task] of tasks.entries()) {
      for (let k = 0; k < MODES.length; k++) {
        const mode = MODES[(i + run + k) % MODES.length]!;
        times[mode].push(await timeCompletion(engine, task, mode));
      }
    }
  }
  const [naive, healing, byte] = MODES.map((m) => median(times[m]));
  return { device: engine.model.device, naive_ms: round(naive!), healing_ms: round(healing!), byte_ms: round(byte!), ratio_healing: round(healing! / naive!, 4), ratio_byte: round(byte! / naive!, 4) };
}
