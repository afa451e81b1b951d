// `splice bench latency --quick` as users run it: the bundled model on CPU, both modes, every field measured.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { REPO_ROOT, SPLICE_BIN } from '../repoRoot.js';

const MODE_FIELDS = ['p50_ms', 'p95_ms', 'p50_while_open_ms', 'p95_while_open_ms', 'max_stall_ms', 'reencoded_per_completion', 'generated_per_completion', 'first_token_p50_ms', 'first_token_p95_ms', 'peak_rss_mb', 'completions', 'with_items'];

describe('bench latency', () => {
  it('replays the session over LSP for pie and none and reports every field, with ratio = pie / none', () => {
    const r = spawnSync(process.execPath, [SPLICE_BIN, 'bench', 'latency', '--quick', '--sizes', '300', '--json'], { encoding: 'utf8', cwd: REPO_ROOT, timeout: 120000 });
    assert.equal(r.status, 0, r.stderr);
    const out = JSON.parse(r.stdout.trim().split('\n').at(-1)!);
    assert.equal(out.model, 'splice-tiny');
    assert.equal(out.device, 'cpu');
    assert.equal(out.sizes.length, 1);
    const [size] = out.sizes;
    assert.ok(size.tokens > 200 && size.tokens <= 300, `tokens ${size.tokens}`);
    for (const mode of ['pie', 'none']) {
      const m = size[mode];
      assert.deepEqual(MODE_FIELDS.filter((f) => !(f in m)), [], `${mode} has every field`);
      // Typing (lines), far edits, jumps (3 + back), paste and typing while files open: at least 9 answers.
      assert.ok(m.completions >= 9 && m.with_items >= 0 && m.with_items <= m.completions, `${mode}: ${JSON.stringify(m)}`);
      assert.ok(m.p50_ms > 0 && m.p95_ms >= m.p50_ms && m.p50_while_open_ms > 0 && m.p95_while_open_ms >= m.p50_while_open_ms, `${mode}: ${JSON.stringify(m)}`);
      assert.ok(m.max_stall_ms > 0 && m.peak_rss_mb > 0, `${mode}: ${JSON.stringify(m)}`);
      assert.ok(m.reencoded_per_completion.mean > 0 && m.reencoded_per_completion.max >= m.reencoded_per_completion.mean, `${mode}: ${JSON.stringify(m)}`);
    }
    assert.ok(Math.abs(size.ratio_p50 - size.pie.p50_ms / size.none.p50_ms) < 1e-3 * Math.max(1, size.ratio_p50), JSON.stringify(size));
    assert.ok(Math.abs(size.ratio_p95 - size.pie.p95_ms / size.none.p95_ms) < 1e-3 * Math.max(1, size.ratio_p95), JSON.stringify(size));
    // The baseline re-encodes the window around the cursor every time; PIE reuses the cached prefix while typing.
    assert.ok(size.none.reencoded_per_completion.mean > size.pie.reencoded_per_completion.mean, JSON.stringify(size));
  });
});
