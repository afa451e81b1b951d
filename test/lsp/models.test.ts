// The picker's LSP requests against `splice lsp --stdio` and a local hub look-alike: list (disk only), what a pull would
// fetch, a pull with progress notifications whose folder then serves completions, and a pull cancelled mid-download.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CancellationTokenSource, LSPErrorCodes } from 'vscode-languageserver-protocol/node';
import {
  HUB_MODEL_INFO_REQUEST,
  LIST_MODELS_REQUEST,
  PULL_MODEL_REQUEST,
  PULL_PROGRESS_NOTIFICATION,
  type HubModelInfo,
  type ModelList,
  type PullModelResult,
  type PullProgressParams,
} from '../../language-server/src/protocol.js';
import { fixtureDir } from '../../runtime/src/testing/fixtures.js';
import { LocalHub } from '../../runtime/src/testing/localHub.js';
import { LspServer } from './lspHarness.js';

const REPO = 'test-org/tiny-llama';

describe('LSP: models (splice/listModels, splice/hubModelInfo, splice/pullModel)', () => {
  let hub: LocalHub;
  let server: LspServer;
  const models = fs.mkdtempSync(path.join(os.tmpdir(), 'splice-lsp-models-'));

  before(async () => {
    hub = await new LocalHub().add(REPO, fixtureDir('tiny-llama')).start();
    server = LspServer.start();
    await server.initialize({ device: 'cpu', debounceMs: 0 });
  });
  after(async () => {
    await server.shutdown();
    await hub.stop();
    fs.rmSync(models, { recursive: true, force: true });
  });

  it('lists the bundled model and the catalog without touching the network', async () => {
    const list: ModelList = await server.conn.sendRequest(LIST_MODELS_REQUEST, { modelsFolder: models });
    assert.equal(list.modelsDir, models);
    assert.equal(list.bundled.name, 'splice-tiny');
    assert.deepEqual(list.installed, []);
    assert.ok(list.catalog.some((e) => e.repo === 'onnx-community/Qwen2.5-Coder-0.5B-Instruct' && e.variant === 'q4'));
    assert.equal(hub.requests.length, 0);
  });

  it('says what a pull would fetch, then pulls with progress; the pulled folder serves completions', async () => {
    const info: HubModelInfo = await server.conn.sendRequest(HUB_MODEL_INFO_REQUEST, { model: REPO, endpoint: hub.endpoint });
    assert.deepEqual(info.files.map((f) => f.path), ['config.json', 'tokenizer.json', 'tokenizer_config.json', 'onnx/model.onnx']);
    assert.equal(info.bytes, hub.files(REPO).reduce((n, f) => n + f.size, 0));

    const progress: PullProgressParams[] = [];
    const sub = server.conn.onNotification(PULL_PROGRESS_NOTIFICATION, (p: PullProgressParams) => {
      progress.push(p);
    });
    const got: PullModelResult = await server.conn.sendRequest(PULL_MODEL_REQUEST, { model: REPO, endpoint: hub.endpoint, modelsFolder: models });
    sub.dispose();
    assert.equal(got.id, `${REPO}:fp32`);
    assert.equal(got.downloaded, true);
    assert.ok(progress.length >= 1 && progress.at(-1)!.received === info.bytes, `progress: ${JSON.stringify(progress.at(-1))}`);

    const since = server.statuses.length;
    await server.configure({ modelPath: got.dir, device: 'cpu', debounceMs: 0 });
    await server.waitForStatus('ready with the pulled model', (s) => s.state === 'ready' && s.model === 'tiny-llama-fp32', since);
    // The random-weight model's text is often shaped away: a few places, at least one shown item, each carrying the accept command.
    const text = 'import math\n\ndef area(r):\n    return math.pi * \n\nprint(area(2))\nx = \n';
    await server.open('file:///a.py', text);
    const lists = [];
    for (const position of [{ line: 3, character: 21 }, { line: 6, character: 4 }, { line: 5, character: 14 }]) lists.push(await server.complete('file:///a.py', position));
    const items = lists.flatMap((l) => l?.items ?? []);
    assert.ok(items.length > 0, 'the pulled model answered with an item');
    assert.ok(items.every((i) => i.command?.command === 'splice.completionAccepted'), 'items carry the accept command');
  });

  it('a cancelled pull answers RequestCancelled and leaves nothing in the models folder', async () => {
    hub.faults = { bytesPerSecond: 100_000 };
    const fresh = fs.mkdtempSync(path.join(os.tmpdir(), 'splice-lsp-cancel-'));
    const cts = new CancellationTokenSource();
    const sub = server.conn.onNotification(PULL_PROGRESS_NOTIFICATION, (p: PullProgressParams) => {
      if (p.file === 'onnx/model.onnx' && p.received > 0) cts.cancel();
    });
    await assert.rejects(server.conn.sendRequest(PULL_MODEL_REQUEST, { model: REPO, endpoint: hub.endpoint, modelsFolder: fresh }, cts.token), (err: { code?: number }) => err.code === LSPErrorCodes.RequestCancelled);
    sub.dispose();
    hub.faults = {};
    await server.waitFor('the temporary folder to go', () => (fs.readdirSync(fresh).every((d) => d === '.partial') && (!fs.existsSync(path.join(fresh, '.partial')) || fs.readdirSync(path.join(fresh, '.partial')).length === 0) ? true : undefined), 5000);
    assert.equal(fs.existsSync(path.join(fresh, 'test-org')), false);
    fs.rmSync(fresh, { recursive: true, force: true });
  });

  it('a gated model without a token is an error message that says to set HF_TOKEN', async () => {
    hub.faults = { token: 'hf_x' };
    await assert.rejects(server.conn.sendRequest(PULL_MODEL_REQUEST, { model: REPO, endpoint: hub.endpoint, modelsFolder: models, token: '' }), /401 — the model is gated or private: set HF_TOKEN/);
    hub.faults = {};
  });
});
