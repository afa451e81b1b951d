// Engine end to end on the tiny-llama fixture (CPU): FIM completion at a cursor, aborts, streaming and input checks.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { ModelFolderError, SpliceError } from '../errors.js';
import { fixtureDir, SAMPLE_CODE } from '../testing/fixtures.js';
import { Engine } from './Engine.js';

const TEXT = SAMPLE_CODE;
const OFFSET = TEXT.indexOf('3.14159');

async function withEngine(f: (engine: Engine) => Promise<void>): Promise<void> {
  const engine = await Engine.open({ modelDir: fixtureDir('tiny-llama'), device: 'cpu' });
  try {
    await f(engine);
  } finally {
    await engine.close();
  }
}

function inputError(pattern: RegExp) {
  return (err: unknown) => {
    assert.ok(err instanceof SpliceError, `expected SpliceError, got ${String(err)}`);
    assert.equal(err.code, 'input');
    assert.match(err.message, pattern);
    return true;
  };
}

describe('Engine (tiny-llama, cpu)', () => {
  it('info() reports the model, cpu and the tokenizer_config FIM family', async () => {
    await withEngine(async (engine) => {
      const info = engine.info();
      assert.equal(info.model, 'tiny-llama');
      assert.equal(info.modelDir, fixtureDir('tiny-llama'));
      assert.equal(info.device, 'cpu');
      assert.match(info.deviceReason, /cpu/);
      assert.equal(info.fimFamily, 'tokenizer_config');
      assert.equal(info.layers, 2);
      assert.equal(info.kvDtype, 'float32');
      assert.equal(info.logitsRows, 'kept');
    });
  });

  it('completes at a mid-file offset within maxTokens, deterministically when greedy', async () => {
    await withEngine(async (engine) => {
      const r = await engine.complete({ text: TEXT, offset: OFFSET, maxTokens: 8 });
      assert.equal(typeof r.completion, 'string');
      assert.ok(r.generatedTokens >= 0 && r.generatedTokens <= 8, `generatedTokens = ${r.generatedTokens}`);
      assert.ok(['stop-token', 'max-tokens', 'stop-sequence'].includes(r.stopReason), r.stopReason);
      if (r.stopReason === 'max-tokens') assert.equal(r.generatedTokens, 8);
      // prompt = FIM prefix token + prefix + suffix token + suffix + middle token
      const { tokenizer } = engine.model.folder;
      assert.equal(r.promptTokens, tokenizer.encode(TEXT.slice(0, OFFSET)).length + tokenizer.encode(TEXT.slice(OFFSET)).length + 3);
      assert.ok(r.ms >= 0);
      const again = await engine.complete({ text: TEXT, offset: OFFSET, maxTokens: 8 });
      assert.equal(again.completion, r.completion);
      assert.equal(again.generatedTokens, r.generatedTokens);
    });
  });

  it('an already-aborted signal returns stopReason "aborted" promptly with no tokens', async () => {
    await withEngine(async (engine) => {
      const controller = new AbortController();
      controller.abort();
      const started = performance.now();
      const r = await engine.complete({ text: TEXT, offset: OFFSET, maxTokens: 64, signal: controller.signal });
      assert.equal(r.stopReason, 'aborted');
      assert.equal(r.completion, '');
      assert.equal(r.generatedTokens, 0);
      assert.ok(performance.now() - started < 1000, 'an aborted request must not run the model');
    });
  });

  it('an abort during generation stops it early', async () => {
    await withEngine(async (engine) => {
      const controller = new AbortController();
      const deltas: string[] = [];
      const r = await engine.complete({
        text: TEXT,
        offset: OFFSET,
        maxTokens: 64,
        sampling: { temperature: 1, topP: 1, seed: 3 },
        signal: controller.signal,
        onText: (d) => {
          deltas.push(d);
          controller.abort();
        },
      });
      // A stop token may end it first; otherwise the abort lands right after the first streamed delta.
      if (r.stopReason !== 'stop-token') {
        assert.equal(r.stopReason, 'aborted');
        assert.deepEqual(deltas.length, 1, 'no text is streamed after the abort');
        assert.equal(r.completion, deltas[0], 'an abort returns the text streamed so far');
        assert.ok(r.generatedTokens >= 1 && r.generatedTokens < 64);
      }
    });
  });

  it('onText deltas concatenate to a prefix of the completion', async () => {
    await withEngine(async (engine) => {
      for (const seed of [1, 2, 3]) {
        const deltas: string[] = [];
        const r = await engine.complete({
          text: TEXT,
          offset: OFFSET,
          maxTokens: 16,
          sampling: { temperature: 1, topP: 1, seed },
          onText: (d) => deltas.push(d),
        });
        assert.ok(deltas.every((d) => d.length > 0), 'no empty deltas');
        assert.ok(r.completion.startsWith(deltas.join('')), `seed ${seed}: streamed ${JSON.stringify(deltas.join(''))}, completion ${JSON.stringify(r.completion)}`);
      }
    });
  });

  it('cuts the completion before a stop sequence', async () => {
    await withEngine(async (engine) => {
      const sampling = { temperature: 1, topP: 1, seed: 5 };
      const free = await engine.complete({ text: TEXT, offset: OFFSET, maxTokens: 16, sampling });
      const stop = [...free.completion].find((c, i) => i > 0 && c !== '\uFFFD');
      assert.ok(stop, `the fixture should generate at least two characters here (got ${JSON.stringify(free.completion)})`);
      const cut = await engine.complete({ text: TEXT, offset: OFFSET, maxTokens: 16, sampling, stopSequences: [stop] });
      assert.equal(cut.stopReason, 'stop-sequence');
      assert.equal(cut.completion, free.completion.slice(0, free.completion.indexOf(stop)));
    });
  });

  it('completes at the start and at the end of the text', async () => {
    await withEngine(async (engine) => {
      for (const offset of [0, TEXT.length]) {
        const r = await engine.complete({ text: TEXT, offset, maxTokens: 2 });
        assert.ok(r.generatedTokens <= 2);
      }
    });
  });

  it('Engine.open names the full tokenizer_config.json path of a FIM token missing from the vocab', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'splice-engine-'));
    try {
      fs.cpSync(fixtureDir('tiny-llama'), dir, { recursive: true });
      const file = path.join(dir, 'tokenizer_config.json');
      const config = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
      config.fim_prefix_token = '<|no_such_token|>';
      fs.writeFileSync(file, JSON.stringify(config));
      await assert.rejects(Engine.open({ modelDir: dir, device: 'cpu' }), (err: unknown) => {
        assert.ok(err instanceof ModelFolderError);
        assert.equal(err.field, 'fim_prefix_token');
        assert.equal(err.file, file);
        return true;
      });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses offsets outside the text and a non-positive maxTokens with SpliceError("input")', async () => {
    await withEngine(async (engine) => {
      for (const offset of [-1, TEXT.length + 1, 1.5, NaN]) {
        await assert.rejects(engine.complete({ text: TEXT, offset, maxTokens: 4 }), inputError(new RegExp(`cursor offset ${offset} is outside the text \\(0\\.\\.${TEXT.length}\\)`)));
      }
      for (const maxTokens of [0, -3, 2.5]) {
        await assert.rejects(engine.complete({ text: TEXT, offset: OFFSET, maxTokens }), inputError(new RegExp(`maxTokens must be a positive integer \\(got ${maxTokens}\\)`)));
      }
    });
  });
});

describe('Engine.open picks the ONNX variant', () => {
  it('auto takes the next graph in the device order when the preferred one cannot be loaded, and says why', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'splice-variants-'));
    fs.cpSync(fixtureDir('tiny-llama'), dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'onnx', 'model_q4.onnx'), 'not an onnx model');
    const engine = await Engine.open({ modelDir: dir, device: 'cpu' });
    try {
      const info = engine.info();
      assert.equal(info.variant, 'model.onnx');
      assert.match(info.variantReason, /^fp32 \(model\.onnx\), of model\.onnx, model_q4\.onnx; .*; not loaded first: model_q4\.onnx \(cannot be loaded by onnxruntime on cpu: /);
      assert.ok((await engine.complete({ text: TEXT, offset: OFFSET, maxTokens: 2 })).generatedTokens > 0);
    } finally {
      await engine.close();
    }
    await assert.rejects(Engine.open({ modelDir: dir, device: 'cpu', variant: 'q4' }), (e: unknown) => e instanceof ModelFolderError && /model_q4\.onnx: cannot be loaded by onnxruntime on cpu/.test(e.message), 'a requested variant is not replaced');
  });
});
