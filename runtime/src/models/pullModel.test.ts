// pullModel against a local hub look-alike: a full pull through redirects, resuming after dropped connections (within a
// pull and across pulls), checksums refused, 401/403 explained, cancellation leaving nothing, disk space, a proxy.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import { readModelFolder } from '../model/ModelFolder.js';
import { fixtureDir } from '../testing/fixtures.js';
import { commitOf, LocalHub } from '../testing/localHub.js';
import { listInstalled, removeModel } from './installedModels.js';
import { pullModel, type PullOptions, type PullProgress } from './pullModel.js';

const REPO = 'test-org/tiny-llama';
const ONNX = 'onnx/model.onnx';

describe('pullModel (local hub)', () => {
  let hub: LocalHub;
  let models: string;
  const source = fixtureDir('tiny-llama');
  const onnxSize = fs.statSync(path.join(source, ONNX)).size;

  before(async () => {
    hub = await new LocalHub().add(REPO, source).start();
  });
  after(() => hub.stop());
  beforeEach(() => {
    models = fs.mkdtempSync(path.join(os.tmpdir(), 'splice-models-'));
    hub.faults = {};
    hub.requests.length = 0;
  });
  afterEach(() => fs.rmSync(models, { recursive: true, force: true }));

  const pull = (extra: Partial<PullOptions> = {}) => pullModel({ modelsDir: models, ref: { repo: REPO }, hub: { endpoint: hub.endpoint, env: {} }, retryDelayMs: 10, ...extra });
  const installedDir = () => path.join(models, 'test-org', 'tiny-llama-fp32');
  const leftovers = () => (fs.existsSync(path.join(models, '.partial')) ? fs.readdirSync(path.join(models, '.partial')) : []);

  it('pulls config, tokenizer and the ONNX file through the redirect, checked, into <models>/<owner>/<name>-<variant>', async () => {
    const progress: PullProgress[] = [];
    const got = await pull({ onProgress: (p) => progress.push(p), progressEveryMs: 0 });
    assert.equal(got.dir, installedDir());
    assert.equal(got.downloaded, true);
    assert.equal(got.manifest.commit, commitOf(REPO));
    for (const f of ['config.json', 'tokenizer.json', 'tokenizer_config.json', ONNX]) {
      assert.ok(fs.readFileSync(path.join(got.dir, f)).equals(fs.readFileSync(path.join(source, f))), `${f} is byte-identical`);
    }
    assert.match(got.manifest.files.find((f) => f.path === ONNX)!.checksum!, /^sha256:[0-9a-f]{64}$/);
    assert.match(got.manifest.files.find((f) => f.path === 'config.json')!.checksum!, /^git-sha1:[0-9a-f]{40}$/);
    assert.ok(hub.requests.some((r) => r.origin === 'cdn' && r.url.startsWith('/blobs/')), 'the LFS file came from the redirect target');
    assert.ok(hub.requests.some((r) => r.url.includes(`/resolve/${commitOf(REPO)}/`)), 'files are fetched at the snapshot commit');
    assert.deepEqual(leftovers(), [], 'no temporary folder left');
    const last = progress.at(-1)!;
    assert.equal(last.received, last.total, 'the last progress report counts every byte');
    assert.equal(last.fileCount, 4);
    assert.equal(readModelFolder(got.dir).name, 'tiny-llama-fp32', 'the pulled folder is a model folder');
    assert.deepEqual(listInstalled(models).map((m) => m.id), [`${REPO}:fp32`]);

    hub.requests.length = 0;
    const again = await pull();
    assert.equal(again.downloaded, false, 'the same commit is not fetched again');
    assert.equal(hub.requests.filter((r) => r.url.includes('/resolve/')).length, 0);
  });

  it('resumes with a Range request after a dropped connection, fetching no byte twice', async () => {
    hub.faults = { drop: { file: ONNX, afterBytes: 100_000, times: 2 } };
    const got = await pull();
    const ranges = hub.requests.filter((r) => r.origin === 'cdn').map((r) => r.range);
    assert.deepEqual(ranges, [undefined, 'bytes=100000-', 'bytes=200000-'], 'each retry resumes where the last stopped');
    const total = got.manifest.files.reduce((n, f) => n + f.size, 0);
    assert.equal(got.fetched, total, 'bytes fetched = model size (nothing downloaded twice)');
    assert.ok(fs.readFileSync(path.join(got.dir, ONNX)).equals(fs.readFileSync(path.join(source, ONNX))));
  });

  it('a pull that fails mid-file keeps its .part; the next pull resumes from it', async () => {
    hub.faults = { drop: { file: ONNX, afterBytes: 150_000, times: 2 } };
    await assert.rejects(pull({ retries: 1 }), /model\.onnx: the download failed after retries .*run it again to resume/);
    assert.equal(fs.existsSync(installedDir()), false, 'nothing installed');
    const [partial] = leftovers();
    const kept = fs.statSync(path.join(models, '.partial', partial!, `${ONNX}.part`)).size;
    assert.equal(kept, 300_000, 'the .part holds what the two tries received');
    hub.requests.length = 0;
    const got = await pull();
    assert.deepEqual(hub.requests.filter((r) => r.origin === 'cdn').map((r) => r.range), [`bytes=${kept}-`]);
    assert.equal(got.fetched, onnxSize - kept, 'only the rest of the ONNX file is fetched (the small files were done)');
    assert.ok(fs.readFileSync(path.join(got.dir, ONNX)).equals(fs.readFileSync(path.join(source, ONNX))));
    assert.deepEqual(leftovers(), []);
  });

  it('refuses a file whose sha256 does not match the hub (LFS) or whose git sha1 does not (small files); nothing installed', async () => {
    hub.faults = { corrupt: new Set([ONNX]) };
    await assert.rejects(pull(), /onnx\/model\.onnx: checksum mismatch \(sha256 expected [0-9a-f]{64}, got [0-9a-f]{64}\)/);
    assert.equal(fs.existsSync(installedDir()), false);
    const [partial] = leftovers();
    assert.equal(fs.existsSync(path.join(models, '.partial', partial!, `${ONNX}.part`)), false, 'the bad bytes are deleted');
    fs.rmSync(path.join(models, '.partial'), { recursive: true }); // the small files passed the first time and would be kept
    hub.faults = { corrupt: new Set(['tokenizer.json']) };
    await assert.rejects(pull(), /tokenizer\.json: checksum mismatch \(git-sha1 expected/);
    assert.equal(fs.existsSync(installedDir()), false);
  });

  it('explains a 401 without a token and a 403 with a wrong one; with the token the hub gets it and the CDN does not', async () => {
    hub.faults = { token: 'hf_good' };
    await assert.rejects(pull(), /test-org\/tiny-llama@main: the hub answered 401 — the model is gated or private: set HF_TOKEN/);
    await assert.rejects(pull({ hub: { endpoint: hub.endpoint, token: 'hf_bad', env: {} } }), /answered 403 — the token given was refused/);
    hub.requests.length = 0;
    const got = await pull({ hub: { endpoint: hub.endpoint, env: { HF_TOKEN: 'hf_good' } } });
    assert.equal(got.downloaded, true);
    assert.ok(hub.requests.filter((r) => r.origin === 'hub').every((r) => r.authorization === 'Bearer hf_good'));
    const cdn = hub.requests.filter((r) => r.origin === 'cdn');
    assert.ok(cdn.length > 0 && cdn.every((r) => r.authorization === undefined), 'the token is not sent to the redirect target');
  });

  it('cancelled mid-download: rejects with an AbortError and leaves no model and no partial files', async () => {
    hub.faults = { bytesPerSecond: 100_000 };
    const ac = new AbortController();
    const pulling = pull({ signal: ac.signal, progressEveryMs: 0, onProgress: (p) => p.file === ONNX && p.received > 50_000 && ac.abort() });
    await assert.rejects(pulling, (err: Error) => err.name === 'AbortError');
    assert.equal(fs.existsSync(installedDir()), false);
    assert.deepEqual(leftovers(), []);
  });

  it('checks free disk space before fetching anything', async () => {
    await assert.rejects(pull({ freeBytes: () => 1000 }), /not enough disk space in .*: the download needs [\d.]+ KB more and 1\.0 KB is free/);
    assert.equal(hub.requests.filter((r) => r.url.includes('/resolve/') || r.origin === 'cdn').length, 0);
  });

  it('names the variants a repository offers when the one asked for is missing, unknown repositories, and a server that is no hub', async () => {
    await assert.rejects(pull({ ref: { repo: REPO, variant: 'q4' } }), /test-org\/tiny-llama has no q4 variant \(onnx\/model_q4\.onnx\); it offers fp32/);
    await assert.rejects(pull({ ref: { repo: 'test-org/nope' } }), /test-org\/nope@main: not found at http:\/\/127\.0\.0\.1/);
    const notHub = http.createServer((_q, s) => s.writeHead(200, { 'content-type': 'text/html' }).end('<html>hello</html>'));
    await new Promise<void>((r) => notHub.listen(0, '127.0.0.1', r));
    try {
      const endpoint = `http://127.0.0.1:${(notHub.address() as net.AddressInfo).port}`;
      await assert.rejects(pull({ hub: { endpoint, env: {} } }), /the answer is not a hub's repository listing .*is http:\/\/127\.0\.0\.1:\d+ a Hugging Face hub\?/);
    } finally {
      await new Promise((r) => notHub.close(r));
    }
  });

  it('honours HF_ENDPOINT, an explicit proxy and HTTP_PROXY (requests tunnel through them)', async () => {
    const proxy = await startConnectProxy();
    try {
      const got = await pull({ hub: { env: { HF_ENDPOINT: hub.endpoint }, proxy: proxy.url } });
      assert.equal(got.manifest.endpoint, hub.endpoint);
      assert.ok(proxy.tunnels.length > 0 && proxy.tunnels.every((t) => t.startsWith('127.0.0.1:')), `tunnels: ${proxy.tunnels.join(', ')}`);
      const before = proxy.tunnels.length;
      fs.rmSync(path.join(models, 'test-org'), { recursive: true });
      await pull({ hub: { endpoint: hub.endpoint, env: { HTTP_PROXY: proxy.url } } });
      assert.ok(proxy.tunnels.length > before, 'HTTP_PROXY from the environment is used too');
    } finally {
      await proxy.stop();
    }
  });

  it('removes a model by name (and its unfinished downloads); an unknown name is an error', async () => {
    await pull();
    assert.deepEqual(removeModel(models, `${REPO}:fp32`), [installedDir()]);
    assert.deepEqual(listInstalled(models), []);
    assert.throws(() => removeModel(models, REPO), /no model "test-org\/tiny-llama" in/);
    assert.throws(() => removeModel(models, 'not a name'), /is not a hub model/);
  });
});

/** A minimal HTTP CONNECT proxy that records the targets it tunnels to. */
async function startConnectProxy(): Promise<{ url: string; tunnels: string[]; stop: () => Promise<void> }> {
  const tunnels: string[] = [];
  const sockets = new Set<net.Socket>();
  const server = http.createServer((_q, s) => s.writeHead(405).end());
  server.on('connect', (req: http.IncomingMessage, client: net.Socket, head: Buffer) => {
    tunnels.push(req.url ?? '');
    const [host, port] = (req.url ?? '').split(':');
    const upstream = net.connect(Number(port), host, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      upstream.write(head);
      upstream.pipe(client).pipe(upstream);
    });
    for (const s of [client, upstream]) sockets.add(s).size && s.on('error', () => s.destroy());
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as net.AddressInfo;
  return { url: `http://127.0.0.1:${port}`, tunnels, stop: () => new Promise((r) => (sockets.forEach((s) => s.destroy()), server.close(() => r()))) };
}
