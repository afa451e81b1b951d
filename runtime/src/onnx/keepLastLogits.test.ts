// keepLastLogits: the rewritten graph gives the last k rows of the original logits, and every field it does not edit keeps its bytes.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import * as ort from 'onnxruntime-node';
import { fixtureDir } from '../testing/fixtures.js';
import { GraphBuilder } from './GraphBuilder.js';
import { KEEP_INPUT, keepLastLogits, type KeepLogits } from './keepLastLogits.js';
import { lengthDelimited, stringField, wireFields, type WireField } from './protoWire.js';

const HIDDEN = 3;
const VOCAB = 5;
const ROWS = 4;

/** x [1, seq, HIDDEN] → MatMul(W) → `tail` (which must produce `logits`). */
function headModel(tail: (g: GraphBuilder, h: string) => void): Uint8Array {
  const g = new GraphBuilder('head');
  const x = g.input('x', 'float32', [1, 'seq', HIDDEN]);
  const w = g.floats(Array.from({ length: HIDDEN * VOCAB }, (_, i) => Math.sin(i + 1)), [HIDDEN, VOCAB]);
  tail(g, g.op('MatMul', [x, w]));
  g.output('logits', 'float32', [1, 'seq', VOCAB]);
  return g.toBytes();
}

/** Appends raw fields to the model (top level) and to its graph. */
function withExtraFields(bytes: Uint8Array, modelExtra: Uint8Array[], graphExtra: Uint8Array[]): Uint8Array {
  const chunks = wireFields(bytes).flatMap((f) => (f.id === 7 ? lengthDelimited(7, [f.body!, ...graphExtra]) : [f.raw]));
  return Buffer.concat([...chunks, ...modelExtra]);
}

function valueInfoField(name: string): Uint8Array {
  return Buffer.concat(lengthDelimited(13, [stringField(1, name)]));
}

const X = Float32Array.from({ length: ROWS * HIDDEN }, (_, i) => Math.cos(i));

async function logitsOf(model: Uint8Array, keep?: number): Promise<ort.Tensor> {
  const session = await ort.InferenceSession.create(model, { logSeverityLevel: 3 });
  try {
    const feeds: Record<string, ort.Tensor> = { x: new ort.Tensor('float32', X, [1, ROWS, HIDDEN]) };
    if (keep !== undefined) feeds[KEEP_INPUT] = new ort.Tensor('int64', BigInt64Array.of(BigInt(keep)), [1]);
    return (await session.run(feeds)).logits as ort.Tensor;
  } finally {
    await session.release();
  }
}

function rewritten(r: KeepLogits): Extract<KeepLogits, { kind: 'rewritten' }> {
  assert.equal(r.kind, 'rewritten', JSON.stringify(r));
  return r as Extract<KeepLogits, { kind: 'rewritten' }>;
}

/** The last k rows of the original equal the rewritten model's output for k = 1, 2 and all rows for k = 0. */
async function assertKeepsLastRows(original: Uint8Array, bytes: Uint8Array): Promise<void> {
  const all = (await logitsOf(original)).data as Float32Array;
  for (const k of [0, 1, 2]) {
    const got = await logitsOf(bytes, k);
    const rows = k === 0 ? ROWS : k;
    assert.deepEqual(got.dims, [1, rows, VOCAB]);
    assert.deepEqual(Array.from(got.data as Float32Array), Array.from(all.subarray((ROWS - rows) * VOCAB)));
  }
}

/** `sub` appears in `all` in order (each field's raw bytes). */
function assertSubsequence(sub: readonly WireField[], all: readonly WireField[]): void {
  let j = 0;
  for (const f of sub) {
    while (j < all.length && !Buffer.from(all[j]!.raw).equals(Buffer.from(f.raw))) j++;
    assert.ok(j < all.length, `field ${f.id} (${f.raw.length} bytes) is missing or out of order`);
    j++;
  }
}

function graphOf(bytes: Uint8Array): WireField[] {
  return wireFields(wireFields(bytes).find((f) => f.id === 7)!.body!);
}

describe('keepLastLogits', () => {
  it('walks back through bias, softcap and Cast to the lm_head and slices its activation', async () => {
    const original = headModel((g, h) => {
      const bias = g.op('Add', [h, g.floats([0.1, 0.2, 0.3, 0.4, 0.5], [VOCAB])]);
      const cap = g.floats([3], []);
      const capped = g.op('Mul', [g.op('Tanh', [g.op('Div', [bias, cap])]), cap]);
      g.op('Cast', [capped], { to: 1 }, ['logits']);
    });
    const r = rewritten(keepLastLogits(original));
    assert.equal(r.at, 'lm_head');
    await assertKeepsLastRows(original, r.bytes);
  });

  it('copies every field it does not edit byte for byte, and drops value_info of values whose shape changed', () => {
    let hName = '';
    const original = headModel((g, h) => {
      hName = h;
      g.op('Add', [h, g.floats([1, 1, 1, 1, 1], [VOCAB])], undefined, ['logits']);
    });
    const docString = stringField(6, 'model doc');
    const metadata = Buffer.concat(lengthDelimited(14, [stringField(1, 'key'), stringField(2, 'value')]));
    const extra = withExtraFields(original, [docString, metadata], [stringField(10, 'graph doc'), valueInfoField(hName), valueInfoField('x')]);
    const r = rewritten(keepLastLogits(extra));
    const before = wireFields(extra);
    const after = wireFields(r.bytes);
    assertSubsequence(before.filter((f) => f.id !== 7), after);
    const graphBefore = graphOf(extra);
    const graphAfter = graphOf(r.bytes);
    const matmul = graphBefore.find((f) => f.id === 1 && Buffer.from(f.raw).includes('MatMul'))!;
    const dropped = graphBefore.find((f) => f.id === 13 && Buffer.from(f.raw).includes(hName))!;
    assert.ok(graphAfter.some((f) => f.id === 13), 'value_info of an unchanged value stays');
    assertSubsequence(graphBefore.filter((f) => f !== matmul && f !== dropped), graphAfter);
    assert.ok(!graphAfter.some((f) => Buffer.from(f.raw).equals(Buffer.from(dropped.raw))), 'value_info of the resliced value must go');
  });

  it('slices the logits themselves when the walk does not reach a MatMul', async () => {
    const original = headModel((g, h) => g.op('Softmax', [h], { axis: -1 }, ['logits']));
    const r = rewritten(keepLastLogits(original));
    assert.equal(r.at, 'logits');
    await assertKeepsLastRows(original, r.bytes);
  });

  it('slices the logits when a value between the lm_head and the logits has another consumer', async () => {
    const g = new GraphBuilder('shared');
    const x = g.input('x', 'float32', [1, 'seq', HIDDEN]);
    const h = g.op('MatMul', [x, g.floats(Array.from({ length: HIDDEN * VOCAB }, (_, i) => i / 7), [HIDDEN, VOCAB])]);
    g.op('Add', [h, g.floats([1, 2, 3, 4, 5], [VOCAB])], undefined, ['logits']);
    g.op('Neg', [h], undefined, ['other']);
    g.output('logits', 'float32', [1, 'seq', VOCAB]);
    g.output('other', 'float32', [1, 'seq', VOCAB]);
    const original = g.toBytes();
    const r = rewritten(keepLastLogits(original));
    assert.equal(r.at, 'logits');
    await assertKeepsLastRows(original, r.bytes);
  });

  it('leaves a graph that already has num_logits_to_keep alone', () => {
    const g = new GraphBuilder('native');
    const x = g.input('x', 'float32', [1, 'seq', VOCAB]);
    g.input(KEEP_INPUT, 'int64', [1]);
    g.op('Identity', [x], undefined, ['logits']);
    g.output('logits', 'float32', [1, 'seq', VOCAB]);
    assert.deepEqual(keepLastLogits(g.toBytes()), { kind: 'native' });
    const renamed = new GraphBuilder('native-renamed');
    const y = renamed.input('x', 'float32', [1, 'seq', VOCAB]);
    renamed.input('logits_to_keep', 'int64', []);
    renamed.op('Identity', [y], undefined, ['logits']);
    renamed.output('logits', 'float32', [1, 'seq', VOCAB]);
    assert.deepEqual(keepLastLogits(renamed.toBytes()), { kind: 'native' }, 'transformers >= 4.50 names it logits_to_keep');
  });

  it('rewrites a model with external data and says so (the session must be told its folder); skips bytes that are not a model', () => {
    const original = headModel((g, h) => g.op('Identity', [h], undefined, ['logits']));
    const external = Buffer.concat(lengthDelimited(5, [stringField(8, 'w_ext'), Uint8Array.of(0x70, 0x01)])); // data_location (14) = EXTERNAL
    const r = keepLastLogits(withExtraFields(original, [], [external]));
    assert.equal(r.kind, 'rewritten');
    assert.equal((r as { external: boolean }).external, true);
    assert.equal((keepLastLogits(original) as { external: boolean }).external, false);
    const garbage = keepLastLogits(Uint8Array.of(0xff, 0xff, 0xff));
    assert.equal(garbage.kind, 'unchanged');
    assert.match((garbage as { reason: string }).reason, /could not be parsed/);
  });

  it('rewrites the fixture decoder at its lm_head, touching only the graph field', () => {
    const bytes = fs.readFileSync(path.join(fixtureDir('tiny-llama'), 'onnx', 'model.onnx'));
    const r = rewritten(keepLastLogits(bytes));
    assert.equal(r.at, 'lm_head');
    assertSubsequence(wireFields(bytes).filter((f) => f.id !== 7), wireFields(r.bytes));
    const nodesBefore = graphOf(bytes).filter((f) => f.id === 1);
    const nodesAfter = graphOf(r.bytes).filter((f) => f.id === 1);
    assert.equal(nodesAfter.length, nodesBefore.length + 2, 'Neg and Slice are added');
    assert.equal(nodesBefore.filter((f) => !nodesAfter.some((a) => Buffer.from(a.raw).equals(Buffer.from(f.raw)))).length, 1, 'only the lm_head node changes');
  });
});
