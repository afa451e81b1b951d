// Talks to a Hugging Face hub (or a mirror at HF_ENDPOINT): a repository's files at a revision, and a file's bytes from its
// `resolve` URL, following redirects itself so the token goes only to the hub, never to the CDN it redirects to.
import { Readable } from 'node:stream';
import { Agent, EnvHttpProxyAgent, ProxyAgent, request, type Dispatcher } from 'undici';
import { SpliceError } from '../errors.js';

export const DEFAULT_ENDPOINT = 'https://huggingface.co';

export interface HubOptions {
  /** The hub's address; empty: `HF_ENDPOINT`, else huggingface.co. */
  endpoint?: string;
  /** A token for gated or private models; empty: `HF_TOKEN` (or `HUGGING_FACE_HUB_TOKEN`). */
  token?: string;
  /** An HTTP(S) proxy URL (the editor's `http.proxy`); empty: `HTTPS_PROXY` / `HTTP_PROXY` / `NO_PROXY`. */
  proxy?: string;
  env?: NodeJS.ProcessEnv;
}

/** One file of a repository snapshot, as the hub's API lists it (`lfs.sha256` for files stored with LFS). */
export interface HubFile {
  path: string;
  size?: number;
  sha256?: string;
}

export interface RepoSnapshot {
  repo: string;
  /** The commit the revision pointed to: every file is fetched at this commit. */
  commit: string;
  files: HubFile[];
}

/** A file's body from `offset` on (status 206), or whole (200: the server ignored the range). */
export interface FileBody {
  status: 200 | 206;
  body: Readable;
  /** X-Linked-Etag (LFS: the sha256) or ETag (git blob sha1) of the resolve response, quotes and W/ removed. */
  etag?: string;
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const MAX_REDIRECTS = 10;

export class HubClient {
  readonly endpoint: string;
  private readonly token: string | undefined;
  private readonly dispatcher: Dispatcher;

  constructor(opts: HubOptions = {}) {
    const env = opts.env ?? process.env;
    this.endpoint = (opts.endpoint?.trim() || env.HF_ENDPOINT?.trim() || DEFAULT_ENDPOINT).replace(/\/+$/, '');
    this.token = opts.token?.trim() || env.HF_TOKEN?.trim() || env.HUGGING_FACE_HUB_TOKEN?.trim() || undefined;
    const timeouts = { headersTimeout: 30_000, bodyTimeout: 30_000 };
    this.dispatcher = opts.proxy?.trim() ? new ProxyAgent({ uri: opts.proxy.trim(), ...timeouts }) : hasProxyEnv(env) ? new EnvHttpProxyAgent({ ...timeouts, ...proxyEnv(env) }) : new Agent(timeouts);
  }

  /** The files of `repo` at `revision` (a branch, tag or commit) with their sizes and LFS checksums. */
  async snapshot(repo: string, revision: string, signal?: AbortSignal): Promise<RepoSnapshot> {
    const url = `${this.endpoint}/api/models/${repo}/revision/${encodeURIComponent(revision)}?blobs=true`;
    const { res } = await this.get(url, {}, signal, `${repo}@${revision}`);
    const json = (await res.body.json().catch(() => ({}))) as { sha?: unknown; siblings?: unknown };
    if (typeof json.sha !== 'string' || !Array.isArray(json.siblings)) throw new SpliceError('download', `${url}: the answer is not a hub's repository listing (no "sha" and "siblings"; is ${this.endpoint} a Hugging Face hub?)`);
    return { repo, commit: json.sha, files: json.siblings.map(toHubFile).filter((f): f is HubFile => f !== undefined) };
  }

  /** `{endpoint}/{repo}/resolve/{commit}/{path}` from byte `offset` on. */
  async open(repo: string, commit: string, file: string, offset: number, signal?: AbortSignal): Promise<FileBody> {
    const url = `${this.endpoint}/${repo}/resolve/${encodeURIComponent(commit)}/${file.split('/').map(encodeURIComponent).join('/')}`;
    const { res, etag } = await this.get(url, offset > 0 ? { range: `bytes=${offset}-` } : {}, signal, `${repo}/${file}`);
    if (res.statusCode === 416) {
      await res.body.dump(); // nothing after `offset`: the partial file is already whole
      return { status: 206, body: Readable.from([]), etag };
    }
    if (res.statusCode !== 200 && res.statusCode !== 206) {
      await res.body.dump();
      throw new SpliceError('download', `${url}: unexpected HTTP ${res.statusCode}`);
    }
    res.body.on('error', () => undefined); // a dropped connection also rejects the reader's iteration; this keeps it from being uncaught
    return { status: res.statusCode, body: res.body, etag };
  }

  async close(): Promise<void> {
    await this.dispatcher.close();
  }

  /** GET with redirects followed by hand (Authorization only to the hub's own origin); HTTP errors become explained SpliceErrors. */
  private async get(url: string, headers: Record<string, string>, signal: AbortSignal | undefined, what: string): Promise<{ res: Dispatcher.ResponseData; etag?: string }> {
    const origin = new URL(this.endpoint).origin;
    let etag: string | undefined;
    for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
      const auth: Record<string, string> = this.token && new URL(url).origin === origin ? { authorization: `Bearer ${this.token}` } : {};
      const res = await this.send(url, { ...headers, ...auth, 'user-agent': 'splice/0.1' }, signal);
      etag ??= cleanEtag(header(res, 'x-linked-etag')) ?? (REDIRECTS.has(res.statusCode) ? undefined : cleanEtag(header(res, 'etag')));
      const location = header(res, 'location');
      if (REDIRECTS.has(res.statusCode) && location) {
        await res.body.dump();
        url = new URL(location, url).href;
        continue;
      }
      if (res.statusCode >= 400 && !(res.statusCode === 416 && headers.range)) throw await this.httpError(res, url, what);
      return { res, etag };
    }
    throw new SpliceError('download', `${what}: more than ${MAX_REDIRECTS} redirects from ${this.endpoint}`);
  }

  private async send(url: string, headers: Record<string, string>, signal: AbortSignal | undefined): Promise<Dispatcher.ResponseData> {
    try {
      return await request(url, { method: 'GET', headers, signal, dispatcher: this.dispatcher });
    } catch (err) {
      if (signal?.aborted) throw abortError();
      throw new SpliceError('download', `cannot reach ${new URL(url).origin}: ${describeNetworkError(err)}`);
    }
  }

  private async httpError(res: Dispatcher.ResponseData, url: string, what: string): Promise<SpliceError> {
    const text = (await res.body.text().catch(() => '')).slice(0, 200).trim();
    const said = text ? ` (the hub said: ${text.replace(/\s+/g, ' ')})` : '';
    if (res.statusCode === 401 || res.statusCode === 403) {
      const fix = this.token
        ? 'the token given was refused: check that it is valid and has access to this model (accept its licence on the model page)'
        : 'the model is gated or private: set HF_TOKEN (or the splice.hubToken setting) to a Hugging Face token with access, after accepting its licence on the model page';
      return new SpliceError('download', `${what}: the hub answered ${res.statusCode} — ${fix}${said}`);
    }
    if (res.statusCode === 404) return new SpliceError('download', `${what}: not found at ${this.endpoint} (check the name and revision)${said}`);
    return new SpliceError('download', `${url}: HTTP ${res.statusCode}${said}`);
  }
}

function hasProxyEnv(env: NodeJS.ProcessEnv): boolean {
  return ['HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy'].some((k) => env[k]);
}

/** HTTPS_PROXY / HTTP_PROXY / NO_PROXY (either case) of `env`, for undici's EnvHttpProxyAgent. */
function proxyEnv(env: NodeJS.ProcessEnv): { httpProxy?: string; httpsProxy?: string; noProxy?: string } {
  const get = (k: string) => env[k] ?? env[k.toLowerCase()];
  const out: { httpProxy?: string; httpsProxy?: string; noProxy?: string } = {};
  if (get('HTTP_PROXY')) out.httpProxy = get('HTTP_PROXY');
  if (get('HTTPS_PROXY')) out.httpsProxy = get('HTTPS_PROXY');
  if (get('NO_PROXY')) out.noProxy = get('NO_PROXY');
  return out;
}

function header(res: Dispatcher.ResponseData, name: string): string | undefined {
  const v = res.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

function cleanEtag(v: string | undefined): string | undefined {
  return v?.replace(/^W\//, '').replace(/"/g, '') || undefined;
}

function toHubFile(s: unknown): HubFile | undefined {
  const o = s as { rfilename?: unknown; size?: unknown; lfs?: { sha256?: unknown; oid?: unknown; size?: unknown } };
  if (typeof o?.rfilename !== 'string') return undefined;
  const sha = typeof o.lfs?.sha256 === 'string' ? o.lfs.sha256 : typeof o.lfs?.oid === 'string' ? o.lfs.oid : undefined;
  const size = typeof o.lfs?.size === 'number' ? o.lfs.size : typeof o.size === 'number' ? o.size : undefined;
  return { path: o.rfilename, ...(size !== undefined && { size }), ...(sha && { sha256: sha }) };
}

function describeNetworkError(err: unknown): string {
  const e = err as { code?: string; message?: string; cause?: { code?: string; message?: string } };
  return [e.code ?? e.cause?.code, e.message ?? e.cause?.message].filter(Boolean).join(' ') || String(err);
}

export function abortError(): Error {
  const err = new Error('aborted');
  err.name = 'AbortError';
  return err;
}
