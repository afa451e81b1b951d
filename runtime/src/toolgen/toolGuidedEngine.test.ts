// Tool-guided decoding end to end on splice-tiny (CPU): fresh and PIE-session completions decode inside the tool's
// names, the tool sees the document at the cursor, the request's text is unchanged, and the mark never shows.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Engine } from '../engine/Engine.js';
import { testModelDir } from '../testing/fixtures.js';
import type { CompletionTool, ToolQuery } from './CompletionTool.js';

const TEXT = 'import os\n\ndef home():\n    return os.\n\nprint(home())\n';
const CURSOR = TEXT.indexOf('os.\n') + 3;
const NAMES = ['getcwd', 'environ', 'sep'];

function recording(): CompletionTool & { queries: ToolQuery[] } {
  const queries: ToolQuery[] = [];
  return { queries, names: async (q) => (queries.push(q), NAMES) };
}

/** The completion starts with one of the names, followed by nothing or a break character. */
function startsWithName(completion: string): boolean {
  return NAMES.some((n) => completion.startsWith(n) && !/^[\w$]/.test(completion.slice(n.length)));
}

describe('tool-guided decoding (splice-tiny, cpu)', () => {
  let engine: Engine;
  before(async () => {
    engine = await Engine.open({ modelDir: testModelDir('splice-tiny'), device: 'cpu' });
  });
  after(() => engine.close());

  it('a fresh completion after `os.` is one of the tool names; the tool saw the document at the cursor', async () => {
    const tool = recording();
    const text = TEXT;
    const r = await engine.complete({ text, offset: CURSOR, maxTokens: 8, stopSequences: ['\n'], tool: { tool } });
    assert.ok(startsWithName(r.completion), JSON.stringify(r.completion));
    assert.equal(text, TEXT);
    assert.deepEqual(tool.queries[0], { text: TEXT, offset: CURSOR, uri: undefined, languageId: undefined });
    assert.equal(r.toolCalls[0]!.outcome, 'ok');
    assert.ok(!r.completion.includes('<|tool|>'));
  });

  it('on the PIE session path too (the session cache is not changed by the mark or the constraint)', async () => {
    const session = await engine.openCompletionSession(TEXT);
    const rows = session.kvCache.length;
    const tool = recording();
    const r = await engine.completeInSession(session, { text: TEXT, offset: CURSOR, maxTokens: 8, stopSequences: ['\n'], tool: { tool } });
    assert.ok(startsWithName(r.completion), JSON.stringify(r.completion));
    assert.equal(tool.queries[0]!.text, TEXT);
    assert.equal(session.kvCache.length, rows);
    session.dispose();
  });

  it('with the byte-level prompt inside a typed name, the lead token too stays inside the names (fresh and session)', async () => {
    const text = 'import os\n\nroot = os.pa';
    const names = ['pardir'];
    const tool: CompletionTool = { names: async () => names };
    const req = { text, offset: text.length, maxTokens: 8, stopSequences: ['\n'], promptMode: 'byte' as const, tool: { tool } };
    const fresh = await engine.complete(req);
    assert.match(fresh.completion, /^rdir(?![\w$])/);
    const session = await engine.openCompletionSession(text);
    const viaSession = await engine.completeInSession(session, req);
    assert.match(viaSession.completion, /^rdir(?![\w$])/);
    session.dispose();
  });

  it('without a tool nothing is asked and toolCalls is empty', async () => {
    const r = await engine.complete({ text: TEXT, offset: CURSOR, maxTokens: 4 });
    assert.deepEqual(r.toolCalls, []);
  });
});
