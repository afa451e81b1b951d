// `splice make-tasks pie|fim|toolgen --from DIR --out FILE.jsonl`: evaluation tasks built from real code files.
import * as fs from 'node:fs';
import { SpliceError } from '../../runtime/src/index.js';
import { parse, UsageError } from './args.js';
import { readCodeFiles, type SourceFile } from './codeCorpus.js';
import { makeFimTasks } from './eval/makeFimTasks.js';
import { makePieTasks } from './eval/makePieTasks.js';
import { makeToolgenTasks } from './eval/makeToolgenTasks.js';
import { ToolSet } from './eval/toolgenTools.js';

type Builder = (files: SourceFile[], count: number, seed: number, maxChars: number) => { id: string }[];

/** Per kind: the builder and its default --count and --max-chars. */
const KINDS: Record<string, { build: Builder; count: string; maxChars: string }> = {
  pie: { build: makePieTasks, count: '240', maxChars: '4000' },
  fim: { build: makeFimTasks, count: '400', maxChars: '1500' },
};

function positiveInt(name: string, value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new SpliceError('input', `--${name} must be a positive integer (got "${value}")`);
  return n;
}

/** `make-tasks toolgen`: member tasks confirmed by the language services, and function tasks (evals/README.md). */
async function runMakeToolgenTasks(args: string[]): Promise<void> {
  const v = parse(args, { from: { type: 'string' }, out: { type: 'string' }, count: { type: 'string', default: '200' }, functions: { type: 'string', default: '100' }, seed: { type: 'string', default: '1' }, 'max-chars': { type: 'string', default: '8000' } });
  if (!v.from || !v.out) throw new UsageError('--from DIR and --out FILE are required');
  const files = readCodeFiles(v.from);
  if (files.length === 0) throw new SpliceError('input', `no .py/.ts/.js files under ${v.from}`);
  const tools = new ToolSet();
  try {
    const opts = { from: v.from, members: positiveInt('count', v.count!), functions: Number(v.functions), seed: positiveInt('seed', v.seed!), maxChars: positiveInt('max-chars', v['max-chars']!), tools };
    if (!(Number.isInteger(opts.functions) && opts.functions >= 0)) throw new SpliceError('input', `--functions must be a whole number (got "${v.functions}")`);
    const tasks = await makeToolgenTasks(files, opts);
    fs.writeFileSync(v.out, tasks.map((t) => JSON.stringify(t)).join('\n') + '\n');
    process.stderr.write(`wrote ${tasks.length} tasks from ${files.length} files to ${v.out}\n`);
  } finally {
    await tools.dispose();
  }
}

export async function runMakeTasks(args: string[]): Promise<void> {
  const [kind, ...rest] = args;
  if (kind === 'toolgen') return runMakeToolgenTasks(rest);
  const spec = kind ? KINDS[kind] : undefined;
  if (!spec) throw new UsageError(`unknown task kind "${kind ?? ''}" (available: ${[...Object.keys(KINDS), 'toolgen'].join(', ')})`);
  const v = parse(rest, {
    from: { type: 'string' },
    out: { type: 'string' },
    count: { type: 'string', default: spec.count },
    seed: { type: 'string', default: '1' },
    'max-chars': { type: 'string', default: spec.maxChars },
  });
  if (!v.from || !v.out) throw new UsageError('--from DIR and --out FILE are required');
  const files = readCodeFiles(v.from);
  if (files.length === 0) throw new SpliceError('input', `no .py/.ts/.js files under ${v.from}`);
  const tasks = spec.build(files, positiveInt('count', v.count!), positiveInt('seed', v.seed!), positiveInt('max-chars', v['max-chars']!));
  fs.writeFileSync(v.out, tasks.map((t) => JSON.stringify(t)).join('\n') + '\n');
  process.stderr.write(`wrote ${tasks.length} tasks from ${files.length} files to ${v.out}\n`);
}
