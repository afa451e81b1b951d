// `splice models list | pull | rm` as users run them, against a local hub look-alike: pull, use with --model, list, remove,
// and a gated model's 401 explained with exit code 1.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fixtureDir } from '../../runtime/src/testing/fixtures.js';
import { LocalHub } from '../../runtime/src/testing/localHub.js';
import { REPO_ROOT, SPLICE_BIN } from '../repoRoot.js';

/** Runs splice without blocking this process's event loop (the hub answers from it). */
function splice(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [SPLICE_BIN, ...args], { cwd: REPO_ROOT, env: { ...process.env, HF_TOKEN: '', HF_ENDPOINT: '', ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('splice models', () => {
  let hub: LocalHub;
  const models = fs.mkdtempSync(path.join(os.tmpdir(), 'splice-cli-models-'));
  const file = path.join(models, 'x.py');

  before(async () => {
    hub = await new LocalHub().add('test-org/tiny-llama', fixtureDir('tiny-llama')).start();
    fs.writeFileSync(file, 'def add(a, b):\n    return a + b\n');
  });
  after(async () => {
    await hub.stop();
    fs.rmSync(models, { recursive: true, force: true });
  });

  it('pull downloads with progress on stderr, and the folder works as --model; list shows it; rm removes it', async () => {
    const pulled = await splice(['models', 'pull', 'test-org/tiny-llama', '--json', '--models-dir', models], { HF_ENDPOINT: hub.endpoint });
    assert.equal(pulled.code, 0, pulled.stderr);
    const out = JSON.parse(pulled.stdout.trim().split('\n').at(-1)!);
    assert.equal(out.dir, path.join(models, 'test-org', 'tiny-llama-fp32'));
    assert.equal(out.downloaded, true);
    assert.match(pulled.stderr, /onnx\/model\.onnx \(4\/4\) {2}634 KB \/ 634 KB 100% {2}[\d.]+ [KMG]?B\/s/);

    const done = await splice(['complete', '--file', file, '--line', '2', '--col', '5', '--model', out.dir, '--device', 'cpu', '--max-tokens', '4', '--json']);
    assert.equal(done.code, 0, done.stderr);
    assert.equal(JSON.parse(done.stdout.trim().split('\n').at(-1)!).model, 'tiny-llama-fp32');

    const listed = await splice(['models', 'list', '--json', '--models-dir', models]);
    const list = JSON.parse(listed.stdout);
    assert.deepEqual(list.installed.map((m: { id: string }) => m.id), ['test-org/tiny-llama:fp32']);
    assert.ok(list.catalog.some((e: { repo: string }) => e.repo === 'onnx-community/Qwen2.5-Coder-0.5B-Instruct'));

    const removed = await splice(['models', 'rm', 'test-org/tiny-llama', '--models-dir', models]);
    assert.equal(removed.code, 0, removed.stderr);
    assert.equal(fs.existsSync(out.dir), false);
  });

  it('list --hub asks the hub what each curated model would fetch; a pull takes the catalog variant (q4) and the folder loads', async () => {
    // A curated name served from a copy of the fixture whose ONNX file has the q4 variant's name.
    const q4 = path.join(models, 'q4-copy');
    fs.cpSync(fixtureDir('tiny-llama'), q4, { recursive: true });
    fs.renameSync(path.join(q4, 'onnx/model.onnx'), path.join(q4, 'onnx/model_q4.onnx'));
    const repo = 'onnx-community/Qwen2.5-Coder-0.5B-Instruct';
    hub.add(repo, q4);
    const listed = await splice(['models', 'list', '--hub', '--json', '--endpoint', hub.endpoint, '--models-dir', models]);
    assert.equal(listed.code, 0, listed.stderr);
    const entries = JSON.parse(listed.stdout).catalog as { repo: string; bytes?: number; files?: string[]; error?: string }[];
    const served = entries.find((e) => e.repo === repo)!;
    assert.deepEqual(served.files, ['config.json', 'tokenizer.json', 'tokenizer_config.json', 'onnx/model_q4.onnx']);
    assert.equal(served.bytes, hub.files(repo).reduce((n, f) => n + f.size, 0));
    assert.ok(entries.filter((e) => e.repo !== repo).every((e) => /not found/.test(e.error ?? '')), 'the others are not on this hub');

    const pulled = await splice(['models', 'pull', repo, '--json', '--endpoint', hub.endpoint, '--models-dir', models]);
    assert.equal(pulled.code, 0, pulled.stderr);
    const dir = JSON.parse(pulled.stdout.trim().split('\n').at(-1)!).dir;
    assert.equal(dir, path.join(models, 'onnx-community', 'Qwen2.5-Coder-0.5B-Instruct-q4'));
    const done = await splice(['complete', '--file', file, '--line', '2', '--col', '5', '--model', dir, '--device', 'cpu', '--max-tokens', '2', '--json']);
    assert.equal(done.code, 0, done.stderr);
  });

  it('a gated model without a token exits 1 explaining HF_TOKEN; a bad name is a usage error', async () => {
    hub.faults = { token: 'hf_x' };
    const r = await splice(['models', 'pull', 'test-org/tiny-llama', '--endpoint', hub.endpoint, '--models-dir', models]);
    hub.faults = {};
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^splice models: test-org\/tiny-llama@main: the hub answered 401 — the model is gated or private: set HF_TOKEN/);
    const bad = await splice(['models', 'pull']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /models pull needs a model name/);
  });
});
