// Downloads one hub file into `<dest>.part`, resuming with a Range request after a dropped connection (or a previous run),
// checks it against the hub's checksum, then renames it to `dest`. Cancellation (AbortSignal) leaves the .part for the caller.
import * as fs from 'node:fs';
import * as fsp from 'node:fs/promises';
import { SpliceError } from '../errors.js';
import { expectedChecksum, fileChecksum } from './fileChecksum.js';
import { abortError, type HubClient, type HubFile } from './HubClient.js';

export interface DownloadFileOptions {
  signal?: AbortSignal;
  /** Called with the bytes of this file on disk so far (the .part's size), as they arrive. */
  onBytes?: (bytes: number) => void;
  /** Connection failures retried (each resuming where the .part ends) before giving up. */
  retries?: number;
  /** Wait before the n-th retry: n × this (ms). */
  retryDelayMs?: number;
}

/** What a file download did: bytes fetched over the network in this call, and the checksum it passed. */
export interface DownloadedFile {
  fetched: number;
  resumedFrom: number;
  checksum?: string;
}

export async function downloadFile(client: HubClient, repo: string, commit: string, file: HubFile, dest: string, opts: DownloadFileOptions = {}): Promise<DownloadedFile> {
  const part = `${dest}.part`;
  const resumedFrom = sizeOf(part);
  const fetched = { bytes: 0 };
  let etag: string | undefined;
  for (let attempt = 0; ; attempt++) {
    const have = sizeOf(part);
    if (file.size !== undefined && have === file.size) break;
    try {
      etag ??= await fetchRest(client, repo, commit, file, part, have, fetched, opts);
      break;
    } catch (err) {
      if (opts.signal?.aborted) throw abortError();
      if (err instanceof SpliceError || attempt >= (opts.retries ?? 5)) throw asDownloadError(err, file.path);
      await sleep((attempt + 1) * (opts.retryDelayMs ?? 500), opts.signal);
    }
  }
  const checksum = await verify(part, file, etag, opts.signal);
  fs.renameSync(part, dest);
  return { fetched: fetched.bytes, resumedFrom, ...(checksum && { checksum }) };
}

/** One GET of the bytes the .part lacks, appended to it (or written afresh when the server ignores the range); each chunk is
 * written before the next is read, so the .part's size is always what arrived. Counts the bytes into `fetched`; returns the ETag. */
async function fetchRest(client: HubClient, repo: string, commit: string, file: HubFile, part: string, have: number, fetched: { bytes: number }, opts: DownloadFileOptions): Promise<string | undefined> {
  const res = await client.open(repo, commit, file.path, have, opts.signal);
  const start = res.status === 206 ? have : 0;
  let onDisk = start;
  const out = await fsp.open(part, start > 0 ? 'a' : 'w');
  try {
    for await (const chunk of res.body) {
      await out.write(chunk as Buffer);
      onDisk += (chunk as Buffer).length;
      fetched.bytes += (chunk as Buffer).length;
      opts.onBytes?.(onDisk);
    }
  } finally {
    await out.close();
    res.body.destroy();
  }
  if (file.size !== undefined && onDisk < file.size) throw new Error(`connection closed at ${onDisk} of ${file.size} bytes`);
  return res.etag;
}

/** Checks size and checksum; a mismatch deletes the .part (it cannot be resumed into a good file) and says so. */
async function verify(part: string, file: HubFile, etag: string | undefined, signal?: AbortSignal): Promise<string | undefined> {
  const size = sizeOf(part);
  if (file.size !== undefined && size !== file.size) {
    fs.rmSync(part, { force: true });
    throw new SpliceError('download', `${file.path}: received ${size} bytes, the hub lists ${file.size}; the partial file was deleted, run the download again`);
  }
  const want = expectedChecksum(file.sha256, etag);
  if (!want) return undefined;
  const got = await fileChecksum(part, want.kind, signal);
  if (got !== want.hex) {
    fs.rmSync(part, { force: true });
    throw new SpliceError('download', `${file.path}: checksum mismatch (${want.kind} expected ${want.hex}, got ${got}); the file was deleted and nothing was installed — run the download again`);
  }
  return `${want.kind}:${got}`;
}

function asDownloadError(err: unknown, file: string): Error {
  if (err instanceof SpliceError) return err;
  return new SpliceError('download', `${file}: the download failed after retries (${(err as Error).message}); run it again to resume`);
}

function sizeOf(file: string): number {
  try {
    return fs.statSync(file).size;
  } catch {
    return 0;
  }
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => (clearTimeout(t), reject(abortError())), { once: true });
  });
}
