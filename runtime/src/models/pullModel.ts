// `splice models pull`: a hub model's files (config, tokenizer, the chosen ONNX variant and its external data) fetched into a
// temporary folder, checked, then renamed into the models folder in one step. Cancelled: the temporary folder is removed.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { isAbort, SpliceError } from '../errors.js';
import { catalogEntry } from './catalog.js';
import { downloadFile } from './downloadFile.js';
import { formatBytes } from './formatBytes.js';
import { HubClient, type HubFile, type HubOptions, type RepoSnapshot } from './HubClient.js';
import { isVariant, VARIANT_FILES, variantPath, type ModelRef, type ModelVariant } from './modelRef.js';
import { installedModelDir, MANIFEST_FILE, partialDir } from './modelsFolder.js';
import { TransferMeter } from './TransferMeter.js';

const REQUIRED = ['config.json', 'tokenizer.json', 'tokenizer_config.json'];
const OPTIONAL = ['generation_config.json', 'special_tokens_map.json'];
/** Room left free on the disk beyond the download itself. */
const DISK_MARGIN = 64 * 1024 * 1024;

export interface PullProgress {
  repo: string;
  file: string;
  fileIndex: number;
  fileCount: number;
  /** Bytes of the whole model on disk so far, and in all (when the hub lists sizes). */
  received: number;
  total?: number;
  bytesPerSecond: number;
  etaSeconds?: number;
}

export interface PullOptions {
  modelsDir: string;
  ref: ModelRef;
  /** Branch, tag or commit (default `main`). */
  revision?: string;
  hub?: HubOptions;
  signal?: AbortSignal;
  onProgress?: (p: PullProgress) => void;
  /** Least time between two progress reports (ms); the last report of each file always comes. */
  progressEveryMs?: number;
  /** Free bytes where the models folder lives (tests override it). */
  freeBytes?: (dir: string) => number;
  retryDelayMs?: number;
  /** Connection failures retried per file (resuming each time) before the pull fails; default 5. */
  retries?: number;
}

/** What `splice-model.json` in an installed model's folder records. */
export interface ModelManifest {
  repo: string;
  variant: ModelVariant;
  revision: string;
  commit: string;
  endpoint: string;
  files: { path: string; size: number; checksum?: string }[];
  pulledAt: string;
}

export interface PulledModel {
  dir: string;
  manifest: ModelManifest;
  /** False when the same commit was installed already (nothing fetched). */
  downloaded: boolean;
  /** Bytes fetched over the network by this pull (less than the size when it resumed). */
  fetched: number;
}

export async function pullModel(opts: PullOptions): Promise<PulledModel> {
  const { repo } = opts.ref;
  const variant = opts.ref.variant ?? catalogEntry(repo)?.variant ?? 'fp32';
  const revision = opts.revision ?? 'main';
  const client = new HubClient(opts.hub);
  try {
    const snapshot = await client.snapshot(repo, revision, opts.signal);
    const files = planFiles(snapshot, variant);
    const dir = installedModelDir(opts.modelsDir, repo, variant);
    const installed = readManifest(dir);
    if (installed?.commit === snapshot.commit) return { dir, manifest: installed, downloaded: false, fetched: 0 };
    const tmp = partialDir(opts.modelsDir, repo, variant, snapshot.commit);
    fs.mkdirSync(tmp, { recursive: true });
    checkDiskSpace(opts, tmp, files);
    try {
      const { fetched, records } = await fetchAll(client, snapshot, files, tmp, opts);
      const manifest: ModelManifest = { repo, variant, revision, commit: snapshot.commit, endpoint: client.endpoint, files: records, pulledAt: new Date().toISOString() };
      fs.writeFileSync(path.join(tmp, MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`);
      land(tmp, dir);
      return { dir, manifest, downloaded: true, fetched };
    } catch (err) {
      if (isAbort(err) || opts.signal?.aborted) fs.rmSync(tmp, { recursive: true, force: true }); // cancelled: nothing left behind
      throw err;
    }
  } finally {
    await client.close();
  }
}

/** The files of a variant: config and tokenizer, the variant's ONNX file and its external data (`<file>_data*`). */
export function planFiles(snapshot: RepoSnapshot, variant: ModelVariant): HubFile[] {
  const byPath = new Map(snapshot.files.map((f) => [f.path, f]));
  const onnx = variantPath(variant);
  if (!byPath.has(onnx)) {
    const offered = snapshot.files.map((f) => variantOf(f.path)).filter((v): v is ModelVariant => v !== undefined);
    const which = offered.length ? `it offers ${offered.join(', ')}` : 'it has no onnx/model*.onnx (not an ONNX export)';
    throw new SpliceError('download', `${snapshot.repo} has no ${variant} variant (${onnx}); ${which}`);
  }
  const missing = REQUIRED.filter((p) => !byPath.has(p));
  if (missing.length) throw new SpliceError('download', `${snapshot.repo} lacks ${missing.join(', ')} (Splice needs them beside the ONNX model)`);
  const data = snapshot.files.filter((f) => f.path.startsWith(`${onnx}_data`));
  return [...[...REQUIRED, ...OPTIONAL].filter((p) => byPath.has(p)).map((p) => byPath.get(p)!), byPath.get(onnx)!, ...data];
}

function variantOf(file: string): ModelVariant | undefined {
  const m = /^onnx\/(model.*\.onnx)$/.exec(file);
  const v = m && Object.entries(VARIANT_FILES).find(([, f]) => f === m[1])?.[0];
  return v && isVariant(v) ? v : undefined;
}

function checkDiskSpace(opts: PullOptions, tmp: string, files: HubFile[]): void {
  const have = files.reduce((n, f) => n + sizeOnDisk(path.join(tmp, f.path)), 0);
  const need = files.reduce((n, f) => n + (f.size ?? 0), 0) - have;
  const free = (opts.freeBytes ?? freeBytesAt)(tmp);
  if (need + DISK_MARGIN > free) {
    throw new SpliceError('download', `not enough disk space in ${opts.modelsDir}: the download needs ${formatBytes(need)} more and ${formatBytes(free)} is free (set splice.modelsFolder or SPLICE_MODELS_DIR elsewhere)`);
  }
}

async function fetchAll(client: HubClient, snapshot: RepoSnapshot, files: HubFile[], tmp: string, opts: PullOptions) {
  const total = files.every((f) => f.size !== undefined) ? files.reduce((n, f) => n + f.size!, 0) : undefined;
  const meter = new TransferMeter();
  const records: ModelManifest['files'] = [];
  let done = 0;
  let fetched = 0;
  let last = 0;
  for (const [i, file] of files.entries()) {
    const dest = path.join(tmp, file.path);
    const report = (bytes: number, force = false) => {
      const now = Date.now();
      meter.add(done + bytes, now);
      if (!force && now - last < (opts.progressEveryMs ?? 100)) return;
      last = now;
      opts.onProgress?.({ repo: snapshot.repo, file: file.path, fileIndex: i, fileCount: files.length, received: done + bytes, ...(total !== undefined && { total }), bytesPerSecond: meter.bytesPerSecond(), ...(total !== undefined && { etaSeconds: meter.etaSeconds(total) }) });
    };
    fs.mkdirSync(path.dirname(dest), { recursive: true });
    const got = fs.existsSync(dest) ? { fetched: 0, checksum: undefined } : await downloadFile(client, snapshot.repo, snapshot.commit, file, dest, { signal: opts.signal, onBytes: (b) => report(b), retryDelayMs: opts.retryDelayMs, retries: opts.retries });
    const size = fs.statSync(dest).size;
    fetched += got.fetched;
    report(size, true);
    done += size;
    records.push({ path: file.path, size, ...(got.checksum && { checksum: got.checksum }) });
  }
  return { fetched, records };
}

/** Puts the finished folder in place: one rename (an older install of the same variant is moved aside first, then removed). */
function land(tmp: string, dir: string): void {
  fs.mkdirSync(path.dirname(dir), { recursive: true });
  const old = fs.existsSync(dir) ? `${dir}.old-${process.pid}-${Date.now()}` : undefined;
  if (old) fs.renameSync(dir, old);
  try {
    fs.renameSync(tmp, dir);
  } catch (err) {
    if (old) fs.renameSync(old, dir); // the older install stays as it was
    throw err;
  }
  if (old) fs.rmSync(old, { recursive: true, force: true });
}

export function readManifest(dir: string): ModelManifest | undefined {
  try {
    const m = JSON.parse(fs.readFileSync(path.join(dir, MANIFEST_FILE), 'utf8')) as ModelManifest;
    return typeof m.repo === 'string' && typeof m.commit === 'string' && isVariant(m.variant) ? m : undefined;
  } catch {
    return undefined;
  }
}

function sizeOnDisk(file: string): number {
  for (const f of [file, `${file}.part`]) if (fs.existsSync(f)) return fs.statSync(f).size;
  return 0;
}

function freeBytesAt(dir: string): number {
  const s = fs.statfsSync(dir);
  return s.bavail * s.bsize;
}
