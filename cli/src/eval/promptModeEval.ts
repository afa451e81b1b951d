// `splice eval fim --modes`: the same FIM tasks completed under each prompt mode (naive, healing, byte), paired per task.
import { PROMPT_MODES, type Engine, type PromptMode } from '../../../runtime/src/index.js';
import { round } from '../bench/stats.js';
import { fimRequest, scoreLine, type FimTask } from './fimEval.js';
import { pairedCounts, type PairedCounts } from './signTest.js';

export interface ModeOutcome {
  line: string;
  em: number;
  es: number;
  ms: number;
  /** Bits per byte of the expected middle under this mode (see middleBpb); absent until the runtime can score. */
  bpb?: number;
}

export interface PromptModeDetail {
  id: string;
  language: string;
  modes: Partial<Record<PromptMode, ModeOutcome>>;
}

export interface PromptModeScore {
  em: number;
  es: number;
  /** Mean time per completion. */
  ms: number;
  /** Mean bits per byte of the middle over the tasks it could be scored on (bpb_tasks). */
  bpb?: number;
  bpb_tasks?: number;
}

export interface PromptModeEvalResult {
  tasks: number;
  modes: Partial<Record<PromptMode, PromptModeScore>>;
  /** `<a>_vs_<b>` for each pair of the modes run (a after b in naive, healing, byte), paired on edit similarity. */
  paired: Record<string, PairedCounts>;
  /** byte vs naive on bits per byte (better = fewer bits), when both ran. */
  paired_bpb?: PairedCounts;
}

/** Reference bytes scored per task (the middle's first 16 bytes, as the issue defines bpb). */
const BPB_BYTES = 16;

/**
 * Bits per byte of the middle's first bytes: exact for `byte` (covers), the middle's own tokens after the naive
 * prompt for `naive`; `healing` has no probability of its own here (undefined: its bpb is left out).
 */
async function middleBpb(engine: Engine, task: FimTask, mode: PromptMode): Promise<number | undefined> {
  if (mode === 'healing' || task.expected.length === 0) return undefined;
  const r = await engine.middleBits(fimRequest(task, mode), task.expected, mode, BPB_BYTES);
  // Infinite bits: every cover was lost (see bytes/covers.ts on pre-tokenizers and split characters); not scored.
  return r && r.bytes > 0 && Number.isFinite(r.bits) ? round(r.bits / r.bytes, 4) : undefined;
}

async function runMode(engine: Engine, t: FimTask, mode: PromptMode): Promise<ModeOutcome> {
  const started = performance.now();
  const r = await engine.complete(fimRequest(t, mode));
  const ms = performance.now() - started;
  const bpb = await middleBpb(engine, t, mode);
  return { ...scoreLine(r.completion, t.expected), ms: round(ms), ...(bpb === undefined ? {} : { bpb }) };
}

async function runTask(engine: Engine, t: FimTask, modes: readonly PromptMode[]): Promise<PromptModeDetail> {
  const d: PromptModeDetail = { id: t.id, language: t.language, modes: {} };
  for (const mode of modes) d.modes[mode] = await runMode(engine, t, mode);
  return d;
}

function summary(details: PromptModeDetail[], mode: PromptMode): PromptModeScore {
  const outcomes = details.map((d) => d.modes[mode]!);
  const mean = (f: (o: ModeOutcome) => number) => outcomes.reduce((s, o) => s + f(o), 0) / Math.max(1, outcomes.length);
  const scored = outcomes.filter((o) => o.bpb !== undefined);
  const bpb = scored.length > 0 ? { bpb: round(scored.reduce((s, o) => s + o.bpb!, 0) / scored.length, 4), bpb_tasks: scored.length } : {};
  return { em: round(mean((o) => o.em), 4), es: round(mean((o) => o.es), 4), ms: round(mean((o) => o.ms)), ...bpb };
}

/** Every pair of the modes run, the later mode (in PROMPT_MODES order) against the earlier one. */
export function modePairs(modes: readonly PromptMode[]): [PromptMode, PromptMode][] {
  const run = PROMPT_MODES.filter((m) => modes.includes(m));
  return [...run].reverse().flatMap((a) => run.filter((b) => PROMPT_MODES.indexOf(b) < PROMPT_MODES.indexOf(a)).map((b): [PromptMode, PromptMode] => [a, b]));
}

/** byte vs naive on bits per byte, over the tasks both scored: "better" = byte assigns the middle fewer bits. */
function pairedBpb(details: PromptModeDetail[]): PairedCounts {
  const both = details.filter((d) => d.modes.byte?.bpb !== undefined && d.modes.naive?.bpb !== undefined);
  return pairedCounts(both.map((d) => -d.modes.byte!.bpb!), both.map((d) => -d.modes.naive!.bpb!));
}

export async function evalPromptModes(engine: Engine, tasks: FimTask[], modes: readonly PromptMode[], onTask?: (done: number, detail: PromptModeDetail) => void): Promise<PromptModeEvalResult> {
  if (tasks.length > 0) for (const mode of modes) await engine.complete(fimRequest(tasks[0]!, mode)); // warm-up, untimed
  const details: PromptModeDetail[] = [];
  for (const [i, t] of tasks.entries()) {
    details.push(await runTask(engine, t, modes));
    onTask?.(i + 1, details.at(-1)!);
  }
  const es = (m: PromptMode) => details.map((d) => d.modes[m]!.es);
  return {
    tasks: details.length,
    modes: Object.fromEntries(modes.map((m) => [m, summary(details, m)])),
    paired: Object.fromEntries(modePairs(modes).map(([a, b]) => [`${a}_vs_${b}`, pairedCounts(es(a), es(b))])),
    ...(modes.includes('byte') && modes.includes('naive') ? { paired_bpb: pairedBpb(details) } : {}),
  };
}
