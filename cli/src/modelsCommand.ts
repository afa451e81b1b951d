// `splice models list | pull NAME | rm NAME`: the models folder, the curated hub models, downloads with progress.
import { parseArgs } from 'node:util';
import { CATALOG, HubClient, SpliceError, formatBytes, listInstalled, planFiles, modelsFolder, parseModelRef, pullModel, removeModel, type PullProgress } from '../../runtime/src/index.js';
import { UsageError } from './args.js';
import { progressLine } from './progressLine.js';

const OPTIONS = {
  'models-dir': { type: 'string' },
  endpoint: { type: 'string' },
  revision: { type: 'string' },
  json: { type: 'boolean' },
  hub: { type: 'boolean' },
} as const;

export async function runModels(args: string[]): Promise<void> {
  let parsed;
  try {
    parsed = parseArgs({ args, options: OPTIONS, strict: true, allowPositionals: true });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const [sub, name, ...extra] = parsed.positionals;
  const v = parsed.values;
  const dir = modelsFolder(v['models-dir']);
  if (extra.length) throw new UsageError(`unexpected arguments: ${extra.join(' ')}`);
  if (sub === 'list' && !name) return list(dir, v.json === true, v.hub === true ? await hubSizes(v.endpoint) : undefined);
  if (sub === 'pull' && name) return pull(dir, name, v.endpoint, v.revision, v.json === true);
  if (sub === 'rm' && name) return remove(dir, name, v.json === true);
  throw new UsageError(sub === 'pull' || sub === 'rm' ? `models ${sub} needs a model name (owner/name[:variant])` : `unknown models command "${sub ?? ''}" (list, pull NAME, rm NAME)`);
}

interface HubRow {
  bytes?: number;
  files?: string[];
  error?: string;
}

/** What each curated model's pull would fetch, asked of the hub (`--hub`: the only `list` that uses the network). */
async function hubSizes(endpoint: string | undefined): Promise<Map<string, HubRow>> {
  const client = new HubClient({ endpoint });
  try {
    const rows = await Promise.all(CATALOG.map(async (e): Promise<[string, HubRow]> => {
      try {
        const files = planFiles(await client.snapshot(e.repo, 'main'), e.variant);
        const bytes = files.every((f) => f.size !== undefined) ? files.reduce((n, f) => n + f.size!, 0) : undefined;
        return [e.repo, { ...(bytes !== undefined && { bytes }), files: files.map((f) => f.path) }];
      } catch (err) {
        return [e.repo, { error: (err as Error).message }];
      }
    }));
    return new Map(rows);
  } finally {
    await client.close();
  }
}

function list(dir: string, json: boolean, hub?: Map<string, HubRow>): void {
  const installed = listInstalled(dir);
  if (json) {
    const catalog = CATALOG.map((e) => ({ ...e, installed: installed.some((m) => m.manifest.repo === e.repo), ...hub?.get(e.repo) }));
    process.stdout.write(`${JSON.stringify({ modelsDir: dir, installed: installed.map((m) => ({ id: m.id, dir: m.dir, bytes: m.bytes, commit: m.manifest.commit })), catalog })}\n`);
    return;
  }
  process.stdout.write(`models folder: ${dir}\n\ninstalled:\n`);
  if (installed.length === 0) process.stdout.write('  (none yet: splice models pull NAME)\n');
  for (const m of installed) process.stdout.write(`  ${m.id.padEnd(52)} ${formatBytes(m.bytes).padStart(8)}  ${m.dir}\n`);
  process.stdout.write(`\ncurated hub models (splice models pull NAME[:variant]${hub ? '' : '; --hub asks the hub for sizes and files'}):\n`);
  for (const e of CATALOG) {
    const h = hub?.get(e.repo);
    const size = h ? (h.bytes !== undefined ? formatBytes(h.bytes) : '?') : '';
    process.stdout.write(`  ${`${e.repo}:${e.variant}`.padEnd(52)} ${size.padStart(8)} ${e.params.padStart(5)}  ${e.licence.padEnd(14)} ${e.note}\n`);
    if (h) process.stdout.write(`      ${h.error ?? `fetches ${h.files!.join(', ')}`}\n`);
  }
}

async function pull(dir: string, name: string, endpoint: string | undefined, revision: string | undefined, json: boolean): Promise<void> {
  const ref = parseModelRef(name);
  const ac = new AbortController();
  const onSigint = () => ac.abort();
  process.once('SIGINT', onSigint);
  const tty = process.stderr.isTTY === true;
  let lastLine = 0;
  const onProgress = (p: PullProgress) => {
    if (tty) process.stderr.write(`\r${progressLine(p).padEnd(100).slice(0, 100)}`);
    else if (Date.now() - lastLine > 2000 || p.received === p.total) (lastLine = Date.now()), process.stderr.write(`${progressLine(p)}\n`);
  };
  try {
    const got = await pullModel({ modelsDir: dir, ref, revision, hub: { endpoint }, signal: ac.signal, onProgress, progressEveryMs: tty ? 100 : 500 });
    if (tty) process.stderr.write('\n');
    const bytes = got.manifest.files.reduce((n, f) => n + f.size, 0);
    if (json) process.stdout.write(`${JSON.stringify({ dir: got.dir, repo: got.manifest.repo, variant: got.manifest.variant, commit: got.manifest.commit, bytes, fetched: got.fetched, downloaded: got.downloaded })}\n`);
    else process.stdout.write(`${got.downloaded ? 'installed' : 'already installed'}: ${got.manifest.repo}:${got.manifest.variant} (${formatBytes(bytes)}, commit ${got.manifest.commit.slice(0, 12)})\n${got.dir}\nuse it with --model ${got.dir} or the splice.modelPath setting\n`);
  } catch (err) {
    if (tty) process.stderr.write('\n');
    if (ac.signal.aborted) throw new SpliceError('download', 'cancelled; nothing was installed');
    throw err;
  } finally {
    process.off('SIGINT', onSigint);
  }
}

function remove(dir: string, name: string, json: boolean): void {
  const removed = removeModel(dir, name);
  if (json) process.stdout.write(`${JSON.stringify({ removed })}\n`);
  else for (const d of removed) process.stdout.write(`removed ${d}\n`);
}
