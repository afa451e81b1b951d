// The latency replay script: cursor inside a body, edits that land where the script says, phases in order, deterministic.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { SourceFile } from '../codeCorpus.js';
import { cursorSpot, latencyScript, type Action, type ScriptOptions } from './latencyScript.js';
import { ReplayDocument, type Position } from './replayDocument.js';

function pythonModule(functions: number): string {
  const fn = (i: number) => `def handler_${i}(request, retries=3):\n    """Handle one request."""\n    value = request.get("v", ${i})\n    total = value * retries\n    log(total)\n    return total\n`;
  return `import os\n\n${Array.from({ length: functions }, (_, i) => fn(i)).join('\n')}`;
}

function tsModule(functions: number): string {
  const fn = (i: number) => `export function handler${i}(request: Req, retries = 3): number {\n  const value = request.v ?? ${i};\n  const total = value * retries;\n  log(total);\n  return total;\n}\n`;
  return `import { log } from './log.js';\n\n${Array.from({ length: functions }, (_, i) => fn(i)).join('\n')}`;
}

const others: SourceFile[] = Array.from({ length: 20 }, (_, i) => ({ path: `/x/f${i}.py`, language: 'python', text: `x = ${i}\n` }));

function options(language: string, quick = false): ScriptOptions {
  // A rough token count (4 characters a token) keeps the test independent of a tokenizer.
  return { language, keyMs: 60, quick, paste: 'def pasted():\n    return 1', others, countTokens: (t) => Math.ceil(t.length / 4), seed: 17 };
}

/** The offset of an LSP position, computed independently of ReplayDocument. */
function offsetOf(text: string, p: Position): number {
  const lines = text.split('\n');
  return lines.slice(0, p.line).reduce((n, l) => n + l.length + 1, 0) + p.character;
}

describe('latencyScript', () => {
  it('places the cursor at a line end inside a function body, near the given fraction', () => {
    for (const [language, text] of [['python', pythonModule(40)], ['typescript', tsModule(40)]] as const) {
      const at = cursorSpot(text, 0.5, language);
      assert.equal(text[at], '\n', 'at a line end');
      const line = text.slice(text.lastIndexOf('\n', at - 1) + 1, at);
      const next = text.slice(at + 1, text.indexOf('\n', at + 1));
      assert.match(line, /^ +\S/, `indented: ${line}`);
      assert.equal(/^ */.exec(next)![0], /^ */.exec(line)![0], 'the next line is in the same block');
      assert.ok(Math.abs(at / text.length - 0.5) < 0.05);
    }
  });

  it('replays to edits that land where the script says, in phase order, and types the function', () => {
    const text = pythonModule(60);
    const script = latencyScript(text, options('python'));
    const doc = new ReplayDocument('file:///a.py', 'python', text);
    const phases: string[] = [];
    for (const a of script.actions) {
      if (a.kind === 'edit') {
        const before = doc.text;
        const change = doc.edit(a.start, a.end, a.text);
        assert.equal(offsetOf(before, change.range.start), a.start);
        assert.equal(offsetOf(before, change.range.end), a.end);
        if (a.complete !== undefined) assert.ok(a.complete <= doc.text.length);
      }
      if (a.kind === 'edit' || a.kind === 'complete') if (phases.at(-1) !== a.phase) phases.push(a.phase);
    }
    assert.deepEqual(phases, ['type', 'far-edit', 'jump', 'paste', 'open']);
    assert.ok(doc.text.includes('\n    def _scaled_total(items, factor=1.0):\n        """Sum'), 'the function is typed at the body indentation');
    assert.ok(doc.text.includes('def pasted():\n    return 1\n    count = len(items)\n    size = count'));
    const keys = script.actions.filter((a) => a.kind === 'edit' && a.phase === 'type').length;
    assert.ok(keys > 150, `${keys} keystrokes`);
    assert.equal(script.actions.filter((a) => a.kind === 'open').length, 20);
    assert.ok(script.farEditTokensAbove >= script.cursor / 4 - 10, 'the far edits are near the top');
  });

  it('is deterministic, and quick types fewer keys', () => {
    const text = tsModule(30);
    const a = latencyScript(text, options('typescript'));
    assert.deepEqual(latencyScript(text, options('typescript')), a);
    const keys = (s: { actions: Action[] }) => s.actions.filter((x) => x.kind === 'edit').length;
    assert.ok(keys(latencyScript(text, options('typescript', true))) < keys(a) / 2);
    const waits = a.actions.flatMap((x) => (x.kind === 'edit' ? [x.waitMs] : []));
    assert.ok(Math.min(...waits) >= 30 && Math.max(...waits) <= 90);
  });
});
