// `splice bench pie`: timings as ratios against a baseline measured in the same run.
import * as path from 'node:path';
import { Engine, SpliceError, defaultModelDir, packageRoot, type DeviceRequest } from '../../runtime/src/index.js';
import { parse, UsageError } from './args.js';
import { benchPie, type PieBenchRow } from './bench/pieBench.js';
import { readCodeFiles } from './codeCorpus.js';

const DEFAULT_SIZES = [512, 1024, 2048, 4096];

function corpusDir(from: string | undefined): string {
  if (from) return from;
  // The repository's own sources: present in a clone, where benchmarks are run.
  return packageRoot();
}

export async function runBench(args: string[]): Promise<void> {
  const [name, ...rest] = args;
  if (name !== 'pie') throw new UsageError(`unknown benchmark "${name ?? ''}" (available: pie)`);
  const v = parse(rest, {
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
