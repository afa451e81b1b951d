// `splice eval shape` as users run it, on a few held-out tasks.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { REPO_ROOT, SPLICE_BIN, TINY_MODEL } from '../repoRoot.js';

describe('splice eval shape', () => {
  it('reports em, es and fault shares for raw and shaped, and the pipeline time; --details has one line per task', () => {
    const details = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'splice-shape-')), 'details.jsonl');
    const r = spawnSync(process.execPath, [SPLICE_BIN, 'eval', 'shape', '--tasks', path.join(REPO_ROOT, 'evals', 'fim-heldout.jsonl'), '--model', TINY_MODEL, '--device', 'cpu', '--limit', '4', '--details', details, '--json'], { encoding: 'utf8', cwd: REPO_ROOT, timeout: 180000 });
    assert.equal(r.status, 0, r.stderr);
    const out = JSON.parse(r.stdout.trim().split('\n').at(-1)!);
    assert.equal(out.tasks, 4);
    for (const v of ['raw', 'shaped']) {
      assert.ok(out[v].em >= 0 && out[v].em <= 1 && out[v].es >= 0 && out[v].es <= 1, JSON.stringify(out[v]));
      assert.deepEqual(Object.keys(out[v].rates), ['empty', 'duplicates_suffix', 'unbalanced', 'past_block', 'repeats', 'syntax_errors']);
    }
    assert.ok(out.shape_ms_p95 >= out.shape_ms_p50 && out.shape_ms_p50 >= 0);
    assert.equal(out.prompt_mode, 'byte');
    assert.equal(out.reference.em, 1, 'the reference row scores the reference itself');
    const p = out.shaped_vs_raw_es;
    assert.equal(p.better + p.worse + p.ties, 4, 'paired task by task');
    assert.ok(out.reference_kept >= 0 && out.reference_kept <= 1 && out.dropped_clean >= 0);
    for (const rows of [out.gate.first_token_p, out.gate.mean_p]) {
      assert.ok(rows.length > 0 && rows.every((r: { suppressed: number }) => r.suppressed >= 0 && r.suppressed <= 1));
      assert.ok(rows.every((r: { suppressed: number }, i: number) => i === 0 || r.suppressed >= rows[i - 1].suppressed), 'a higher threshold suppresses no fewer');
    }
    const lines = fs.readFileSync(details, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    assert.equal(lines.length, 4);
    assert.ok(lines.every((d) => typeof d.raw === 'string' && (d.shaped === null || typeof d.shaped === 'string')));
    assert.ok(lines.every((d) => d.first_token_p === undefined || (d.first_token_p > 0 && d.first_token_p <= 1)));
  });

  it('refuses an unknown --prompt-mode', () => {
    const r = spawnSync(process.execPath, [SPLICE_BIN, 'eval', 'shape', '--tasks', path.join(REPO_ROOT, 'evals', 'fim-heldout.jsonl'), '--prompt-mode', 'fast'], { encoding: 'utf8', cwd: REPO_ROOT, timeout: 60000 });
    assert.equal(r.status, 2);
    assert.match(r.stderr, /--prompt-mode must be one of naive, healing, byte/);
  });
});

describe('splice bench shape', () => {
  it('times the pipeline with incremental and full parses on the same completions; ratio = incremental / full', () => {
    const r = spawnSync(process.execPath, [SPLICE_BIN, 'bench', 'shape', '--model', TINY_MODEL, '--device', 'cpu', '--limit', '3', '--runs', '1', '--json'], { encoding: 'utf8', cwd: REPO_ROOT, timeout: 180000 });
    assert.equal(r.status, 0, r.stderr);
    const out = JSON.parse(r.stdout.trim().split('\n').at(-1)!);
    assert.equal(out.tasks, 3);
    assert.ok(out.full_p50_ms > 0 && out.incremental_p50_ms > 0);
    assert.equal(out.ratio_p50, Math.round((out.incremental_p50_ms / out.full_p50_ms) * 1000) / 1000);
  });
});
