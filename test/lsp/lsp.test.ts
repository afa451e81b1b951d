// Drives `splice lsp --stdio` with a real JSON-RPC client: initialize, didOpen, didChange, inlineCompletion, cancel, shutdown.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CancellationTokenSource, DidChangeConfigurationNotification, DidChangeTextDocumentNotification, DidOpenTextDocumentNotification, InlineCompletionRequest, type InlineCompletionList, type InlineCompletionParams, type ProtocolConnection } from 'vscode-languageserver-protocol/node';
import { Engine } from '../../runtime/src/index.js';
import { TINY_MODEL } from '../repoRoot.js';
import { LspServer } from './lspHarness.js';
import { loadParser, placeOf, shapeCompletion, STATS_REQUEST, stopsFor, type DocumentStats, type SpliceStatus } from './serverFacts.js';

const URI = 'file:///tmp/splice-lsp-test/example.py';
const BEFORE = 'import math\n\ndef area(r):\n    return \n\nprint(area(2))\n';
// didChange: line 3 "    return " gets "math.pi * " appended (incremental range edit).
const INSERT = 'math.pi * ';
const AFTER = BEFORE.replace('    return \n', `    return ${INSERT}\n`);
const CURSOR = { line: 3, character: 4 + 'return '.length + INSERT.length };

describe('splice lsp --stdio', () => {
  let lsp: LspServer;
  let conn: ProtocolConnection;
  let statuses: SpliceStatus[];

  before(() => {
    lsp = LspServer.start();
    conn = lsp.conn;
    statuses = lsp.statuses;
  });

  after(() => lsp.dispose());

  const waitFor = <T>(what: string, f: () => T | undefined | Promise<T | undefined>, ms?: number) => lsp.waitFor(what, f, ms);

  it('initializes with incremental sync and inline completions, then reports the model and device', async () => {
    const init = await lsp.initialize({ modelPath: TINY_MODEL, device: 'cpu', maxTokens: 8, debounceMs: 0, fimFrame: 'exact' });
    assert.equal(init.capabilities.textDocumentSync, 2);
    assert.ok(init.capabilities.inlineCompletionProvider);
    const ready = await waitFor('ready status', () => statuses.find((s) => s.state === 'ready'));
    assert.equal(ready.model, 'tiny-llama');
    assert.equal(ready.device, 'cpu');
  });

  it('completes on the edited text after didOpen + incremental didChange', async () => {
    await conn.sendNotification(DidOpenTextDocumentNotification.type, { textDocument: { uri: URI, languageId: 'python', version: 1, text: BEFORE } });
    await conn.sendNotification(DidChangeTextDocumentNotification.type, {
      textDocument: { uri: URI, version: 2 },
      contentChanges: [{ range: { start: { line: 3, character: 11 }, end: { line: 3, character: 11 } }, text: INSERT }],
    });
    const got = (await conn.sendRequest(InlineCompletionRequest.type, { textDocument: { uri: URI }, position: CURSOR, context: { triggerKind: 2 } })) as InlineCompletionList | null;
    // The same model, device and options in-process (exact frame, byte prompt), on the text the edit should have
    // produced, shaped as the server shapes it (the cursor ends a line: one line).
    const engine = await Engine.open({ modelDir: TINY_MODEL, device: 'cpu' });
    try {
      const offset = AFTER.indexOf(INSERT) + INSERT.length;
      const place = placeOf(AFTER, offset, 'python');
      assert.equal(place.kind, 'line');
      const raw = await engine.complete({ text: AFTER, offset, maxTokens: 8, ...stopsFor(place), promptMode: 'byte' });
      const { item } = shapeCompletion({ text: AFTER, offset, languageId: 'python', completion: raw.completion, stopReason: raw.stopReason, parser: await loadParser('python') });
      assert.ok(raw.completion.length > 0, 'the reference completion is non-empty');
      if (item === null) assert.equal(got, null, `the raw completion ${JSON.stringify(raw.completion)} is shaped away`);
      else {
        assert.ok(got && got.items.length === 1, 'one inline completion item');
        assert.equal(got.items[0]!.insertText, item.text);
        assert.deepEqual(got.items[0]!.range, { start: CURSOR, end: { line: CURSOR.line, character: CURSOR.character + item.replaceSuffix } });
      }
    } finally {
      await engine.close();
    }
  });

  it('a cancelled request and a superseded request return no item; the newest one completes', async () => {
    await conn.sendNotification(DidChangeConfigurationNotification.type, { settings: { splice: { debounceMs: 300 } } });
    // One character left of the last completion's place: no remembered item answers it at once.
    const params: InlineCompletionParams = { textDocument: { uri: URI }, position: { ...CURSOR, character: CURSOR.character - 1 }, context: { triggerKind: 2 } };
    const cancelled = new CancellationTokenSource();
    const t0 = Date.now();
    const p1 = conn.sendRequest(InlineCompletionRequest.type, params, cancelled.token).catch((e: { code?: number }) => e);
    setTimeout(() => cancelled.cancel(), 20);
    const r1 = await p1;
    assert.ok(r1 === null || (r1 as { code?: number }).code === -32800, `cancelled request → null or RequestCancelled, got ${JSON.stringify(r1)}`);
    assert.ok(Date.now() - t0 < 300, 'cancellation ends the debounce early');

    const older = conn.sendRequest(InlineCompletionRequest.type, params);
    const newer = conn.sendRequest(InlineCompletionRequest.type, params);
    assert.equal(await older, null, 'the older request is aborted by the newer one');
    const statsBefore = ((await conn.sendRequest(STATS_REQUEST, { uri: URI })) as DocumentStats[])[0];
    const latest = (await newer) as InlineCompletionList | null;
    // The newest one ran the model; its item may be shaped away (the fixture model's weights are random).
    assert.ok(latest === null || (latest.items.length === 1 && String(latest.items[0]!.insertText).length > 0), JSON.stringify(latest));
    const statsAfter = ((await conn.sendRequest(STATS_REQUEST, { uri: URI })) as DocumentStats[])[0];
    assert.notDeepEqual(statsAfter?.lastCompletion, statsBefore?.lastCompletion, 'the newest request completed');
  });

  it('patches the document cache with PIE on an edit above the cursor and reports it in splice/stats and the status', async () => {
    await conn.sendNotification(DidChangeConfigurationNotification.type, { settings: { splice: { debounceMs: 0 } } });
    await conn.sendNotification(DidChangeTextDocumentNotification.type, {
      textDocument: { uri: URI, version: 3 },
      contentChanges: [{ range: { start: { line: 1, character: 0 }, end: { line: 1, character: 0 } }, text: 'import os\n' }],
    });
    const cursor = { line: CURSOR.line + 1, character: CURSOR.character };
    const got = (await conn.sendRequest(InlineCompletionRequest.type, { textDocument: { uri: URI }, position: cursor, context: { triggerKind: 2 } })) as InlineCompletionList | null;
    assert.ok(got === null || got.items.length === 1, 'at most one item (the fixture model\'s text may be shaped away)');
    const [stats] = (await conn.sendRequest(STATS_REQUEST, { uri: URI })) as DocumentStats[];
    assert.equal(stats?.uri, URI);
    assert.equal(stats!.lastUpdate?.mode, 'pie');
    assert.ok(stats!.lastUpdate!.tokensReencoded > 0 && stats!.lastUpdate!.tokensMoved > 0, JSON.stringify(stats));
    assert.ok(stats!.cachedTokens > 0 && stats!.lastCompletion!.reusedTokens > 0, JSON.stringify(stats));
    const status = await waitFor('a status with cache details', () => statuses.findLast((s) => s.cache?.includes('pie re-encoded')));
    assert.match(status.cache!, /^reused \d+ of \d+ cached tokens · pie re-encoded \d+, moved \d+ in [\d.]+ ms$/);
  });

  it('patches the cache in the background after an edit, without a completion request', async () => {
    const before = ((await conn.sendRequest(STATS_REQUEST, { uri: URI })) as DocumentStats[])[0]!;
    await conn.sendNotification(DidChangeTextDocumentNotification.type, {
      textDocument: { uri: URI, version: 4 },
      contentChanges: [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, text: '# header\n' }],
    });
    const after = await waitFor('a background update', async () => {
      const [s] = (await conn.sendRequest(STATS_REQUEST, { uri: URI })) as DocumentStats[];
      return s && JSON.stringify(s.lastUpdate) !== JSON.stringify(before.lastUpdate) ? s : undefined;
    });
    assert.equal(after.lastUpdate!.mode, 'pie');
    assert.deepEqual(after.lastCompletion, before.lastCompletion, 'no completion ran');
    assert.ok(after.cachedTokens > before.cachedTokens);
  });

  it('a 10 MB document completes from a window around the cursor; a binary document gets no completion', async () => {
    const bigUri = 'file:///tmp/splice-lsp-test/big.py';
    const line = 'value = compute(value, 42)  # a long generated file\n';
    const big = line.repeat(Math.ceil((10 * 1024 * 1024) / line.length));
    await conn.sendNotification(DidOpenTextDocumentNotification.type, { textDocument: { uri: bigUri, languageId: 'python', version: 1, text: big } });
    const lines = big.length / line.length;
    const t0 = Date.now();
    const got = (await conn.sendRequest(InlineCompletionRequest.type, { textDocument: { uri: bigUri }, position: { line: lines - 5, character: 8 }, context: { triggerKind: 2 } })) as InlineCompletionList | null;
    assert.ok(got === null || got.items.length === 1);
    assert.ok(Date.now() - t0 < 20000, `took ${Date.now() - t0} ms`);
    const [stats] = (await conn.sendRequest(STATS_REQUEST, { uri: bigUri })) as DocumentStats[];
    assert.equal(stats?.cachedTokens, 0, 'no session for a document of millions of characters (a window is encoded per completion)');

    const binUri = 'file:///tmp/splice-lsp-test/blob.bin';
    await conn.sendNotification(DidOpenTextDocumentNotification.type, { textDocument: { uri: binUri, languageId: 'plaintext', version: 1, text: 'ELF\u0000\u0001\u0002 binary' } });
    assert.equal(await conn.sendRequest(InlineCompletionRequest.type, { textDocument: { uri: binUri }, position: { line: 0, character: 3 }, context: { triggerKind: 2 } }), null);
  });

  it('a document far longer than the model is cached as a window; an edit 20k tokens above the cursor costs nothing', async () => {
    const longUri = 'file:///tmp/splice-lsp-test/long.py';
    const lines = Array.from({ length: 3000 }, (_, i) => `def handler_${i}(request, limit=${i}):\n    return request.get("key_${i}", limit)\n`);
    const text = lines.join('');
    await conn.sendNotification(DidOpenTextDocumentNotification.type, { textDocument: { uri: longUri, languageId: 'python', version: 1, text } });
    const at = { line: 5800, character: 4 };
    const complete = () => conn.sendRequest(InlineCompletionRequest.type, { textDocument: { uri: longUri }, position: at, context: { triggerKind: 2 } });
    await complete();
    const [first] = (await conn.sendRequest(STATS_REQUEST, { uri: longUri })) as DocumentStats[];
    assert.ok(first!.window && first!.cachedTokens > 0 && first!.window.documentTokens > 10 * first!.cachedTokens, JSON.stringify(first));
    const tokenAtCursor = first!.window.start;
    await conn.sendNotification(DidChangeTextDocumentNotification.type, {
      textDocument: { uri: longUri, version: 2 },
      contentChanges: [{ range: { start: { line: 20, character: 0 }, end: { line: 20, character: 0 } }, text: 'import logging\n' }],
    });
    await complete();
    const [second] = (await conn.sendRequest(STATS_REQUEST, { uri: longUri })) as DocumentStats[];
    assert.equal(second!.lastUpdate?.mode, 'pie', JSON.stringify(second));
    assert.equal(second!.lastUpdate?.tokensReencoded, 0, 'the edit lies outside the cached window');
    assert.ok(second!.window!.start > tokenAtCursor, 'the window shifted with its text');
    assert.ok(second!.lastCompletion!.reusedTokens > 1000, JSON.stringify(second!.lastCompletion));
    assert.match(statuses.at(-1)?.cache ?? '', /window \d+–\d+ of \d+/);
  });

  it('shuts down and exits cleanly', async () => {
    assert.deepEqual(await lsp.shutdown(), { code: 0, signal: null });
  });
});
