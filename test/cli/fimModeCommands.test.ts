// `splice make-tasks fim`, `eval fim --modes` and `bench fim` (issue 8's prompt modes) as users run them, on small inputs.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { REPO_ROOT, SPLICE_BIN, TINY_MODEL } from '../repoRoot.js';

function splice(...args: string[]) {
  const r = spawnSync(process.execPath, [SPLICE_BIN, ...args], { encoding: 'utf8', cwd: REPO_ROOT, timeout: 180000, env: { ...process.env, XDG_RUNTIME_DIR: process.env.XDG_RUNTIME_DIR ?? '/tmp' } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const lastJson = (stdout: string) => JSON.parse(stdout.trim().split('\n').at(-1)!);
const readJsonl = (file: string) => fs.readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'splice-fim-modes-'));
const tasksFile = path.join(dir, 'tasks.jsonl');
const SOURCES = path.join(REPO_ROOT, 'runtime', 'src');
const WORD = /^[A-Za-z0-9_]$/;

/** The source file a task was cut from: its id names the last two path segments, its text holds the document. */
function sourceOf(t: { id: string; prefix: string; middle: string; suffix: string }): string {
  const rel = t.id.split(':')[0]!;
  const files = (fs.readdirSync(SOURCES, { recursive: true }) as string[]).map((p) => `src/${p}`); // relative to runtime/
  const texts = files.filter((p) => p === rel || p.endsWith(`/${rel}`)).map((p) => fs.readFileSync(path.join(SOURCES, '..', p), 'utf8'));
  const text = texts.find((x) => x.includes(t.prefix + t.middle + t.suffix));
  assert.ok(text !== undefined, `${t.id}: prefix + middle + suffix is a piece of its source file`);
  return text;
}

function makeTasks(out: string, seed: string) {
  const r = splice('make-tasks', 'fim', '--from', SOURCES, '--out', out, '--count', '20', '--seed', seed, '--max-chars', '600');
  assert.equal(r.code, 0, r.stderr);
  return fs.readFileSync(out, 'utf8');
}

describe('prompt-mode FIM commands', () => {
  it('make-tasks fim cuts real lines mid-word or after indentation; middle is the rest of the line; seeded', () => {
    const text = makeTasks(tasksFile, '3');
    const tasks = text.trim().split('\n').map((l) => JSON.parse(l));
    assert.equal(tasks.length, 20);
    assert.equal(tasks.filter((t) => t.id.endsWith(':indent')).length, 4);
    for (const t of tasks) {
      assert.deepEqual(Object.keys(t), ['id', 'language', 'prefix', 'suffix', 'middle']);
      const [, line, col, kind] = t.id.split(':');
      const lines = sourceOf(t).split('\n');
      const cursorLine = lines[Number(line) - 1]!;
      assert.equal(t.middle, cursorLine.slice(Number(col)), `${t.id}: middle = rest of the line`);
      assert.ok(t.middle.trim() !== '' && cursorLine.length <= 160);
      const lineHead = t.prefix.slice(t.prefix.lastIndexOf('\n') + 1);
      assert.equal(lineHead, cursorLine.slice(0, Number(col)), `${t.id}: prefix ends at the cursor`);
      assert.ok(t.suffix === '' || t.suffix.startsWith('\n'));
      assert.ok(t.prefix.length <= 600 && t.suffix.length <= 600);
      if (kind === 'word') assert.ok(WORD.test(t.prefix.at(-1)) && WORD.test(t.middle[0]), `${t.id}: mid-word`);
      else assert.ok(lineHead.length > 0 && lineHead.trim() === '' && t.middle[0]!.trim() !== '', `${t.id}: after indentation`);
    }
    assert.equal(makeTasks(path.join(dir, 'again.jsonl'), '3'), text, 'same seed, same file');
    assert.notEqual(makeTasks(path.join(dir, 'other.jsonl'), '4'), text, 'another seed, other tasks');
  });

  it('eval fim --modes reports em, es, ms per mode and a paired block; --details per task', () => {
    const details = path.join(dir, 'details.jsonl');
    const r = splice('eval', 'fim', '--tasks', tasksFile, '--modes', 'naive,byte', '--limit', '3', '--details', details, '--model', TINY_MODEL, '--device', 'cpu', '--json');
    assert.equal(r.code, 0, r.stderr);
    const out = lastJson(r.stdout);
    assert.equal(out.tasks, 3);
    assert.deepEqual(Object.keys(out.modes), ['naive', 'byte']);
    for (const m of Object.values(out.modes) as Record<string, number>[]) {
      assert.ok(m.em >= 0 && m.em <= 1 && m.es >= 0 && m.es <= 1 && m.ms > 0, JSON.stringify(m));
      assert.ok(m.bpb > 0 && Number.isFinite(m.bpb), `bits per byte of the middle: ${JSON.stringify(m)}`);
    }
    assert.deepEqual(Object.keys(out.paired), ['byte_vs_naive']);
    const p = out.paired.byte_vs_naive;
    assert.equal(p.better + p.worse + p.ties, 3);
    assert.ok(p.sign_test_p > 0 && p.sign_test_p <= 1);
    const perTask = readJsonl(details);
    assert.equal(perTask.length, 3);
    for (const mode of ['naive', 'byte']) {
      const meanEs = perTask.reduce((a, t) => a + t.modes[mode].es, 0) / 3;
      assert.ok(Math.abs(meanEs - out.modes[mode].es) < 1e-3, `${mode}: details agree with the summary`);
      assert.ok(perTask.every((t) => typeof t.modes[mode].line === 'string' && [0, 1].includes(t.modes[mode].em)));
    }
    const bad = splice('eval', 'fim', '--tasks', tasksFile, '--modes', 'naive,fast', '--model', TINY_MODEL, '--device', 'cpu');
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /unknown prompt mode "fast"/);
  });

  it('bench fim prints a row per device with ratio = mode_ms / naive_ms', () => {
    const r = splice('bench', 'fim', '--tasks', tasksFile, '--limit', '2', '--runs', '1', '--model', TINY_MODEL, '--device', 'cpu', '--json');
    assert.equal(r.code, 0, r.stderr);
    const out = lastJson(r.stdout);
    assert.equal(out.tasks, 2);
    assert.equal(out.rows.length, 1);
    const row = out.rows[0];
    assert.equal(row.device, 'cpu');
    assert.ok(row.naive_ms > 0 && row.healing_ms > 0 && row.byte_ms > 0, JSON.stringify(row));
    assert.ok(Math.abs(row.ratio_healing / (row.healing_ms / row.naive_ms) - 1) < 0.02, JSON.stringify(row));
    assert.ok(Math.abs(row.ratio_byte / (row.byte_ms / row.naive_ms) - 1) < 0.02, JSON.stringify(row));
  });
});
