// PIE exactness against full recomputation, for every fixture RoPE variant, on CPU and WebGPU.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import type { DeviceKind } from '../device/Device.js';
import { prefill } from '../generate/generate.js';
import { KvOps } from '../kv/KvOps.js';
import { LanguageModel } from '../model/LanguageModel.js';
import { readModelFolder } from '../model/ModelFolder.js';
import { devicesUnderTest, fixtureDir, FIXTURES, loadFixture, maxAbsDiff, type FixtureName } from '../testing/fixtures.js';
import { DocumentSession } from './DocumentSession.js';
import type { TextEdit } from './tokenDiff.js';
import type { UpdateMode } from './updatePolicy.js';

const TEXT = [
  'import os',
  '',
  'def read_config(path):',
  '    with open(path) as f:',
  '        return f.read()',
  '',
  'class Cache:',
  '    def __init__(self, size):',
  '        self.size = size',
  '        self.items = {}',
  '',
  '    def get(self, key):',
  '        return self.items.get(key)',
  '',
].join('\n');
const MIDDLE = TEXT.indexOf('class Cache');
const INSERTED = '# a new comment line\nDEBUG = False\n';

interface Ctx {
  model: LanguageModel;
  ops: KvOps;
}

async function withModel(name: FixtureName, device: DeviceKind, f: (c: Ctx) => Promise<void>): Promise<void> {
  const model = await loadFixture(name, device);
  const ops = new KvOps(device, model.kvShape, model.folder.config.rope);
  try {
    await f({ model, ops });
  } finally {
    await ops.release();
    await model.release();
  }
}

/** Largest |difference| between two sessions' keys and values over the given layers. */
async function cacheDiff(c: Ctx, a: DocumentSession, b: DocumentSession, layers: number[]): Promise<{ keys: number; values: number }> {
  assert.deepEqual(a.ids, b.ids, 'same token ids');
  let keys = 0;
  let values = 0;
  for (const l of layers) {
    const x = await c.ops.readLayer(a.kvCache, l);
    const y = await c.ops.readLayer(b.kvCache, l);
    keys = Math.max(keys, maxAbsDiff(x.key, y.key));
    values = Math.max(values, maxAbsDiff(x.value, y.value));
  }
  return { keys, values };
}

async function editedVsFull(c: Ctx, edits: TextEdit[], mode: UpdateMode, layers: number[]) {
  const patched = await DocumentSession.open(c.model, c.ops, TEXT);
  const stats = await patched.update(edits, mode);
  const full = await DocumentSession.open(c.model, c.ops, patched.text);
  try {
    return { stats, diff: await cacheDiff(c, patched, full, layers) };
  } finally {
    patched.dispose();
    full.dispose();
  }
}

describe('DocumentSession (PIE)', async () => {
  for (const { device, skip } of await devicesUnderTest()) {
    for (const name of FIXTURES) {
      const tol = name === 'fp16-kv' ? 4e-3 : 2e-5;
      const allLayers = [0, 1];
      it(`${name} on ${device}: trailing deletion and append equal full recomputation in every layer`, { skip }, async (t) => {
        await withModel(name, device, async (c) => {
          const del = await editedVsFull(c, [{ start: TEXT.length - 30, end: TEXT.length, text: '' }], 'pie', allLayers);
          assert.equal(del.stats.mode, 'pie');
          assert.ok(del.diff.keys < tol && del.diff.values < tol, `deletion: ${JSON.stringify(del.diff)}`);
          const app = await editedVsFull(c, [{ start: TEXT.length, end: TEXT.length, text: '    def put(self, key, value):\n' }], 'pie', allLayers);
          assert.ok(app.diff.keys < tol && app.diff.values < tol, `append: ${JSON.stringify(app.diff)}`);
          t.diagnostic(`deletion ${JSON.stringify(del.diff)}; append ${JSON.stringify(app.diff)}`);
        });
      });

      it(`${name} on ${device}: layer-0 keys and values equal full recomputation after insertion, deletion and multi-place edits`, { skip }, async (t) => {
        await withModel(name, device, async (c) => {
          const cases: TextEdit[][] = [
            [{ start: MIDDLE, end: MIDDLE, text: INSERTED }],
            [{ start: TEXT.indexOf('def read_config'), end: TEXT.indexOf('class Cache'), text: '' }],
            [
              { start: 0, end: 9, text: 'import sys, os' },
              { start: MIDDLE + 6, end: MIDDLE + 11, text: 'LruCache' },
              { start: TEXT.indexOf('self.items = {}') + 13, end: TEXT.indexOf('self.items = {}') + 15, text: 'dict()' },
            ],
          ];
          for (const edits of cases) {
            const { stats, diff } = await editedVsFull(c, edits, 'pie', [0]);
            assert.equal(stats.mode, 'pie', stats.reason);
            assert.ok(diff.keys < tol && diff.values < tol, `${JSON.stringify(edits)}: ${JSON.stringify(diff)}`);
            t.diagnostic(`${edits.length} edit(s): layer 0 ${JSON.stringify(diff)}`);
          }
        });
      });

      it(`${name} on ${device}: insert then delete restores every key and value`, { skip }, async (t) => {
        await withModel(name, device, async (c) => {
          const original = await DocumentSession.open(c.model, c.ops, TEXT);
          const edited = await DocumentSession.open(c.model, c.ops, TEXT);
          await edited.update([{ start: MIDDLE, end: MIDDLE, text: INSERTED }]);
          const back = await edited.update([{ start: MIDDLE, end: MIDDLE + INSERTED.length, text: '' }]);
          assert.equal(back.mode, 'pie');
          assert.equal(edited.text, TEXT);
          const diff = await cacheDiff(c, edited, original, allLayers);
          t.diagnostic(`restored ${JSON.stringify(diff)}`);
          assert.ok(diff.keys < tol && diff.values < tol, JSON.stringify(diff));
          original.dispose();
          edited.dispose();
        });
      });
    }

    it(`conflict mode on ${device} leaves suffix keys at stale positions (the baseline PIE fixes)`, { skip }, async () => {
      await withModel('tiny-llama', device, async (c) => {
        const { diff } = await editedVsFull(c, [{ start: MIDDLE, end: MIDDLE, text: INSERTED }], 'conflict', [0]);
        assert.ok(diff.keys > 1e-2, `conflict keys should differ, got ${diff.keys}`);
        assert.ok(diff.values < 2e-5, 'values carry no position');
      });
    });
  }

  it('falls back to full re-encoding when an edit touches most of the document, and says why', async () => {
    await withModel('tiny-llama', 'cpu', async (c) => {
      const s = await DocumentSession.open(c.model, c.ops, TEXT);
      const stats = await s.update([{ start: 0, end: TEXT.length - 5, text: 'x = 1\n' }], 'pie');
      assert.equal(stats.mode, 'full');
      assert.match(stats.reason ?? '', /touches \d+ of \d+ tokens/);
      const full = await DocumentSession.open(c.model, c.ops, s.text);
      assert.deepEqual(await cacheDiff(c, s, full, [0, 1]), { keys: 0, values: 0 });
      s.dispose();
      full.dispose();
    });
  });
});

describe('DocumentSession under an NFC tokenizer (qwen2-style)', () => {
  it('an edit that writes a decomposed character is refused with the reason, and the session stays as it was', async () => {
    await withModel('qwen2-style', 'cpu', async (c) => {
      const s = await DocumentSession.open(c.model, c.ops, TEXT);
      const ids = s.ids;
      const at = TEXT.indexOf('Cache:') + 5;
      await assert.rejects(s.update([{ start: at, end: at, text: 'e\u0301' }]), /no token offsets for this text: the tokenizer's NFC normalizer changes the text/);
      assert.equal(s.text, TEXT);
      assert.deepEqual(s.ids, ids);
      const stats = await s.update([{ start: at, end: at, text: '\u00e9' }]);
      assert.equal(stats.mode, 'pie', 'the composed character is an ordinary PIE edit');
      s.dispose();
    });
  });
});

describe('DocumentSession with a length-dependent RoPE scaling', () => {
  const scalings = [
    { rope_scaling: { type: 'dynamic', factor: 2 }, reason: /"dynamic" cannot be re-rotated by PIE: its frequencies change with the sequence length/ },
    {
      rope_scaling: { type: 'longrope', short_factor: [1, 1, 1, 1, 1, 1, 1, 1], long_factor: [1, 1, 2, 2, 4, 4, 8, 8], original_max_position_embeddings: 1024 },
      reason: /"longrope" switches from short to long factors with the sequence length/,
    },
  ];
  for (const { rope_scaling, reason } of scalings) {
    it(`${rope_scaling.type}: falls back to full re-encoding and says why`, async () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), `splice-${rope_scaling.type}-`));
      fs.cpSync(fixtureDir('tiny-llama'), dir, { recursive: true });
      const cfgPath = path.join(dir, 'config.json');
      fs.writeFileSync(cfgPath, JSON.stringify({ ...JSON.parse(fs.readFileSync(cfgPath, 'utf8')), rope_scaling }));
      const model = await LanguageModel.load(readModelFolder(dir), 'cpu');
      const ops = new KvOps('cpu', model.kvShape, model.folder.config.rope);
      try {
        const s = await DocumentSession.open(model, ops, TEXT);
        const stats = await s.update([{ start: MIDDLE, end: MIDDLE, text: INSERTED }], 'pie');
        assert.equal(stats.mode, 'full');
        assert.match(stats.reason ?? '', reason);
        await assert.rejects(ops.rotateKeys(s.kvCache, 3), /cannot rotate cached keys/);
        s.dispose();
      } finally {
        await ops.release();
        await model.release();
      }
    });
  }
});

describe('DocumentSession after a failed patch', () => {
  it('forgets the half-patched cache, rethrows, and the next sync re-encodes the whole text', async () => {
    const model = await loadFixture('tiny-llama', 'cpu');
    const ops = new KvOps('cpu', model.kvShape, model.folder.config.rope);
    try {
      const s = await DocumentSession.open(model, ops, TEXT);
      const splice = ops.splice.bind(ops);
      ops.splice = async () => {
        throw new Error('device lost');
      };
      await assert.rejects(s.update([{ start: MIDDLE, end: MIDDLE, text: INSERTED }]), /device lost/);
      assert.equal(s.text, '');
      assert.equal(s.kvCache.length, 0);
      ops.splice = splice;
      const healed = await s.syncTo(TEXT);
      assert.equal(healed?.mode, 'full');
      const fresh = await DocumentSession.open(model, ops, TEXT);
      assert.deepEqual(s.ids, fresh.ids);
      assert.equal(maxAbsDiff((await ops.readLayer(s.kvCache, 1)).key, (await ops.readLayer(fresh.kvCache, 1)).key), 0);
      s.dispose();
      fresh.dispose();
    } finally {
      await ops.release();
      await model.release();
    }
  });
});

describe('DocumentSession with a window (documents longer than the cache)', () => {
  const LONG = Array.from({ length: 60 }, (_, i) => `def f${i}(x):\n    return x * ${i} + ${i * 7}\n\n`).join('');
  const at = (s: string, k = 0) => Buffer.byteLength(LONG.slice(0, LONG.indexOf(s) + k), 'utf8');

  /** The window's ids encoded from scratch, and the largest |difference| of the session's rows from them. */
  async function vsFresh(c: Ctx, s: DocumentSession, layers: number[]): Promise<{ keys: number; values: number }> {
    const ref = c.model.newCache();
    await prefill(c.model, s.ids, ref);
    let keys = 0;
    let values = 0;
    for (const l of layers) {
      const x = await c.ops.readLayer(s.kvCache, l);
      const y = await c.ops.readLayer(ref, l);
      keys = Math.max(keys, maxAbsDiff(x.key, y.key));
      values = Math.max(values, maxAbsDiff(x.value, y.value));
    }
    ref.dispose();
    return { keys, values };
  }

  /** The window's ids are the re-tokenized text's tokens [start, end). */
  function idsAreWindow(c: Ctx, s: DocumentSession): void {
    const all = c.model.folder.tokenizer.encode(s.text);
    assert.deepEqual(s.ids, all.slice(s.window.start, s.window.end));
  }

  it('caches only a window around the focus, and its rows are the encoding of the window from scratch', async () => {
    await withModel('tiny-llama', 'cpu', async (c) => {
      const s = await DocumentSession.open(c.model, c.ops, LONG, { windowTokens: 200, focusByte: at('def f30') });
      const w = s.window;
      assert.ok(w.end - w.start <= 200 && w.end - w.start >= 170, JSON.stringify(w));
      assert.ok(s.tokens.tokenAt(at('def f30')) > w.start && s.tokens.tokenAt(at('def f30')) < w.end);
      assert.equal(s.kvCache.length, w.end - w.start);
      idsAreWindow(c, s);
      assert.deepEqual(await vsFresh(c, s, [0, 1]), { keys: 0, values: 0 });
      s.dispose();
    });
  });

  it('an edit far above the window re-encodes nothing and leaves the rows as they were; the window shifts with its text', async () => {
    await withModel('tiny-llama', 'cpu', async (c) => {
      const s = await DocumentSession.open(c.model, c.ops, LONG, { windowTokens: 200, focusByte: at('def f50') });
      const before = s.ids;
      const keys = (await c.ops.readLayer(s.kvCache, 1)).key;
      const stats = await s.update([{ start: LONG.indexOf('def f2('), end: LONG.indexOf('def f2('), text: '# a comment above\nimport sys\n' }]);
      idsAreWindow(c, s);
      assert.equal(stats.mode, 'pie');
      assert.equal(stats.tokensReencoded, 0);
      assert.deepEqual(s.ids, before);
      assert.ok(s.window.start > 0);
      assert.equal(maxAbsDiff((await c.ops.readLayer(s.kvCache, 1)).key, keys), 0);
      s.dispose();
    });
  });

  for (const { device, skip } of [{ device: 'cpu' as DeviceKind, skip: false }]) {
    it(`on ${device}: moving the focus slides the window as a PIE edit (head dropped, keys rotated, tail encoded) — layer 0 exact`, { skip }, async (t) => {
      await withModel('tiny-llama', device, async (c) => {
        const s = await DocumentSession.open(c.model, c.ops, LONG, { windowTokens: 200, focusByte: at('def f20') });
        const w0 = s.window;
        const stats = await s.focus(at('def f26'));
        assert.ok(stats, 'the window moved');
        assert.equal(stats!.mode, 'pie');
        const w1 = s.window;
        assert.ok(w1.start > w0.start && w1.start < w0.end, `${JSON.stringify(w0)} → ${JSON.stringify(w1)}`);
        assert.equal(stats!.tokensReencoded, w1.end - w0.end, 'only the new tail is encoded');
        assert.equal(stats!.windowMoved, w1.start - w0.start);
        idsAreWindow(c, s);
        const diff = await vsFresh(c, s, [0]);
        t.diagnostic(`slide by ${w1.start - w0.start}: layer 0 ${JSON.stringify(diff)}`);
        assert.ok(diff.keys < 2e-5 && diff.values < 2e-5, JSON.stringify(diff));
        assert.equal(await s.focus(at('def f26')), undefined, 'a window that serves the focus stays');
        s.dispose();
      });
    });
  }

  it('a paste far larger than the window re-encodes at most the window', async () => {
    await withModel('tiny-llama', 'cpu', async (c) => {
      const s = await DocumentSession.open(c.model, c.ops, LONG, { windowTokens: 200, focusByte: at('def f30') });
      const paste = LONG.slice(0, 4000);
      const offset = LONG.indexOf('def f30');
      const stats = await s.update([{ start: offset, end: offset, text: paste }], 'pie', Buffer.byteLength(LONG.slice(0, offset) + paste, 'utf8'));
      assert.ok(stats.tokensReencoded <= 200, JSON.stringify(stats));
      assert.ok(s.kvCache.length <= 200);
      assert.equal(s.text, LONG.slice(0, offset) + paste + LONG.slice(offset));
      idsAreWindow(c, s);
      s.dispose();
    });
  });

  it('typing at the cursor grows the window until it is trimmed at the head, never past its limit', async () => {
    await withModel('tiny-llama', 'cpu', async (c) => {
      let text = LONG;
      const s = await DocumentSession.open(c.model, c.ops, text, { windowTokens: 200, focusByte: at('def f30') });
      let offset = LONG.indexOf('def f30');
      for (let i = 0; i < 40; i++) {
        const typed = `v${i} = ${i}\n`;
        text = text.slice(0, offset) + typed + text.slice(offset);
        offset += typed.length;
        const stats = await s.syncTo(text, 'pie', Buffer.byteLength(text.slice(0, offset), 'utf8'));
        assert.equal(stats?.mode, 'pie', stats?.reason);
        assert.ok(s.kvCache.length <= 200, `rows ${s.kvCache.length}`);
      }
      idsAreWindow(c, s);
      s.dispose();
    });
  });
});
