// Test support: a Hugging Face hub look-alike on 127.0.0.1 serving model folders from disk. The API lists files with
// sizes and LFS sha256s; `resolve` answers small files with their git-sha1 ETag and redirects LFS files (.onnx,
// .onnx_data) to a second origin (the "CDN") with X-Linked-Etag; both honour Range. Faults on demand: a token required
// (401 without it), a connection dropped after N bytes, corrupted bytes, a slow link.
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';

export interface HubFaults {
  /** Require `Authorization: Bearer <token>` on the hub (401 without it, 403 with another). */
  token?: string;
  /** Close the connection after this many bytes of the named file's body, this many times. */
  drop?: { file: string; afterBytes: number; times: number };
  /** Files served with one byte changed (the listed checksum stays right). */
  corrupt?: Set<string>;
  /** Throttle file bodies to about this many bytes per second. */
  bytesPerSecond?: number;
}

export interface HubRequest {
  origin: 'hub' | 'cdn';
  method: string;
  url: string;
  range?: string;
  authorization?: string;
}

interface ServedFile {
  path: string;
  abs: string;
  size: number;
  lfs: boolean;
  sha256: string;
  gitSha1: string;
}

export class LocalHub {
  readonly requests: HubRequest[] = [];
  faults: HubFaults = {};
  private readonly hub = http.createServer((q, s) => this.serveHub(q, s));
  private readonly cdn = http.createServer((q, s) => this.serveCdn(q, s));
  private readonly repos = new Map<string, ServedFile[]>();

  /** Serves `dir` (a model folder) as repository `repo` at commit `commitOf(repo)`. */
  add(repo: string, dir: string): this {
    this.repos.set(repo, listFiles(dir));
    return this;
  }

  async start(): Promise<this> {
    await Promise.all([this.hub, this.cdn].map((s) => new Promise<void>((r) => s.listen(0, '127.0.0.1', r))));
    return this;
  }

  get endpoint(): string {
    return `http://127.0.0.1:${(this.hub.address() as AddressInfo).port}`;
  }

  private get cdnOrigin(): string {
    return `http://127.0.0.1:${(this.cdn.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    for (const s of [this.hub, this.cdn]) s.closeAllConnections();
    await Promise.all([this.hub, this.cdn].map((s) => new Promise((r) => s.close(r))));
  }

  /** Files served for a repository (test assertions compare against them). */
  files(repo: string): readonly ServedFile[] {
    return this.repos.get(repo) ?? [];
  }

  private log(origin: HubRequest['origin'], q: http.IncomingMessage): void {
    this.requests.push({ origin, method: q.method ?? 'GET', url: q.url ?? '', ...(q.headers.range && { range: q.headers.range }), ...(q.headers.authorization && { authorization: q.headers.authorization }) });
  }

  private serveHub(q: http.IncomingMessage, s: http.ServerResponse): void {
    this.log('hub', q);
    const token = this.faults.token;
    if (token && q.headers.authorization !== `Bearer ${token}`) {
      s.writeHead(q.headers.authorization ? 403 : 401, { 'content-type': 'text/plain' }).end(q.headers.authorization ? 'Access denied.' : 'Access to model is restricted. You must be authenticated.');
      return;
    }
    const url = new URL(q.url ?? '/', this.endpoint);
    const api = /^\/api\/models\/([^/]+\/[^/]+)\/revision\/([^/]+)$/.exec(url.pathname);
    if (api) return this.serveApi(decodeURIComponent(api[1]!), s);
    const resolve = /^\/([^/]+\/[^/]+)\/resolve\/([^/]+)\/(.+)$/.exec(url.pathname);
    const file = resolve && this.repos.get(resolve[1]!)?.find((f) => f.path === decodeURIComponent(resolve[3]!));
    if (!resolve || !file) return void s.writeHead(404, { 'content-type': 'text/plain' }).end('Entry not found');
    const headers = { 'x-repo-commit': commitOf(resolve[1]!) };
    if (file.lfs) {
      s.writeHead(302, { ...headers, location: `${this.cdnOrigin}/blobs/${file.sha256}?repo=${encodeURIComponent(resolve[1]!)}`, 'x-linked-etag': `"${file.sha256}"`, 'x-linked-size': String(file.size) }).end();
      return;
    }
    this.sendFile(q, s, file, { ...headers, etag: `"${file.gitSha1}"` });
  }

  private serveApi(repo: string, s: http.ServerResponse): void {
    const files = this.repos.get(repo);
    if (!files) return void s.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ error: 'Repository not found' }));
    const siblings = files.map((f) => ({ rfilename: f.path, size: f.size, ...(f.lfs && { lfs: { sha256: f.sha256, size: f.size } }) }));
    s.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ id: repo, sha: commitOf(repo), siblings }));
  }

  private serveCdn(q: http.IncomingMessage, s: http.ServerResponse): void {
    this.log('cdn', q);
    const url = new URL(q.url ?? '/', this.cdnOrigin);
    const sha = /^\/blobs\/([0-9a-f]{64})$/.exec(url.pathname)?.[1];
    const file = sha && this.repos.get(url.searchParams.get('repo') ?? '')?.find((f) => f.sha256 === sha);
    if (!file) return void s.writeHead(404).end();
    this.sendFile(q, s, file, { etag: `"cdn-${sha.slice(0, 8)}"` });
  }

  /** The file, or the part a `Range: bytes=N-` asks for, with the configured faults. */
  private sendFile(q: http.IncomingMessage, s: http.ServerResponse, file: ServedFile, headers: Record<string, string>): void {
    const start = Number(/^bytes=(\d+)-$/.exec(q.headers.range ?? '')?.[1] ?? 0);
    if (start >= file.size && start > 0) return void s.writeHead(416, { 'content-range': `bytes */${file.size}` }).end();
    let body = fs.readFileSync(file.abs).subarray(start);
    if (this.faults.corrupt?.has(file.path) && body.length > 0) (body = Buffer.from(body)), (body[body.length >> 1]! ^= 0xff);
    const status = start > 0 ? 206 : 200;
    s.writeHead(status, { ...headers, 'content-length': String(body.length), 'accept-ranges': 'bytes', ...(status === 206 && { 'content-range': `bytes ${start}-${file.size - 1}/${file.size}` }) });
    if (q.method === 'HEAD') return void s.end();
    const drop = this.faults.drop;
    if (drop && drop.file === file.path && drop.times > 0 && body.length > drop.afterBytes) {
      drop.times--;
      s.write(body.subarray(0, drop.afterBytes), () => setTimeout(() => s.destroy(), 200)); // the bytes reach the client, then the connection drops
      return;
    }
    void this.stream(s, body);
  }

  private async stream(s: http.ServerResponse, body: Buffer): Promise<void> {
    const rate = this.faults.bytesPerSecond;
    if (!rate) return void s.end(body);
    const chunk = Math.max(1, Math.floor(rate / 20));
    for (let i = 0; i < body.length && !s.destroyed; i += chunk) {
      s.write(body.subarray(i, i + chunk));
      await new Promise((r) => setTimeout(r, 50));
    }
    s.end();
  }
}

/** The commit every file of `repo` is served at. */
export function commitOf(repo: string): string {
  return createHash('sha1').update(`commit ${repo}`).digest('hex');
}

function listFiles(root: string, rel = ''): ServedFile[] {
  return fs.readdirSync(path.join(root, rel), { withFileTypes: true }).flatMap((e) => {
    const p = rel ? `${rel}/${e.name}` : e.name;
    if (e.isDirectory()) return listFiles(root, p);
    const abs = path.join(root, p);
    const bytes = fs.readFileSync(abs);
    const gitSha1 = createHash('sha1').update(`blob ${bytes.length}\0`).update(bytes).digest('hex');
    return [{ path: p, abs, size: bytes.length, lfs: /\.onnx(_data.*)?$/.test(p), sha256: createHash('sha256').update(bytes).digest('hex'), gitSha1 }];
  });
}
