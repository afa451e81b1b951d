// What the ghost text is, end to end over LSP with the bundled model (splice-tiny): excluded files and languages get
// nothing, typing along a shown item answers its rest from the cache (no model call), the suggest widget's selected
// item is extended, and the time the completion pipeline adds per completion.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ALTERNATIVES } from '../../language-server/src/completion/nbest/alternatives.js';
import { DEFAULT_FALLBACK_SAMPLES, DEFAULT_MIN_CONFIDENCE } from '../../language-server/src/protocol.js';
import { LspServer } from './lspHarness.js';

const DIR = 'file:///tmp/splice-lsp-shaping';

describe('completion shaping over LSP (splice-tiny)', () => {
  let lsp: LspServer;

  before(async () => {
    lsp = LspServer.start();
    await lsp.initialize({ device: 'cpu', debounceMs: 0 });
    await lsp.waitForStatus('ready', (s) => s.state === 'ready', 0, 60000);
  });

  after(() => lsp.dispose());

  it('a .env file gets no completion and no model call; excludeFiles and enableLanguages change that', async () => {
    const env = `${DIR}/.env`;
    await lsp.open(env, 'API_KEY=sk-live-123\nDB_PASSWORD=\n', 'dotenv');
    const before = await lsp.metrics();
    assert.equal(await lsp.complete(env, { line: 1, character: 12 }), null);
    assert.equal((await lsp.metrics()).completions, before.completions, 'the model never saw the file');

    await lsp.configure({ excludeFiles: [] });
    await lsp.complete(env, { line: 1, character: 12 });
    assert.equal((await lsp.metrics()).completions, before.completions + 1, 'not excluded: the model ran');

    await lsp.configure({ excludeFiles: ['**/.env'], enableLanguages: { '*': true, python: false } });
    const py = `${DIR}/off.py`;
    await lsp.open(py, 'x = \n');
    assert.equal(await lsp.complete(py, { line: 0, character: 4 }), null);
    assert.equal((await lsp.metrics()).completions, before.completions + 1, 'python switched off: no model call');
    await lsp.configure({ enableLanguages: { '*': true } });
  });

  it('typing the first character of a shown item answers the rest from the cache, without a model call', async () => {
    const uri = `${DIR}/typed.py`;
    const line = '    n = len()';
    await lsp.open(uri, `def main():\n    items = [1, 2, 3]\n${line}\n`);
    const cursor = { line: 2, character: line.length - 1 };
    const first = await lsp.complete(uri, cursor);
    assert.ok(first && first.items.length === 1, `an item at len(|): ${JSON.stringify(first)}`);
    const shown = String(first.items[0]!.insertText);
    assert.ok(shown.length >= 2, `an item of two characters or more: ${JSON.stringify(shown)}`);
    const replaced = first.items[0]!.range!.end.character - cursor.character;
    const before = await lsp.metrics();
    const [statsBefore] = await lsp.stats(uri);

    await lsp.insert(uri, cursor, shown[0]!);
    const next = { line: 2, character: cursor.character + 1 };
    const t0 = performance.now();
    const rest = await lsp.complete(uri, next);
    const ms = performance.now() - t0;
    assert.deepEqual(rest?.items.map((i) => ({ insertText: i.insertText, range: i.range })), [
      { insertText: shown.slice(1), range: { start: next, end: { line: 2, character: next.character + replaced } } },
    ]);
    const afterTyping = await lsp.metrics();
    assert.equal(afterTyping.completions, before.completions, 'no model call');
    assert.equal(afterTyping.reusedCompletions, before.reusedCompletions + 1);
    const [statsAfter] = await lsp.stats(uri);
    assert.deepEqual(statsAfter!.lastCompletion, statsBefore!.lastCompletion, 'splice/stats: the last completion is the first one');
    assert.ok(ms < 1000, `answered in ${ms.toFixed(1)} ms`);
  });

  it('with the suggest widget open, the item starts with the selected suggestion and covers its range', async () => {
    const uri = `${DIR}/suggest.py`;
    await lsp.open(uri, 'import os\n\np = os.pa\n');
    const cursor = { line: 2, character: 9 };
    const range = { start: { line: 2, character: 7 }, end: cursor };
    const got = await lsp.complete(uri, cursor, undefined, { triggerKind: 2, selectedCompletionInfo: { range, text: 'path' } });
    if (got !== null) {
      assert.equal(got.items.length, 1);
      assert.ok(String(got.items[0]!.insertText).startsWith('path'), JSON.stringify(got));
      assert.ok(String(got.items[0]!.insertText).length > 'path'.length, 'it extends the selected item');
      assert.deepEqual(got.items[0]!.range!.start, range.start);
      assert.ok(got.items[0]!.range!.end.character >= cursor.character);
    }
    // Typing along a selected suggestion's ghost is a cache hit as well.
    const metrics = await lsp.metrics();
    assert.ok(metrics.completions >= 2);
  });

  it('the confidence gate: a completion whose first token is less likely than splice.minConfidence is not shown', async () => {
    const uri = `${DIR}/gate.py`;
    await lsp.open(uri, 'import os\n\ndef area(r):\n    return \n');
    const cursor = { line: 3, character: 11 }; // splice-tiny's first token here has p ≈ 0.1
    const m0 = await lsp.metrics();
    assert.equal(await lsp.complete(uri, cursor), null, 'the default gate (0.2) holds it back');
    const m1 = await lsp.metrics();
    assert.deepEqual([m1.completions - m0.completions, m1.gatedCompletions - m0.gatedCompletions], [1, 1], 'the model ran; the gate counted it');
    await lsp.configure({ minConfidence: 0 });
    await lsp.complete(uri, cursor);
    const m2 = await lsp.metrics();
    assert.deepEqual([m2.completions - m1.completions, m2.gatedCompletions - m1.gatedCompletions], [1, 0], 'gate off: nothing held back');
    await lsp.configure({ minConfidence: DEFAULT_MIN_CONFIDENCE });
  });

  it('fallback samples: where the greedy completion shows nothing, a sampled one is asked for and shown (splice.fallbackSamples)', async () => {
    await lsp.configure({ minConfidence: 0 });
    const text = 'import os\n\nx = foo(\n';
    const cursor = { line: 2, character: 8 }; // splice-tiny's greedy text here does not survive the pipeline
    const calls = async (uri: string) => {
      await lsp.open(uri, text);
      const m0 = await lsp.metrics();
      const got = await lsp.complete(uri, cursor);
      const m1 = await lsp.metrics();
      return { got, calls: m1.completions - m0.completions, fromFallback: m1.fallbackShown - m0.fallbackShown };
    };
    await lsp.configure({ fallbackSamples: 0 });
    const none = await calls(`${DIR}/fallback-off.py`);
    assert.deepEqual([none.got, none.calls, none.fromFallback], [null, 1, 0], 'without fallbacks: one model call, nothing shown');
    await lsp.configure({ fallbackSamples: 2 });
    const some = await calls(`${DIR}/fallback-on.py`);
    assert.ok(some.got?.items.length, 'a fallback sample is shown');
    assert.deepEqual([some.calls, some.fromFallback], [2, 1], 'one more model call, counted in splice/metrics');
    await lsp.configure({ minConfidence: DEFAULT_MIN_CONFIDENCE, fallbackSamples: DEFAULT_FALLBACK_SAMPLES });
  });

  it('an explicit request (Alt+] / Alt+[ cycling) gets the shown item first, then sampled alternatives, each once', async () => {
    const uri = `${DIR}/nbest.py`;
    await lsp.configure({ fallbackSamples: 0 }); // the calls counted below are the alternatives' alone
    await lsp.open(uri, 'def area(r):\n    return \n');
    const cursor = { line: 1, character: 11 };
    const auto = await lsp.complete(uri, cursor, undefined, { triggerKind: 2 });
    assert.ok(!auto || auto.items.length === 1, 'typing gets one item');
    const before = await lsp.metrics();
    const invoked = await lsp.complete(uri, cursor, undefined, { triggerKind: 1 });
    const after = await lsp.metrics();
    assert.equal(after.completions - before.completions, auto ? ALTERNATIVES : 1 + ALTERNATIVES, 'one model call per alternative (the shown item from the cache)');
    if (auto) assert.deepEqual(invoked?.items[0], auto.items[0], 'the shown item stays first');
    const texts = (invoked?.items ?? []).map((i) => `${JSON.stringify(i.range)}${String(i.insertText)}`);
    assert.equal(new Set(texts).size, texts.length, `no item twice: ${JSON.stringify(texts)}`);
    assert.ok(texts.length <= 1 + ALTERNATIVES);
    await lsp.configure({ fallbackSamples: DEFAULT_FALLBACK_SAMPLES });
  });

  it('reports the time the pipeline adds per completion (splice/metrics shapeMsP50, shapeMsP95)', async (t) => {
    const uri = `${DIR}/bench.py`;
    const lines = ['import os', '', '', 'def read_lines(path):', '    with open(path) as f:', '        return ', '', '', 'def add(a, b):', '    total = a + b', '    return ', ''];
    await lsp.open(uri, lines.join('\n'));
    await lsp.metrics(true);
    for (let i = 0; i < 12; i++) {
      await lsp.complete(uri, { line: 5, character: 15 });
      await lsp.insert(uri, { line: 0, character: 0 }, `# ${i}\n`); // a new text before the cursor: no cache hit
      await lsp.complete(uri, { line: 11 + i, character: 11 });
      await lsp.insert(uri, { line: 0, character: 0 }, '\n');
    }
    const m = await lsp.metrics();
    t.diagnostic(`pipeline per completion: p50 ${m.shapeMsP50} ms, p95 ${m.shapeMsP95} ms over ${m.completions} completions`);
    assert.ok(m.completions >= 20);
    assert.ok(m.shapeMsP50 > 0 && m.shapeMsP95 >= m.shapeMsP50 && m.shapeMsP95 < 100, JSON.stringify(m));
  });

  it('shuts down cleanly', async () => {
    assert.deepEqual(await lsp.shutdown(), { code: 0, signal: null });
  });
});
