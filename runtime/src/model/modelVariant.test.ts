// chooseVariant: the graph picked per device from the hub's file names, the reason given, and the override.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ModelFolderError } from '../errors.js';
import { chooseVariant } from './modelVariant.js';

const HUB = ['model.onnx', 'model.onnx_data', 'model_bnb4.onnx', 'model_fp16.onnx', 'model_int8.onnx', 'model_q4.onnx', 'model_q4f16.onnx', 'model_quantized.onnx', 'model_uint8.onnx'];
const DIR = '/m/onnx';

describe('chooseVariant', () => {
  it('with every hub variant present: q4 on cpu, q4f16 on webgpu, fp16 on cuda, each with its reason', () => {
    const cpu = chooseVariant(DIR, HUB, 'cpu');
    assert.equal(cpu.file, 'model_q4.onnx');
    assert.match(cpu.reason, /^q4 \(model_q4\.onnx\), of model\.onnx, .*preferred on cpu in the order q4 > fp32 > .*MatMulNBits/);
    assert.ok(!cpu.available.includes('model.onnx_data'), 'external data files are not graphs');
    assert.equal(chooseVariant(DIR, HUB, 'webgpu').file, 'model_q4f16.onnx');
    assert.equal(chooseVariant(DIR, HUB, 'cuda').file, 'model_fp16.onnx');
  });

  it('falls down the order to what the folder has', () => {
    assert.equal(chooseVariant(DIR, ['model.onnx', 'model_fp16.onnx'], 'cpu').variant, 'fp32');
    assert.equal(chooseVariant(DIR, ['model.onnx', 'model_fp16.onnx'], 'webgpu').variant, 'fp16');
    assert.equal(chooseVariant(DIR, ['model_int8.onnx', 'model_fp16.onnx'], 'cpu').variant, 'int8');
    assert.equal(chooseVariant(DIR, ['model_quantized.onnx'], 'webgpu').variant, 'quantized');
  });

  it('a single graph is taken whatever its name, and says so', () => {
    const one = chooseVariant(DIR, ['model.onnx'], 'cpu');
    assert.deepEqual([one.variant, one.reason], ['fp32', 'fp32 (model.onnx), the only graph']);
    const other = chooseVariant(DIR, ['model_custom.onnx', 'tokenizer.txt'], 'cuda');
    assert.deepEqual([other.variant, other.file], ['other', 'model_custom.onnx']);
  });

  it('a requested variant wins over the rule, and one the folder lacks is refused naming what is there', () => {
    const int8 = chooseVariant(DIR, HUB, 'cpu', 'int8');
    assert.deepEqual([int8.file, int8.reason], ['model_int8.onnx', 'int8 (model_int8.onnx) as requested']);
    assert.throws(
      () => chooseVariant(DIR, ['model.onnx', 'model_q4.onnx'], 'cpu', 'fp16'),
      (e: unknown) => e instanceof ModelFolderError && e.file === DIR && /has no model_fp16\.onnx for the requested variant "fp16" \(present: model\.onnx, model_q4\.onnx\)/.test(e.message),
    );
  });

  it('no graph at all names onnx/model.onnx; several graphs of unknown names are refused', () => {
    assert.throws(() => chooseVariant(DIR, [], 'cpu'), /\/m\/onnx\/model\.onnx: is missing/);
    assert.throws(() => chooseVariant(DIR, ['model_a.onnx', 'model_b.onnx'], 'cpu'), /several models \(model_a\.onnx, model_b\.onnx\) and no model\.onnx/);
  });
});
