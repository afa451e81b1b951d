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
    const lines = fs.readFileSync(details, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    assert.equal(lines.length, 4);
    assert.ok(lines.every((d) => typeof d.raw === 'string' && (d.shaped === null || typeof d.shaped === 'string')));
  });
});
