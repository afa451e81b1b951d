// Tool-guided decoding steps: the gate on the mark, rule triggers, the overlay the tool sees, and tools that hang or die.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { callTool } from './callTool.js';
import type { CompletionTool, ToolQuery } from './CompletionTool.js';
import { TokenMask } from './TokenMask.js';
import { ToolGuide, type ToolGuidance } from './ToolGuide.js';
import { idOf, logitsFavouring, toyVocab } from './toolgenTestVocab.js';

const { vocab, stop, mark } = toyVocab();
const mask = new TokenMask(vocab);

/** A tool that answers `names` and records what it was asked. */
function recording(names: string[]): CompletionTool & { queries: ToolQuery[] } {
  const queries: ToolQuery[] = [];
  return { queries, names: async (q) => (queries.push(q), names) };
}

const hanging: CompletionTool = { names: () => new Promise(() => undefined) };
const dying: CompletionTool = { names: async () => Promise.reject(new Error('language service crashed')) };

function guide(g: ToolGuidance, prefix: string, suffix = '', withMark = true): ToolGuide {
  return new ToolGuide(g, mask, { prefix, suffix }, withMark ? mark : undefined, [stop]);
}

const allowedOf = (logits: Float32Array) => [...logits.keys()].filter((i) => logits[i] !== -Infinity);

describe('ToolGuide', () => {
  it('feeds the mark when P(mark) >= gate, then asks the tool and constrains the next token', async () => {
    const tool = recording(['path']);
    const g = guide({ tool, rules: false }, 'import os\nos.');
    const first = await g.step(logitsFavouring({ [mark]: 10 }), '');
    assert.deepEqual(first, { feed: mark });
    const second = await g.step(logitsFavouring({ [idOf('x')]: 10 }), '');
    assert.ok('logits' in second);
    assert.deepEqual(allowedOf(second.logits).sort(), [idOf('p'), idOf('pa'), idOf('path')].sort());
    assert.equal(g.calls[0]!.trigger, 'mark');
  });

  it('below the gate the mark is masked out and not fed', async () => {
    const tool = recording(['path']);
    const g = guide({ tool, rules: false, gate: 0.8 }, 'os.');
    // P(mark) = e^1 / (e^1 + 25) ≈ 0.1
    const step = await g.step(logitsFavouring({ [mark]: 1 }), '');
    assert.ok('logits' in step);
    assert.equal(step.logits[mark], -Infinity);
    assert.equal(tool.queries.length, 0);
  });

  it('a rule trigger feeds the mark first when the model has one (unless markOnRules is false), recording P(mark)', async () => {
    const tool = recording(['path']);
    const g = guide({ tool }, 'os.');
    assert.deepEqual(await g.step(logitsFavouring({ [mark]: 1 }), ''), { feed: mark });
    const next = await g.step(logitsFavouring({}), '');
    assert.ok('logits' in next && allowedOf(next.logits).includes(idOf('path')));
    assert.equal(g.calls[0]!.trigger, 'rule');
    assert.ok(g.calls[0]!.pMark! > 0.05 && g.calls[0]!.pMark! < 0.2);
    const direct = guide({ tool: recording(['path']), markOnRules: false }, 'os.');
    const step = await direct.step(logitsFavouring({ [mark]: 1 }), '');
    assert.ok('logits' in step && step.logits[mark] === -Infinity && allowedOf(step.logits).includes(idOf('path')));
  });

  it('a rule trigger asks the tool on the overlay: prefix + generated + suffix; the document strings are untouched', async () => {
    const tool = recording(['path', 'sep']);
    const prefix = 'import os\nx = ';
    const suffix = '\nprint(x)\n';
    const g = guide({ tool, uri: 'file:///a.py', languageId: 'python' }, prefix, suffix, false);
    const step = await g.step(logitsFavouring({}), 'os.');
    assert.ok('logits' in step);
    assert.deepEqual(tool.queries, [{ text: 'import os\nx = os.' + suffix, offset: prefix.length + 3, uri: 'file:///a.py', languageId: 'python' }]);
    assert.equal(prefix, 'import os\nx = ');
    assert.ok(allowedOf(step.logits).includes(idOf('sep')));
  });

  it('leaves the constraint at a break character and asks once per site', async () => {
    const tool = recording(['path']);
    const g = guide({ tool }, 'os.', '', false);
    await g.step(logitsFavouring({}), '');
    g.accepted(idOf('path'));
    const atEnd = await g.step(logitsFavouring({}), 'path');
    assert.ok('logits' in atEnd && allowedOf(atEnd.logits).includes(stop) && allowedOf(atEnd.logits).includes(idOf('(')));
    g.accepted(idOf('('));
    const free = await g.step(logitsFavouring({}), 'path(');
    assert.ok('logits' in free && allowedOf(free.logits).length === vocab.tok.size);
    assert.equal(tool.queries.length, 1);
  });

  it('the typed part of a name narrows the candidates; none starting so means free decoding', async () => {
    const g = guide({ tool: recording(['path', 'print']) }, 'os.pa', '', false);
    const step = await g.step(logitsFavouring({}), '');
    assert.ok('logits' in step);
    assert.deepEqual(allowedOf(step.logits).sort(), [idOf('t'), idOf('th')].sort());
    const none = guide({ tool: recording(['sep']) }, 'os.pa', '', false);
    const free = await none.step(logitsFavouring({}), '');
    assert.ok('logits' in free && allowedOf(free.logits).length === vocab.tok.size);
    assert.equal(none.calls[0]!.constrained, false);
  });

  it('a tool that hangs costs its budget and decoding goes on freely', async () => {
    const g = guide({ tool: hanging, budgetMs: 30 }, 'os.', '', false);
    const started = performance.now();
    const step = await g.step(logitsFavouring({}), '');
    assert.ok(performance.now() - started < 1000);
    assert.ok('logits' in step && allowedOf(step.logits).length === vocab.tok.size);
    assert.equal(g.calls[0]!.outcome, 'timeout');
  });

  it('a tool that throws means free decoding', async () => {
    const g = guide({ tool: dying }, 'os.', '', false);
    const step = await g.step(logitsFavouring({}), '');
    assert.ok('logits' in step && allowedOf(step.logits).length === vocab.tok.size);
    assert.equal(g.calls[0]!.outcome, 'error');
  });
});

describe('callTool', () => {
  it('aborts the tool signal at the budget, and settles at once on the caller abort', async () => {
    let seen: AbortSignal | undefined;
    const r = await callTool({ names: (_q, s) => ((seen = s), new Promise(() => undefined)) }, { text: '', offset: 0 }, 20);
    assert.equal(r.outcome, 'timeout');
    assert.equal(seen?.aborted, true);
    const c = new AbortController();
    const pending = callTool(hanging, { text: '', offset: 0 }, 60_000, c.signal);
    c.abort();
    assert.equal((await pending).outcome, 'aborted');
  });

  it('reports the error message of a tool that throws', async () => {
    const r = await callTool(dying, { text: '', offset: 0 }, 1000);
    assert.deepEqual([r.outcome, r.error], ['error', 'language service crashed']);
  });
});
