// `splice make-tasks pie --from DIR --out FILE.jsonl`: evaluation tasks built from real code files.
import * as fs from 'node:fs';
import { SpliceError } from '../../runtime/src/index.js';
import { parse, UsageError } from './args.js';
import { readCodeFiles } from './codeCorpus.js';
import { makePieTasks } from './eval/makePieTasks.js';

function positiveInt(name: string, value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new SpliceError('input', `--${name} must be a positive integer (got "${value}")`);
  return n;
}

export async function runMakeTasks(args: string[]): Promise<void> {
  const [kind, ...rest] = args;
  if (kind !== 'pie') throw new UsageError(`unknown task kind "${kind ?? ''}" (available: pie)`);
  const v = parse(rest, {
    from: { type: 'string' },
    out: { type: 'string' },
    count: { type: 'string', default: '240' },
    seed: { type: 'string', default: '1' },
    'max-chars': { type: 'string', default: '4000' },
  });
  if (!v.from || !v.out) throw new UsageError('--from DIR and --out FILE are required');
  const files = readCodeFiles(v.from);
  if (files.length === 0) throw new SpliceError('input', `no .py/.ts/.js files under ${v.from}`);
  const tasks = makePieTasks(files, positiveInt('count', v.count!), positiveInt('seed', v.seed!), positiveInt('max-chars', v['max-chars']!));
  fs.writeFileSync(v.out, tasks.map((t) => JSON.stringify(t)).join('\n') + '\n');
  process.stderr.write(`wrote ${tasks.length} tasks from ${files.length} files to ${v.out}\n`);
}
