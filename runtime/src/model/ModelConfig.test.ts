// parseModelConfig: shapes, defaults and RoPE settings read from config.json, and errors that name the field at fault.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ModelFolderError } from '../errors.js';
import { parseModelConfig } from './ModelConfig.js';

/** A minimal valid llama config; tests override fields (undefined deletes one). */
function config(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const base: Record<string, unknown> = {
    model_type: 'llama',
    hidden_size: 96,
    num_attention_heads: 6,
    num_key_value_heads: 2,
    num_hidden_layers: 3,
    vocab_size: 777,
    max_position_embeddings: 1024,
    rope_theta: 500000,
  };
  for (const [k, v] of Object.entries(overrides)) {
    if (v === undefined) delete base[k];
    else base[k] = v;
  }
  return base;
}

/** Asserts parseModelConfig throws a ModelFolderError for config.json whose message names `field` and matches `problem`. */
function assertFieldError(raw: unknown, field: string | undefined, problem: RegExp): void {
  assert.throws(
    () => parseModelConfig(raw),
    (err: unknown) => {
      assert.ok(err instanceof ModelFolderError, `expected ModelFolderError, got ${String(err)}`);
      assert.equal(err.code, 'model-folder');
      assert.equal(err.file, 'config.json');
      assert.equal(err.field, field);
      assert.match(err.message, /^config\.json/);
      if (field) assert.ok(err.message.includes(`"${field}"`), `message should name ${field}: ${err.message}`);
      assert.match(err.message, problem);
      return true;
    },
  );
}

describe('parseModelConfig', () => {
  it('reads a valid llama config', () => {
    const c = parseModelConfig(config());
    assert.deepEqual(c, {
      modelType: 'llama',
      hiddenSize: 96,
      numLayers: 3,
      numHeads: 6,
      numKvHeads: 2,
      headDim: 16,
      vocabSize: 777,
      maxPositions: 1024,
      rope: { theta: 500000, linearFactor: 1, rotaryDim: 16, layout: 'half-split' },
    });
  });

  it('defaults: KV heads = attention heads, head_dim = hidden / heads, rope_theta 10000, no scaling, 2048 positions', () => {
    const c = parseModelConfig(config({ num_key_value_heads: undefined, rope_theta: undefined, max_position_embeddings: undefined, vocab_size: undefined }));
    assert.equal(c.numKvHeads, 6);
    assert.equal(c.headDim, 96 / 6);
    assert.equal(c.rope.theta, 10000);
    assert.equal(c.rope.linearFactor, 1);
    assert.equal(c.rope.rotaryDim, 16);
    assert.equal(c.maxPositions, 2048);
    assert.equal(c.vocabSize, undefined);
  });

  it('an explicit head_dim wins over hidden / heads', () => {
    const c = parseModelConfig(config({ head_dim: 32 }));
    assert.equal(c.headDim, 32);
    assert.equal(c.rope.rotaryDim, 32);
  });

  it('rope_scaling null or {type: "default"} means factor 1', () => {
    assert.equal(parseModelConfig(config({ rope_scaling: null })).rope.linearFactor, 1);
    assert.equal(parseModelConfig(config({ rope_scaling: { rope_type: 'default' } })).rope.linearFactor, 1);
  });

  it('reads a linear rope_scaling factor from "type" or from "rope_type"', () => {
    assert.equal(parseModelConfig(config({ rope_scaling: { type: 'linear', factor: 4 } })).rope.linearFactor, 4);
    assert.equal(parseModelConfig(config({ rope_scaling: { rope_type: 'linear', factor: 2.5 } })).rope.linearFactor, 2.5);
  });

  it('loads length-dependent scalings (dynamic, longrope with different short and long factors) marked unpatchable, with the reason', () => {
    const dyn = parseModelConfig(config({ rope_scaling: { rope_type: 'dynamic', factor: 2 } })).rope;
    assert.match(dyn.unpatchable ?? '', /"dynamic" cannot be re-rotated by PIE: its frequencies change with the sequence length/);
    const long = parseModelConfig(config({ max_position_embeddings: 4096, rope_scaling: { type: 'longrope', short_factor: [1, 1, 1, 1, 1, 1, 1, 1], long_factor: [1, 2, 3, 4, 5, 6, 7, 8], original_max_position_embeddings: 1024 } })).rope;
    assert.match(long.unpatchable ?? '', /"longrope" switches from short to long factors/);
    assert.equal(parseModelConfig(config({ rope_scaling: { type: 'linear', factor: 4 } })).rope.unpatchable, undefined);
  });

  it('reads llama3 scaling (defaults low 1, high 4) as patchable', () => {
    const r = parseModelConfig(config({ rope_scaling: { rope_type: 'llama3', factor: 8, low_freq_factor: 1, high_freq_factor: 4, original_max_position_embeddings: 8192 } })).rope;
    assert.deepEqual(r.scaling, { type: 'llama3', factor: 8, lowFreqFactor: 1, highFreqFactor: 4, originalMaxPositions: 8192 });
    assert.equal(r.unpatchable, undefined);
    assert.equal(r.linearFactor, 1);
    assertFieldError(config({ rope_scaling: { rope_type: 'llama3', factor: 8, low_freq_factor: 4, high_freq_factor: 2 } }), 'rope_scaling.high_freq_factor', /must exceed low_freq_factor/);
  });

  it('reads yarn scaling with its attention factor (0.1 ln(factor) + 1 unless given) as patchable', () => {
    const r = parseModelConfig(config({ max_position_embeddings: 32768, rope_scaling: { type: 'yarn', factor: 4, original_max_position_embeddings: 8192 } })).rope;
    assert.equal(r.unpatchable, undefined);
    assert.deepEqual(r.scaling, { type: 'yarn', factor: 4, originalMaxPositions: 8192, betaFast: 32, betaSlow: 1, truncate: true, attentionFactor: 0.1 * Math.log(4) + 1 });
    const given = parseModelConfig(config({ rope_scaling: { type: 'yarn', factor: 4, attention_factor: 1.5, beta_fast: 16, truncate: false } })).rope.scaling;
    assert.deepEqual(given, { type: 'yarn', factor: 4, originalMaxPositions: 1024, betaFast: 16, betaSlow: 1, truncate: false, attentionFactor: 1.5 });
    assertFieldError(config({ rope_scaling: { type: 'yarn' } }), 'rope_scaling.factor', /is missing/);
  });

  it('reads longrope with equal short and long factors as patchable, and refuses a factor list of the wrong length', () => {
    const f = [1, 1.5, 2, 2.5, 3, 3.5, 4, 4.5];
    const r = parseModelConfig(config({ rope_scaling: { type: 'longrope', short_factor: f, long_factor: f } })).rope;
    assert.equal(r.unpatchable, undefined);
    assert.equal(r.scaling?.type, 'longrope');
    assertFieldError(config({ rope_scaling: { type: 'longrope', short_factor: [1, 2], long_factor: [1, 2] } }), 'rope_scaling.short_factor', /must list 8 positive numbers/);
  });

  it('refuses an unknown rope_scaling type, naming config.json and rope_scaling.type', () => {
    assertFieldError(config({ rope_scaling: { type: 'wobbly', factor: 4 } }), 'rope_scaling.type', /"wobbly" is not supported/);
  });

  it('refuses a non-object rope_scaling', () => {
    assertFieldError(config({ rope_scaling: 'linear' }), 'rope_scaling', /must be an object/);
  });

  it('a linear rope_scaling without a factor, or with a non-positive one, names rope_scaling.factor', () => {
    assertFieldError(config({ rope_scaling: { type: 'linear' } }), 'rope_scaling.factor', /is missing/);
    assertFieldError(config({ rope_scaling: { type: 'linear', factor: 0 } }), 'rope_scaling.factor', /positive number \(got 0\)/);
    assertFieldError(config({ rope_scaling: { type: 'linear', factor: '2' } }), 'rope_scaling.factor', /positive number \(got "2"\)/);
  });

  it('partial_rotary_factor gives the rotated dims of each head', () => {
    assert.equal(parseModelConfig(config({ partial_rotary_factor: 0.5 })).rope.rotaryDim, 8);
    assert.equal(parseModelConfig(config({ partial_rotary_factor: 0.25 })).rope.rotaryDim, 4);
    assert.equal(parseModelConfig(config({ partial_rotary_factor: 1 })).rope.rotaryDim, 16);
  });

  it('rotary_pct (GPT-NeoX) gives the rotated dims when partial_rotary_factor is absent; rotary_emb_base is its theta', () => {
    const c = parseModelConfig(config({ rotary_pct: 0.25, rope_theta: undefined, rotary_emb_base: 20000 }));
    assert.equal(c.rope.rotaryDim, 4);
    assert.equal(c.rope.theta, 20000);
    assert.equal(parseModelConfig(config({ rotary_pct: 0.25, partial_rotary_factor: 0.5 })).rope.rotaryDim, 8, 'partial_rotary_factor wins');
    assertFieldError(config({ rotary_pct: 1.5 }), 'rotary_pct', /must be in \(0, 1\]/);
    assertFieldError(config({ rotary_pct: 0.1875 }), 'rotary_pct', /odd or zero rotary dimension 3/);
  });

  it('reads rope_theta and the scaling from transformers v5 rope_parameters', () => {
    const r = parseModelConfig(config({ rope_theta: undefined, rope_parameters: { rope_type: 'linear', rope_theta: 1e6, factor: 2 } })).rope;
    assert.equal(r.theta, 1e6);
    assert.equal(r.linearFactor, 2);
  });

  it('refuses a partial_rotary_factor that gives an odd rotary dimension', () => {
    // 16 * 0.1875 = 3 rotated dims: cannot be paired.
    assertFieldError(config({ partial_rotary_factor: 0.1875 }), 'partial_rotary_factor', /odd or zero rotary dimension 3/);
  });

  it('interleaved layout from rope_interleaved: true, or from model_type gptj; rope_interleaved: false overrides the family', () => {
    assert.equal(parseModelConfig(config({ rope_interleaved: true })).rope.layout, 'interleaved');
    assert.equal(parseModelConfig(config({ model_type: 'gptj' })).rope.layout, 'interleaved');
    assert.equal(parseModelConfig(config({ model_type: 'gptj', rope_interleaved: false })).rope.layout, 'half-split');
    assert.equal(parseModelConfig(config({ model_type: 'qwen2' })).rope.layout, 'half-split');
    assertFieldError(config({ rope_interleaved: 'yes' }), 'rope_interleaved', /must be a boolean/);
  });

  it('names hidden_size when it is missing', () => {
    assertFieldError(config({ hidden_size: undefined }), 'hidden_size', /is missing/);
  });

  it('names model_type when it is missing', () => {
    assertFieldError(config({ model_type: undefined }), 'model_type', /is missing/);
  });

  it('names num_hidden_layers when it is not an integer', () => {
    assertFieldError(config({ num_hidden_layers: 2.5 }), 'num_hidden_layers', /positive integer \(got 2\.5\)/);
    assertFieldError(config({ num_hidden_layers: '2' }), 'num_hidden_layers', /positive integer \(got "2"\)/);
    assertFieldError(config({ num_hidden_layers: 0 }), 'num_hidden_layers', /positive integer \(got 0\)/);
  });

  it('names num_key_value_heads when it does not divide num_attention_heads', () => {
    assertFieldError(config({ num_key_value_heads: 4 }), 'num_key_value_heads', /\(4\) must divide num_attention_heads \(6\)/);
  });

  it('names head_dim when hidden_size is not a multiple of the heads and head_dim is absent', () => {
    assertFieldError(config({ hidden_size: 100 }), 'head_dim', /positive integer/);
  });

  it('names partial_rotary_factor when it is above 1', () => {
    assertFieldError(config({ partial_rotary_factor: 1.5 }), 'partial_rotary_factor', /must be in \(0, 1\] \(got 1\.5\)/);
    assertFieldError(config({ partial_rotary_factor: 0 }), 'partial_rotary_factor', /positive number/);
  });

  it('names rope_theta when it is not a positive number', () => {
    assertFieldError(config({ rope_theta: -1 }), 'rope_theta', /positive number \(got -1\)/);
  });

  it('refuses JSON that is not an object', () => {
    for (const raw of [null, [], 42, 'llama']) assertFieldError(raw, undefined, /must hold a JSON object/);
  });
});
