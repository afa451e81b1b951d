// `splice make-tasks pie`, `eval pie|fim` and `bench pie` as users run them, on small inputs.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { applyTextEdits, checkEdits } from '../../runtime/src/index.js';
import { REPO_ROOT, SPLICE_BIN, TINY_MODEL } from '../repoRoot.js';

function splice(...args: string[]) {
  const r = spawnSync(process.execPath, [SPLICE_BIN, ...args], { encoding: 'utf8', cwd: REPO_ROOT, timeout: 180000, env: { ...process.env, XDG_RUNTIME_DIR: process.env.XDG_RUNTIME_DIR ?? '/tmp' } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const lastJson = (stdout: string) => JSON.parse(stdout.trim().split('\n').at(-1)!);
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'splice-pie-'));
const tasksFile = path.join(dir, 'tasks.jsonl');

describe('evaluation and benchmark commands', () => {
  it('make-tasks pie writes valid tasks: sorted edits in `before`, cursor in the edited text, expected = next line', () => {
    const r = splice('make-tasks', 'pie', '--from', path.join(REPO_ROOT, 'runtime', 'src'), '--out', tasksFile, '--count', '6', '--max-chars', '1500');
    assert.equal(r.code, 0, r.stderr);
    const tasks = fs.readFileSync(tasksFile, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    assert.equal(tasks.length, 6);
    assert.deepEqual(new Set(tasks.map((t) => t.id.split(':').at(-1))), new Set(['insertion', 'deletion', 'multi']));
    for (const t of tasks) {
      checkEdits(t.before, t.edits);
      const after = applyTextEdits(t.before, t.edits);
      assert.ok(t.cursor <= after.length && (t.cursor === 0 || after[t.cursor - 1] === '\n'), 'cursor at a line start');
      assert.ok(t.expected.trim().length > 0 && !t.expected.includes('\n'));
    }
  });

  it('eval pie reports em, es and update_ms for every mode on the last line', () => {
    const details = path.join(dir, 'details.jsonl');
    const r = splice('eval', 'pie', '--tasks', tasksFile, '--model', TINY_MODEL, '--device', 'cpu', '--limit', '3', '--details', details, '--json');
    assert.equal(r.code, 0, r.stderr);
    const out = lastJson(r.stdout);
    const perTask = fs.readFileSync(details, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    assert.equal(perTask.length, out.tasks);
    const meanEs = perTask.reduce((a, t) => a + t.modes.pie.es, 0) / perTask.length;
    assert.ok(Math.abs(meanEs - out.modes.pie.es) < 1e-3, 'details agree with the summary');
    assert.equal(out.modes.full.same_as_full, 1, 'full agrees with itself');
    const same = perTask.filter((t) => t.modes.pie.line === t.modes.full.line).length / perTask.length;
    assert.ok(Math.abs(out.modes.pie.same_as_full - same) < 1e-3);
    assert.equal(out.tasks + out.skipped, 3);
    for (const mode of ['full', 'pie', 'conflict']) {
      const m = out.modes[mode];
      assert.ok(m.em >= 0 && m.em <= 1 && m.es >= 0 && m.es <= 1 && m.update_ms > 0, `${mode}: ${JSON.stringify(m)}`);
    }
  });

  it('eval pie names the line and field of a malformed task', () => {
    const bad = path.join(dir, 'bad.jsonl');
    fs.writeFileSync(bad, '{"id":"a","language":"python","before":"abc","edits":[{"start":2,"end":9,"text":""}],"cursor":0,"expected":"x"}\n');
    const r = splice('eval', 'pie', '--tasks', bad, '--model', TINY_MODEL, '--device', 'cpu');
    assert.equal(r.code, 1);
    assert.match(r.stderr, /bad\.jsonl:1: field "edits"/);
  });

  it('eval fim scores next-line exact match per language on the last line', () => {
    const fim = path.join(dir, 'fim.jsonl');
    const task = (id: string, language: string) => JSON.stringify({ id, language, prefix: 'def add(a, b):\n    ret', suffix: '\nprint(add(1, 2))\n', expected: 'urn a + b' });
    fs.writeFileSync(fim, `${task('a', 'python')}\n${task('b', 'typescript')}\n`);
    const r = splice('eval', 'fim', '--tasks', fim, '--model', TINY_MODEL, '--device', 'cpu', '--json');
    assert.equal(r.code, 0, r.stderr);
    const out = lastJson(r.stdout);
    assert.equal(out.tasks, 2);
    assert.deepEqual(Object.keys(out.byLanguage).sort(), ['python', 'typescript']);
    assert.ok(out.em >= 0 && out.em <= 1 && out.es >= 0 && out.es <= 1);
    const missing = path.join(dir, 'fim-bad.jsonl');
    fs.writeFileSync(missing, '{"id":"a","language":"python","prefix":"x"}\n');
    assert.match(splice('eval', 'fim', '--tasks', missing, '--model', TINY_MODEL, '--device', 'cpu').stderr, /fim-bad\.jsonl:1: field "suffix" must be a string/);
  });

  it('bench pie prints rows with full_ms, pie_ms and their ratio, measured in the same run', () => {
    const r = splice('bench', 'pie', '--model', TINY_MODEL, '--device', 'cpu', '--sizes', '128,256', '--runs', '1', '--json');
    assert.equal(r.code, 0, r.stderr);
    const { rows } = lastJson(r.stdout);
    assert.equal(rows.length, 2);
    for (const row of rows) {
      assert.equal(row.device, 'cpu');
      assert.ok(row.context_tokens > 64 && row.full_ms > 0 && row.pie_ms > 0);
      assert.ok(Math.abs(row.ratio / (row.pie_ms / row.full_ms) - 1) < 0.02, JSON.stringify(row));
      assert.ok(row.pie_reencoded > 0 && row.pie_moved > 0);
    }
  });
});
