// `splice eval graph`: the fused graph against the reference graph on held-out FIM tasks: identical greedy completions.
import { Engine, parseDeviceRequest } from '../../../runtime/src/index.js';
import { parse, UsageError } from '../args.js';
import { fimRequest, scoreLine, type FimTask } from './fimEval.js';
import { limitTasks, progress } from './evalRun.js';
import { readFimTasks } from './readTasks.js';

export interface GraphEvalResult {
  tasks: number;
  /** Tasks whose greedy completions (48 tokens, no stop sequence) are the same text under both graphs. */
  identical: number;
  /** Ids of the tasks that differ (at most 10). */
  differing: string[];
  fused: { graph: string; em: number; ms_per_task: number };
  reference: { graph: string; em: number; ms_per_task: number };
}

async function completeAll(engine: Engine, tasks: FimTask[], onTask: () => void): Promise<{ texts: string[]; em: number; ms: number }> {
  const texts: string[] = [];
  let em = 0;
  const started = performance.now();
  for (const t of tasks) {
    const r = await engine.complete({ ...fimRequest(t), stopSequences: [] });
    texts.push(r.completion);
    em += scoreLine(r.completion, t.expected).em;
    onTask();
  }
  return { texts, em: Math.round((em / Math.max(1, tasks.length)) * 10000) / 10000, ms: Math.round((performance.now() - started) / Math.max(1, tasks.length)) };
}

export async function evalGraphs(fused: Engine, reference: Engine, tasks: FimTask[], onTask: (done: number) => void): Promise<GraphEvalResult> {
  let done = 0;
  const tick = () => onTask(++done);
  const f = await completeAll(fused, tasks, tick);
  const r = await completeAll(reference, tasks, tick);
  const differing = tasks.filter((_, i) => f.texts[i] !== r.texts[i]).map((t) => t.id);
  return {
    tasks: tasks.length,
    identical: tasks.length - differing.length,
    differing: differing.slice(0, 10),
    fused: { graph: fused.model.graph, em: f.em, ms_per_task: f.ms },
    reference: { graph: reference.model.graph, em: r.em, ms_per_task: r.ms },
  };
}

/** `splice eval graph --tasks FILE.jsonl [--model DIR] [--device D] [--limit N] [--json]`. */
export async function runEvalGraph(args: string[]): Promise<void> {
  const v = parse(args, { model: { type: 'string' }, device: { type: 'string', default: 'cpu' }, tasks: { type: 'string' }, limit: { type: 'string' }, json: { type: 'boolean', default: false } });
  if (!v.tasks) throw new UsageError('--tasks FILE is required');
  const tasks = limitTasks(readFimTasks(v.tasks), v.limit);
  const device = parseDeviceRequest(v.device!);
  const fused = await Engine.open({ modelDir: v.model, device, graph: 'fused' });
  const reference = await Engine.open({ modelDir: v.model, device, graph: 'reference' });
  try {
    const r = await evalGraphs(fused, reference, tasks, progress('graph', 2 * tasks.length));
    const info = fused.info();
    if (v.json) process.stdout.write(`${JSON.stringify({ ...r, model: info.model, device: info.device })}\n`);
    else {
      process.stdout.write(`${r.tasks} tasks on ${info.model} / ${info.device}: identical greedy completions ${r.identical}/${r.tasks}${r.differing.length ? ` (differ: ${r.differing.join(', ')})` : ''}\n`);
      process.stdout.write(`fused (${r.fused.graph}) em ${r.fused.em}, ${r.fused.ms_per_task} ms per task; reference (${r.reference.graph}) em ${r.reference.em}, ${r.reference.ms_per_task} ms per task\n`);
    }
  } finally {
    await fused.close();
    await reference.close();
  }
}
