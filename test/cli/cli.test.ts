// The `splice` command line as users run it: complete --json, bad model folders, bad positions, unknown flags.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { REPO_ROOT, SPLICE_BIN, TINY_MODEL } from '../repoRoot.js';

/** The model `splice` uses without --model. */
const DEFAULT_MODEL = 'splice-tiny';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'splice-cli-'));
const file = path.join(dir, 'x.py');
fs.writeFileSync(file, 'def add(a, b):\n    return a + b\n\nprint(add(1, 2))\n');

function splice(...args: string[]) {
  const r = spawnSync(process.execPath, [SPLICE_BIN, ...args], { encoding: 'utf8', cwd: REPO_ROOT, timeout: 60000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function lastJson(stdout: string): Record<string, unknown> {
  const lines = stdout.trim().split('\n');
  return JSON.parse(lines[lines.length - 1]!);
}

describe('splice CLI', () => {
  it('complete --json prints {completion, model, device, ms, firstTokenP} on the last line', () => {
    const r = splice('complete', '--file', file, '--line', '2', '--col', '5', '--model', TINY_MODEL, '--device', 'cpu', '--max-tokens', '12', '--json');
    assert.equal(r.code, 0, r.stderr);
    const out = lastJson(r.stdout);
    assert.deepEqual(Object.keys(out).sort(), ['completion', 'device', 'firstTokenP', 'model', 'ms']);
    assert.ok(typeof out.firstTokenP === 'number' && out.firstTokenP > 0 && out.firstTokenP <= 1, 'the first token\'s probability');
    assert.equal(typeof out.completion, 'string');
    assert.ok((out.completion as string).length > 0);
    assert.equal(out.model, 'tiny-llama');
    assert.equal(out.device, 'cpu');
    assert.ok(typeof out.ms === 'number' && out.ms > 0);
  });

  it('is deterministic under greedy decoding', () => {
    const a = splice('complete', '--file', file, '--line', '4', '--col', '7', '--model', TINY_MODEL, '--device', 'cpu', '--max-tokens', '8', '--json');
    const b = splice('complete', '--file', file, '--line', '4', '--col', '7', '--model', TINY_MODEL, '--device', 'cpu', '--max-tokens', '8', '--json');
    assert.equal(lastJson(a.stdout).completion, lastJson(b.stdout).completion);
  });

  it('works through npx from the repository root, with the bundled default model', () => {
    const r = spawnSync('npx', ['--no-install', 'splice', 'complete', '--file', file, '--line', '2', '--col', '5', '--device', 'cpu', '--max-tokens', '4', '--json'], { encoding: 'utf8', cwd: REPO_ROOT, timeout: 60000 });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(lastJson(r.stdout).model, DEFAULT_MODEL);
  });

  it('info --json names the ONNX variant and why; --variant picks another; an absent or unknown one is refused', () => {
    const quantized = path.join(REPO_ROOT, 'runtime', 'models', 'fixtures', 'quantized');
    const auto = splice('info', '--model', quantized, '--device', 'cpu', '--json');
    assert.equal(auto.code, 0, auto.stderr);
    assert.equal(lastJson(auto.stdout).variant, 'model_q4.onnx');
    assert.match(String(lastJson(auto.stdout).variantReason), /^q4 \(model_q4\.onnx\), of model_int8\.onnx, model_q4\.onnx; preferred on cpu/);
    const int8 = splice('info', '--model', quantized, '--device', 'cpu', '--variant', 'int8', '--json');
    assert.equal(lastJson(int8.stdout).variant, 'model_int8.onnx');
    const absent = splice('info', '--model', quantized, '--device', 'cpu', '--variant', 'fp16');
    assert.equal(absent.code, 1);
    assert.match(absent.stderr, /has no model_fp16\.onnx for the requested variant "fp16" \(present: model_int8\.onnx, model_q4\.onnx\)/);
    const unknown = splice('info', '--model', quantized, '--variant', 'q3');
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /--variant must be one of auto, fp32, fp16, q4, q4f16, int8, uint8, quantized, bnb4 \(got "q3"\)/);
  });

  it('--model /nonexistent exits non-zero naming the path', () => {
    const r = splice('complete', '--file', file, '--line', '2', '--col', '5', '--model', '/nonexistent', '--json');
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /\/nonexistent/);
    assert.equal(r.stdout, '');
  });

  it('a model folder with a broken config.json is refused naming file and field', () => {
    const bad = path.join(dir, 'bad-model');
    fs.cpSync(path.join(REPO_ROOT, 'runtime', 'models', 'fixtures', 'tiny-llama'), bad, { recursive: true });
    const cfg = JSON.parse(fs.readFileSync(path.join(bad, 'config.json'), 'utf8'));
    delete cfg.num_attention_heads;
    fs.writeFileSync(path.join(bad, 'config.json'), JSON.stringify(cfg));
    const r = splice('complete', '--file', file, '--line', '1', '--col', '1', '--model', bad);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /config\.json: field "num_attention_heads" is missing/);
  });

  it('positions outside the file, binary files and unknown flags get clear errors', () => {
    assert.match(splice('complete', '--file', file, '--line', '99', '--col', '1').stderr, /--line 99 is past the end of the file/);
    assert.match(splice('complete', '--file', file, '--line', '1', '--col', '80').stderr, /--col 80 is past the end of line 1/);
    const bin = path.join(dir, 'blob.bin');
    fs.writeFileSync(bin, Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0, 0, 1]));
    assert.match(splice('complete', '--file', bin, '--line', '1', '--col', '1').stderr, /looks binary/);
    const unknown = splice('complete', '--file', file, '--bogus');
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /bogus/);
    assert.match(splice('complete', '--file', path.join(dir, 'missing.py'), '--line', '1', '--col', '1').stderr, /missing\.py: no such file/);
  });
});
