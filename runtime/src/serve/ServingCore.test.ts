// ServingCore: never down — bad folders, reloads during a completion, folders fixed in place, documents closed mid-sync.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { fixtureDir } from '../testing/fixtures.js';
import { ServingCore, type CoreStatus, type ServeSettings } from './ServingCore.js';

const TINY = fixtureDir('tiny-llama');
const TEXT = Array.from({ length: 400 }, (_, i) => `def f${i}(x):\n    return x * ${i}\n`).join('');
const settings = (over: Partial<ServeSettings> = {}): ServeSettings => ({ modelPath: TINY, device: 'cpu', maxTokens: 8, cacheMode: 'pie', fimFrame: 'edit', promptMode: 'byte', toolGuided: false, toolBudgetMs: 200, ...over });

function coreWithLog(): { core: ServingCore; log: CoreStatus[]; until: (state: CoreStatus['state']) => Promise<CoreStatus> } {
  const log: CoreStatus[] = [];
  const waiters: (() => void)[] = [];
  const core = new ServingCore((s) => {
    log.push(s);
    waiters.splice(0).forEach((w) => w());
  });
  const until = async (state: CoreStatus['state']) => {
    while (log.at(-1)?.state !== state) await new Promise<void>((r) => waiters.push(r));
    return log.at(-1)!;
  };
  return { core, log, until };
}

describe('ServingCore', () => {
  it('splice.modelVariant reloads the engine with that graph; the ready status names the graph', async () => {
    const { core, until } = coreWithLog();
    const quantized = fixtureDir('quantized');
    core.configure(settings({ modelPath: quantized }));
    assert.match((await until('ready')).detail ?? '', /; graph model_q4\.onnx$/);
    core.configure(settings({ modelPath: quantized, modelVariant: 'int8' }));
    await until('loading');
    assert.match((await until('ready')).detail ?? '', /; graph model_int8\.onnx$/);
    assert.ok(await core.complete('a', { text: TEXT, offset: 100 }));
    core.configure(settings({ modelPath: quantized, modelVariant: 'fp16' }));
    assert.match((await until('error')).detail ?? '', /has no model_fp16\.onnx for the requested variant "fp16"/);
    await core.shutdown();
  });

  it('splice.decoderGraph reloads the engine with that decoder graph; the ready status names it', async () => {
    const { core, until } = coreWithLog();
    core.configure(settings());
    assert.match((await until('ready')).detail ?? '', /; decoder fused; /);
    core.configure(settings({ graph: 'reference' }));
    await until('loading');
    assert.match((await until('ready')).detail ?? '', /; decoder reference \(chosen\); /);
    assert.ok(await core.complete('a', { text: TEXT, offset: 100 }));
    await core.shutdown();
  });

  it('a bad model path after a good load reports an error; completions answer undefined; the good path recovers', async () => {
    const { core, until } = coreWithLog();
    core.configure(settings());
    await until('ready');
    assert.ok(await core.complete('a', { text: TEXT, offset: 100 }));
    core.configure(settings({ modelPath: '/nonexistent/model' }));
    assert.match((await until('error')).detail ?? '', /nonexistent/);
    assert.equal(await core.complete('a', { text: TEXT, offset: 100 }), undefined);
    await core.sync('a', TEXT + '# edit\n');
    core.configure(settings());
    await until('ready');
    assert.ok(await core.complete('a', { text: TEXT, offset: 100 }));
    await core.shutdown();
  });

  it('a folder fixed in place is loaded again on the next completion, without new settings', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'splice-fix-'));
    fs.cpSync(TINY, dir, { recursive: true });
    const cfg = path.join(dir, 'config.json');
    const good = fs.readFileSync(cfg, 'utf8');
    fs.writeFileSync(cfg, '{ broken');
    const { core, until } = coreWithLog();
    core.configure(settings({ modelPath: dir }));
    assert.match((await until('error')).detail ?? '', /config\.json/);
    fs.writeFileSync(cfg, good);
    const r = await core.complete('a', { text: TEXT, offset: 100 });
    assert.ok(r, 'loaded again once the folder changed');
    await core.shutdown();
  });

  it('a model change during a long completion lets it end, then completes on the new model', async () => {
    const { core, until } = coreWithLog();
    core.configure({ ...settings(), maxTokens: 400 });
    await until('ready');
    const running = core.complete('a', { text: TEXT, offset: TEXT.length });
    await new Promise((r) => setTimeout(r, 50));
    core.configure(settings({ modelPath: fixtureDir('qwen2-style') }));
    const first = await running; // aborted (undefined) or finished — never a crash
    assert.ok(first === undefined || typeof first.completion === 'string');
    await until('ready');
    const r = await core.complete('a', { text: TEXT, offset: 100 });
    assert.ok(r);
    await core.shutdown();
  });

  it('a document closed during its background sync has no session and no stats afterwards', async () => {
    const { core, until } = coreWithLog();
    core.configure(settings());
    await until('ready');
    await core.complete('doc', { text: TEXT, offset: 200 });
    assert.equal(core.stats('doc').length, 1);
    const sync = core.sync('doc', `# a big change\n${TEXT.replaceAll('return', 'yield')}`);
    const closed = core.close('doc');
    await Promise.all([sync, closed]);
    assert.deepEqual(core.stats('doc'), []);
    await core.sync('doc', TEXT);
    assert.deepEqual(core.stats('doc'), [], 'a sync after close brings nothing back');
    core.opened('doc');
    await core.complete('doc', { text: TEXT, offset: 200 });
    assert.equal(core.stats('doc').length, 1, 'reopened, it gets a session again');
    await core.shutdown();
  });

  it('opening documents makes no sessions; only completions (and warm-ups) do, at most a window each', async () => {
    const { core, until } = coreWithLog();
    core.configure(settings());
    await until('ready');
    for (let i = 0; i < 5; i++) await core.sync(`other-${i}`, TEXT);
    assert.deepEqual(core.stats(), []);
    await core.warm('shown', TEXT, 0);
    const [s] = core.stats('shown');
    assert.ok(s && s.cachedTokens > 0 && s.window!.documentTokens >= s.cachedTokens);
    await core.shutdown();
  });
});
