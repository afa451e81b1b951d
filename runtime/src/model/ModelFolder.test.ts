// readModelFolder and LanguageModel.load on the fixture and on broken copies: every error names the full file path and field.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, describe, it } from 'node:test';
import * as ort from 'onnxruntime-node';
import { ModelFolderError } from '../errors.js';
import { GraphBuilder } from '../onnx/GraphBuilder.js';
import { lengthDelimited, stringField, wireFields } from '../onnx/protoWire.js';
import { fixtureDir } from '../testing/fixtures.js';
import { LanguageModel } from './LanguageModel.js';
import { readModelFolder } from './ModelFolder.js';

const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'splice-modelfolder-'));
after(() => fs.rmSync(scratch, { recursive: true, force: true }));

let copies = 0;
/** A fresh copy of the tiny-llama fixture in the scratch dir. */
function copyFixture(): string {
  const dir = path.join(scratch, `model-${copies++}`);
  fs.cpSync(fixtureDir('tiny-llama'), dir, { recursive: true });
  return dir;
}

function editJson(file: string, edit: (json: Record<string, unknown>) => void): void {
  const json = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
  edit(json);
  fs.writeFileSync(file, JSON.stringify(json));
}

/** Asserts a ModelFolderError whose `file` is exactly `file`, whose message starts with it and names `field`. */
function isFolderError(file: string, field: string | undefined, problem: RegExp) {
  return (err: unknown) => {
    assert.ok(err instanceof ModelFolderError, `expected ModelFolderError, got ${String(err)}`);
    assert.equal(err.file, file);
    assert.equal(err.field, field);
    assert.ok(err.message.startsWith(file), `message should start with ${file}: ${err.message}`);
    if (field) assert.ok(err.message.includes(`"${field}"`), `message should name ${field}: ${err.message}`);
    assert.match(err.message, problem);
    return true;
  };
}

describe('readModelFolder', () => {
  it('reads the committed tiny-llama fixture', () => {
    const dir = fixtureDir('tiny-llama');
    const folder = readModelFolder(dir);
    assert.equal(folder.dir, path.resolve(dir));
    assert.equal(folder.name, 'tiny-llama');
    assert.equal(folder.onnxPath, path.join(path.resolve(dir), 'onnx', 'model.onnx'));
    assert.equal(folder.config.numLayers, 2);
    assert.equal(folder.config.numKvHeads, 2);
    assert.equal(folder.config.headDim, 16);
    assert.equal(folder.tokenizer.idOf('<|endoftext|>'), 506);
    assert.equal(folder.tokenizer.eosTokenId, 506);
    const ids = folder.tokenizer.encode('def f(x):\n    return x\n');
    assert.ok(ids.length > 0);
    assert.equal(folder.tokenizer.decode(ids), 'def f(x):\n    return x\n');
  });

  it('accepts a relative path and resolves it', () => {
    const dir = copyFixture();
    const folder = readModelFolder(path.relative(process.cwd(), dir));
    assert.equal(folder.dir, dir);
  });

  it('names the path of a missing directory', () => {
    const missing = path.join(scratch, 'no-such-model');
    assert.throws(() => readModelFolder(missing), isFolderError(missing, undefined, /no such directory/));
  });

  it('names the path when given a file instead of a directory', () => {
    const file = path.join(copyFixture(), 'config.json');
    assert.throws(() => readModelFolder(file), isFolderError(file, undefined, /not a model folder/));
  });

  it('names the full path of a missing config.json', () => {
    const dir = copyFixture();
    fs.rmSync(path.join(dir, 'config.json'));
    assert.throws(() => readModelFolder(dir), isFolderError(path.join(dir, 'config.json'), undefined, /missing or unreadable/));
  });

  it('names the full path and field of an invalid config.json field', () => {
    const dir = copyFixture();
    editJson(path.join(dir, 'config.json'), (j) => delete j.hidden_size);
    assert.throws(() => readModelFolder(dir), isFolderError(path.join(dir, 'config.json'), 'hidden_size', /is missing/));
  });

  it('names the full path of a tokenizer_config.json that is not valid JSON', () => {
    const dir = copyFixture();
    fs.writeFileSync(path.join(dir, 'tokenizer_config.json'), '{"eos_token": "<|endoftext|>",');
    assert.throws(() => readModelFolder(dir), isFolderError(path.join(dir, 'tokenizer_config.json'), undefined, /is not valid JSON/));
  });

  it('names the full path of a missing tokenizer.json', () => {
    const dir = copyFixture();
    fs.rmSync(path.join(dir, 'tokenizer.json'));
    assert.throws(() => readModelFolder(dir), isFolderError(path.join(dir, 'tokenizer.json'), undefined, /missing or unreadable/));
  });

  it('names the full path and the "model" field of a tokenizer.json without a model', () => {
    const dir = copyFixture();
    editJson(path.join(dir, 'tokenizer.json'), (j) => delete j.model);
    assert.throws(() => readModelFolder(dir), isFolderError(path.join(dir, 'tokenizer.json'), 'model', /is missing/));
  });

  it('names the full path of onnx/model.onnx when there is no onnx folder', () => {
    const dir = copyFixture();
    fs.rmSync(path.join(dir, 'onnx'), { recursive: true });
    assert.throws(() => readModelFolder(dir), isFolderError(path.join(dir, 'onnx', 'model.onnx'), undefined, /is missing/));
  });

  it('takes the only onnx/model*.onnx when model.onnx is absent, the device rule among several, and refuses several unknown ones', () => {
    const dir = copyFixture();
    const onnxDir = path.join(dir, 'onnx');
    fs.renameSync(path.join(onnxDir, 'model.onnx'), path.join(onnxDir, 'model_q4.onnx'));
    assert.equal(readModelFolder(dir).onnxPath, path.join(onnxDir, 'model_q4.onnx'));
    fs.copyFileSync(path.join(onnxDir, 'model_q4.onnx'), path.join(onnxDir, 'model_fp16.onnx'));
    assert.equal(readModelFolder(dir).variant.variant, 'q4');
    assert.equal(readModelFolder(dir, { device: 'webgpu' }).onnxPath, path.join(onnxDir, 'model_fp16.onnx'));
    assert.equal(readModelFolder(dir, { variant: 'fp16' }).onnxPath, path.join(onnxDir, 'model_fp16.onnx'));
    fs.renameSync(path.join(onnxDir, 'model_q4.onnx'), path.join(onnxDir, 'model_a.onnx'));
    fs.renameSync(path.join(onnxDir, 'model_fp16.onnx'), path.join(onnxDir, 'model_b.onnx'));
    assert.throws(() => readModelFolder(dir), isFolderError(onnxDir, undefined, /several models \(model_a\.onnx, model_b\.onnx\)/));
  });
});

/** A graph with the plain inputs and a logits output but no KV-cache inputs or outputs. */
function graphWithoutKv(): Uint8Array {
  const g = new GraphBuilder('no-kv');
  g.input('input_ids', 'int64', [1, 'n']);
  g.input('attention_mask', 'int64', [1, 't']);
  g.input('position_ids', 'int64', [1, 'n']);
  const a = g.op('Cast', ['input_ids'], { to: 1 });
  const b = g.op('Cast', ['attention_mask'], { to: 1 });
  const c = g.op('Cast', ['position_ids'], { to: 1 });
  const ab = g.op('ReduceSum', [g.op('Add', [a, c]), g.ints([1])], { keepdims: 1 });
  g.op('Add', [ab, g.op('ReduceSum', [b, g.ints([1])], { keepdims: 1 })], undefined, ['logits']);
  g.output('logits', 'float32', [1, 1]);
  return g.toBytes();
}

describe('LanguageModel.load I/O contract', () => {
  it('names the onnx path and "input past_key_values.0.key" for a graph without KV inputs', async () => {
    const dir = copyFixture();
    const onnxPath = path.join(dir, 'onnx', 'model.onnx');
    fs.writeFileSync(onnxPath, graphWithoutKv());
    const folder = readModelFolder(dir);
    await assert.rejects(LanguageModel.load(folder, 'cpu'), isFolderError(onnxPath, 'input past_key_values.0.key', /is missing \(config\.json says 2 layers; the graph's inputs are input_ids, attention_mask, position_ids\)/));
  });

  it('names the first missing layer when config.json says more layers than the graph has', async () => {
    const dir = copyFixture();
    editJson(path.join(dir, 'config.json'), (j) => (j.num_hidden_layers = 3));
    const folder = readModelFolder(dir);
    await assert.rejects(LanguageModel.load(folder, 'cpu'), isFolderError(folder.onnxPath, 'input past_key_values.2.key', /config\.json says 3 layers/));
  });

  it('names the KV input when config.json disagrees with its head count', async () => {
    const dir = copyFixture();
    // 4 KV heads of 16 dims: still divides the 4 attention heads, but the graph's KV tensors have 2 heads.
    editJson(path.join(dir, 'config.json'), (j) => (j.num_key_value_heads = 4));
    const folder = readModelFolder(dir);
    await assert.rejects(LanguageModel.load(folder, 'cpu'), isFolderError(folder.onnxPath, 'input past_key_values.0.key', /config\.json gives 4 KV heads of 16 dims/));
  });

  it('names the onnx path of a file onnxruntime cannot load', async () => {
    const dir = copyFixture();
    const onnxPath = path.join(dir, 'onnx', 'model.onnx');
    fs.writeFileSync(onnxPath, 'not a protobuf');
    await assert.rejects(LanguageModel.load(readModelFolder(dir), 'cpu'), isFolderError(onnxPath, undefined, /cannot be loaded by onnxruntime on cpu/));
  });

  it('releases the onnxruntime session when the graph fails validation', async () => {
    const dir = copyFixture();
    fs.writeFileSync(path.join(dir, 'onnx', 'model.onnx'), graphWithoutKv());
    const folder = readModelFolder(dir);
    const create = ort.InferenceSession.create;
    const created: { released: boolean }[] = [];
    ort.InferenceSession.create = (async (...args: Parameters<typeof create>) => {
      const session = await (create as (...a: unknown[]) => Promise<ort.InferenceSession>)(...args);
      const entry = { released: false };
      created.push(entry);
      const release = session.release.bind(session);
      session.release = async () => {
        entry.released = true;
        await release();
      };
      return session;
    }) as typeof create;
    try {
      await assert.rejects(LanguageModel.load(folder, 'cpu'), ModelFolderError);
    } finally {
      ort.InferenceSession.create = create;
    }
    assert.equal(created.length, 1);
    assert.ok(created[0]!.released, 'the session created for the rejected graph must be released');
  });
});

/** Moves the model's largest initializer into onnx/model.onnx_data (TensorProto data_location EXTERNAL), as big exports do. */
function moveLargestInitializerToExternalData(dir: string): void {
  const onnxPath = path.join(dir, 'onnx', 'model.onnx');
  const model = wireFields(fs.readFileSync(onnxPath));
  const graph = wireFields(model.find((f) => f.id === 7)!.body!);
  const rawOf = (body: Uint8Array) => wireFields(body).find((f) => f.id === 9)?.body?.length ?? 0;
  const largest = graph.filter((f) => f.id === 5).reduce((a, b) => (rawOf(b.body!) > rawOf(a.body!) ? b : a));
  const fields = wireFields(largest.body!);
  const raw = fields.find((f) => f.id === 9)!.body!;
  fs.writeFileSync(path.join(dir, 'onnx', 'model.onnx_data'), raw);
  const entry = (key: string, value: string) => lengthDelimited(13, [stringField(1, key), stringField(2, value)]);
  const tensor = [...fields.filter((f) => f.id !== 9).map((f) => f.raw), ...entry('location', 'model.onnx_data'), ...entry('offset', '0'), ...entry('length', String(raw.length)), Uint8Array.of(0x70, 0x01)];
  const graphChunks = graph.flatMap((f) => (f === largest ? lengthDelimited(5, tensor) : [f.raw]));
  fs.writeFileSync(onnxPath, Buffer.concat(model.flatMap((f) => (f.id === 7 ? lengthDelimited(7, graphChunks) : [f.raw]))));
}

describe('LanguageModel.load with external data', () => {
  it('rewrites it in memory and finds the data beside the file (relative paths from the model folder): only the rows asked for are copied', async () => {
    const dir = copyFixture();
    moveLargestInitializerToExternalData(dir);
    const model = await LanguageModel.load(readModelFolder(dir), 'cpu');
    try {
      assert.equal(model.logitsRows, 'kept');
      const ids = [1, 2, 3, 4, 5];
      const cache = model.newCache();
      const r = await model.forward(ids, ids.map((_, i) => i), cache);
      cache.dispose();
      assert.equal(r.rows, 1);
      assert.equal(model.logitsBytesCopied, r.vocab * 4, 'one row, not one per token');
    } finally {
      await model.release();
    }
  });
});
