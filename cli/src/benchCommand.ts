// `splice bench pie|latency|fim|shape|tools|decode`: timings as ratios against a baseline measured in the same run.
import * as path from 'node:path';
import { Engine, SpliceError, defaultModelDir, packageRoot, parseDeviceRequest, readModelFolder, type DeviceRequest } from '../../runtime/src/index.js';
import { parse, UsageError } from './args.js';
import { benchDecode, type DecodeBenchRow } from './bench/decodeBench.js';
import { parseKvDtype, parseWeights } from './engineOptions.js';
import { benchFim, type FimBenchRow } from './bench/fimBench.js';
import { benchShape } from './bench/shapeBench.js';
import { benchLatency } from './bench/latencyBench.js';
import { latencyCorpus } from './bench/latencyInputs.js';
import { latencyHeader, latencyRowLines, sampleLine } from './bench/latencyTable.js';
import { benchPie, type PieBenchRow } from './bench/pieBench.js';
import { readCodeFiles } from './codeCorpus.js';
import { readFimTasks, readToolgenTasks } from './eval/readTasks.js';
import { benchTools } from './bench/toolBench.js';
import { ToolSet } from './eval/toolgenTools.js';

const DEFAULT_SIZES = [512, 1024, 2048, 4096];
const DEFAULT_LATENCY_SIZES = '500,2000,8000,25000';
const DEFAULT_FIM_TASKS = 30;

function corpusDir(from: string | undefined): string {
  if (from) return from;
  // The repository's own sources: present in a clone, where benchmarks are run.
  return packageRoot();
}

function intAtLeast(value: string | undefined, flag: string, min: number): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw new SpliceError('input', `${flag} must be an integer ≥ ${min} (got "${value}")`);
  return n;
}

export async function runBench(args: string[]): Promise<void> {
  const [name, ...rest] = args;
  if (name === 'pie') return runPie(rest);
  if (name === 'latency') return runLatency(rest);
  if (name === 'fim') return runFim(rest);
  if (name === 'shape') return runShape(rest);
  if (name === 'tools') return runTools(rest);
  if (name === 'decode') return runDecode(rest);
  throw new UsageError(`unknown benchmark "${name ?? ''}" (available: pie, latency, fim, shape, tools, decode)`);
}

/** `bench tools`: tool latency per trigger with a warm service vs a plain completion (evals/toolgen-heldout.jsonl's member tasks). */
async function runTools(args: string[]): Promise<void> {
  const v = parse(args, { model: { type: 'string' }, device: { type: 'string', default: 'cpu' }, tasks: { type: 'string', default: 'evals/toolgen-heldout.jsonl' }, limit: { type: 'string', default: '40' }, runs: { type: 'string', default: '3' }, json: { type: 'boolean', default: false } });
  const limit = intAtLeast(v.limit, '--limit', 1);
  const runs = intAtLeast(v.runs, '--runs', 1);
  const members = readToolgenTasks(v.tasks!).filter((t) => t.kind === 'member');
  // The first `limit` member tasks of each language.
  const tasks = [...new Set(members.map((t) => t.language))].flatMap((l) => members.filter((t) => t.language === l).slice(0, limit));
  const engine = await Engine.open({ modelDir: v.model, device: parseDeviceRequest(v.device!) });
  const tools = new ToolSet();
  try {
    const rows = await benchTools(engine, tasks, tools, runs);
    if (v.json) process.stdout.write(`${JSON.stringify({ model: engine.info().model, device: engine.info().device, runs, rows })}\n`);
    else for (const r of rows) process.stdout.write(`${r.language}\t${r.tasks} tasks, ${r.calls} calls\ttool p50 ${r.tool_ms_p50} ms, p95 ${r.tool_ms_p95} ms\tcompletion p50 ${r.completion_ms_p50} ms\tratio ${r.ratio}\t(empty ${r.empty})\n`);
  } finally {
    await tools.dispose();
    await engine.close();
  }
}

async function runPie(args: string[]): Promise<void> {
  const v = parse(args, {
    model: { type: 'string' },
    device: { type: 'string', default: 'cpu,webgpu' },
    sizes: { type: 'string' },
    runs: { type: 'string', default: '5' },
    from: { type: 'string' },
    json: { type: 'boolean', default: false },
  });
  const runs = Number(v.runs);
  if (!Number.isInteger(runs) || runs < 1) throw new SpliceError('input', `--runs must be a positive integer (got "${v.runs}")`);
  const corpus = readCodeFiles(corpusDir(v.from)).map((f) => f.text).join('\n');
  const rows: PieBenchRow[] = [];
  for (const device of v.device!.split(',') as DeviceRequest[]) {
    const engine = await Engine.open({ modelDir: v.model, device });
    try {
      const max = engine.model.folder.config.maxPositions;
      const sizes = v.sizes ? v.sizes.split(',').map(Number) : DEFAULT_SIZES.filter((s) => s <= max);
      if (sizes.some((s) => !Number.isInteger(s) || s < 16 || s > max)) throw new SpliceError('input', `--sizes must be integers in 16..${max} for this model`);
      for (const row of await benchPie(engine, corpus, sizes, runs)) {
        rows.push(row);
        if (!v.json) process.stdout.write(`${row.device}\t${row.context_tokens} tokens\tfull ${row.full_ms} ms\tpie ${row.pie_ms} ms\tratio ${row.ratio}\t(re-encoded ${row.pie_reencoded}, moved ${row.pie_moved})\n`);
      }
    } finally {
      await engine.close();
    }
  }
  if (v.json) process.stdout.write(`${JSON.stringify({ model: path.basename(v.model ?? defaultModelDir()), runs, rows })}\n`);
}

async function runLatency(args: string[]): Promise<void> {
  const v = parse(args, {
    model: { type: 'string' },
    device: { type: 'string', default: 'cpu' },
    sizes: { type: 'string', default: DEFAULT_LATENCY_SIZES },
    from: { type: 'string' },
    'key-ms': { type: 'string', default: '60' },
    quick: { type: 'boolean', default: false },
    details: { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
  });
  const sizes = v.sizes!.split(',').map((s) => intAtLeast(s, '--sizes', 100));
  const keyMs = intAtLeast(v['key-ms'], '--key-ms', 0);
  const device = parseDeviceRequest(v.device!);
  const modelDir = path.resolve(v.model ?? defaultModelDir());
  const folder = readModelFolder(modelDir); // the model's tokenizer sizes the documents; the server loads the model
  const corpus = latencyCorpus(readCodeFiles(corpusDir(v.from)));
  if (!v.json) process.stdout.write(latencyHeader(folder.name, device, keyMs));
  const report = await benchLatency({
    bin: path.join(packageRoot(), 'bin', 'splice.js'),
    settings: { modelPath: modelDir, device },
    sizes,
    keyMs,
    quick: v.quick!,
    corpus,
    tokenizer: folder.tokenizer,
    onSample: v.details ? (tokens, mode, s) => process.stdout.write(sampleLine(tokens, mode, s)) : undefined,
    onRow: v.json ? undefined : (row) => process.stdout.write(latencyRowLines(row)),
  });
  if (v.json) process.stdout.write(`${JSON.stringify(report)}\n`);
}

async function runFim(args: string[]): Promise<void> {
  const v = parse(args, {
    model: { type: 'string' },
    device: { type: 'string', default: 'cpu,webgpu' },
    runs: { type: 'string', default: '3' },
    tasks: { type: 'string' },
    limit: { type: 'string', default: String(DEFAULT_FIM_TASKS) },
    json: { type: 'boolean', default: false },
  });
  const runs = intAtLeast(v.runs, '--runs', 1);
  const tasksFile = v.tasks ?? path.join(packageRoot(), 'evals', 'fim-midtoken-heldout.jsonl');
  const tasks = readFimTasks(tasksFile).slice(0, intAtLeast(v.limit, '--limit', 1));
  const rows: FimBenchRow[] = [];
  for (const device of v.device!.split(',').map(parseDeviceRequest)) {
    const engine = await Engine.open({ modelDir: v.model, device });
    try {
      const row = await benchFim(engine, tasks, runs);
      rows.push(row);
      if (!v.json) process.stdout.write(`${row.device}\tnaive ${row.naive_ms} ms\thealing ${row.healing_ms} ms (ratio ${row.ratio_healing})\tbyte ${row.byte_ms} ms (ratio ${row.ratio_byte})\n`);
    } finally {
      await engine.close();
    }
  }
  if (v.json) process.stdout.write(`${JSON.stringify({ model: path.basename(v.model ?? defaultModelDir()), runs, tasks: tasks.length, rows })}\n`);
}

/** `bench shape [--tasks FILE] [--limit N] [--runs N] [--model DIR] [--device D] [--json]`: the pipeline's time per completion. */
async function runShape(args: string[]): Promise<void> {
  const v = parse(args, {
    model: { type: 'string' },
    device: { type: 'string', default: 'cpu' },
    runs: { type: 'string', default: '3' },
    tasks: { type: 'string' },
    limit: { type: 'string', default: '100' },
    json: { type: 'boolean', default: false },
  });
  const runs = intAtLeast(v.runs, '--runs', 1);
  const tasks = readFimTasks(v.tasks ?? path.join(packageRoot(), 'evals', 'fim-heldout.jsonl')).slice(0, intAtLeast(v.limit, '--limit', 1));
  const engine = await Engine.open({ modelDir: v.model, device: parseDeviceRequest(v.device!) });
  try {
    const row = await benchShape(engine, tasks, runs);
    if (v.json) process.stdout.write(`${JSON.stringify({ model: engine.info().model, runs, ...row })}\n`);
    else process.stdout.write(`${row.tasks} completions × ${runs} runs: full parses p50 ${row.full_p50_ms} ms, p95 ${row.full_p95_ms} ms; incremental p50 ${row.incremental_p50_ms} ms, p95 ${row.incremental_p95_ms} ms (ratio p50 ${row.ratio_p50}, p95 ${row.ratio_p95})\n`);
  } finally {
    await engine.close();
  }
}

const DEFAULT_DECODE_SIZES = [512, 1024, 2048, 4096];

/** Bytes a cached token takes in every layer's K and V at a dtype. */
function kvBytesPerToken(engine: Engine, bytes: number): number {
  const { numLayers, numKvHeads, headDim } = engine.model.kvShape;
  return 2 * numLayers * numKvHeads * headDim * bytes;
}

async function runDecode(args: string[]): Promise<void> {
  const v = parse(args, {
    model: { type: 'string' },
    device: { type: 'string', default: 'cpu,webgpu' },
    sizes: { type: 'string' },
    steps: { type: 'string', default: '32' },
    runs: { type: 'string', default: '5' },
    threads: { type: 'string' },
    weights: { type: 'string' },
    'kv-dtype': { type: 'string' },
    from: { type: 'string' },
    json: { type: 'boolean', default: false },
  });
  const runs = intAtLeast(v.runs, '--runs', 1);
  const steps = intAtLeast(v.steps, '--steps', 2);
  const threads = v.threads === undefined ? undefined : intAtLeast(v.threads, '--threads', 1);
  const corpus = readCodeFiles(corpusDir(v.from)).map((f) => f.text).join('\n');
  const rows: DecodeBenchRow[] = [];
  const graphs: Record<string, string> = {};
  let memory: Record<string, number> = {};
  for (const device of v.device!.split(',').map(parseDeviceRequest)) {
    const fused = await Engine.open({ modelDir: v.model, device, graph: 'fused', threads, weights: parseWeights(v.weights), kvDtype: parseKvDtype(v['kv-dtype']) });
    const reference = await Engine.open({ modelDir: v.model, device, graph: 'reference', threads });
    try {
      graphs[fused.model.device] = fused.model.graph;
      memory = { float32: kvBytesPerToken(fused, 4), float16: kvBytesPerToken(fused, 2) };
      const max = fused.model.folder.config.maxPositions;
      const sizes = v.sizes ? v.sizes.split(',').map(Number) : DEFAULT_DECODE_SIZES.filter((s) => s <= max);
      if (sizes.some((s) => !Number.isInteger(s) || s <= steps || s > max)) throw new SpliceError('input', `--sizes must be integers in ${steps + 1}..${max} for this model`);
      const ids = fused.model.folder.tokenizer.encode(corpus.slice(0, Math.max(...sizes) * 12));
      if (ids.length < Math.max(...sizes)) throw new SpliceError('input', `the corpus holds only ${ids.length} tokens`);
      for (const row of await benchDecode(fused, reference, ids, sizes, steps, runs)) {
        rows.push(row);
        if (!v.json) {
          process.stdout.write(`${row.device}\t${row.context_tokens} ctx\tprefill ${row.fused_prefill_ms} vs ${row.reference_prefill_ms} ms (x${row.prefill_speedup})\t`);
          process.stdout.write(`decode ${row.fused_decode_tok_s} vs ${row.reference_decode_tok_s} tok/s (x${row.decode_speedup})\tgreedy identical: ${row.greedy_identical}\n`);
        }
      }
    } finally {
      await fused.close();
      await reference.close();
    }
  }
  const report = { model: path.basename(v.model ?? defaultModelDir()), runs, threads: threads ?? 'onnxruntime default', graphs, kv_bytes_per_token: memory, rows };
  if (v.json) process.stdout.write(`${JSON.stringify(report)}\n`);
  else process.stdout.write(`graphs: ${JSON.stringify(graphs)}\nKV bytes per cached token: ${JSON.stringify(memory)}\n`);
}
