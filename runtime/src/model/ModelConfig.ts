// Reads and validates a model folder's config.json into the numbers the runtime needs (shapes and RoPE).
import { ModelFolderError } from '../errors.js';

/** How rotary embeddings pair dimensions: HF "rotate_half" (first half with second) or GPT-J interleaved pairs. */
export type RopeLayout = 'half-split' | 'interleaved';

export interface RopeConfig {
  theta: number;
  /** Linear position scaling factor (1 when none): angle = position * omega / factor. */
  linearFactor: number;
  /** Number of leading dims of each head that are rotated (even, <= headDim). */
  rotaryDim: number;
  layout: RopeLayout;
  /**
   * Why cached keys cannot be re-rotated by Δ (a scaling whose frequencies depend on the sequence, or one the
   * runtime does not model); PIE then falls back to full re-encoding. Inference itself is unaffected: the graph
   * applies RoPE.
   */
  unpatchable?: string;
}

export interface ModelConfig {
  modelType: string;
  hiddenSize: number;
  numLayers: number;
  numHeads: number;
  numKvHeads: number;
  headDim: number;
  vocabSize: number | undefined;
  maxPositions: number;
  rope: RopeConfig;
}

const FILE = 'config.json';
const INTERLEAVED_FAMILIES = new Set(['gptj', 'chatglm', 'glm']);

type Json = Record<string, unknown>;

function positiveInt(cfg: Json, field: string, fallback?: number): number {
  const v = cfg[field] ?? fallback;
  if (typeof v !== 'number' || !Number.isInteger(v) || v <= 0) {
    throw new ModelFolderError(FILE, field, v === undefined ? 'is missing' : `must be a positive integer (got ${JSON.stringify(v)})`);
  }
  return v;
}

function positiveNumber(cfg: Json, field: string, fallback: number): number {
  const v = cfg[field] ?? fallback;
  if (typeof v !== 'number' || !(v > 0)) throw new ModelFolderError(FILE, field, `must be a positive number (got ${JSON.stringify(v)})`);
  return v;
}

/** Scalings whose rotation PIE cannot reproduce from theta and a linear factor. */
const UNPATCHABLE_SCALINGS = new Set(['dynamic', 'yarn', 'llama3', 'longrope', 'su', 'ntk']);

function parseScaling(cfg: Json): { linearFactor: number; unpatchable?: string } {
  const s = cfg.rope_scaling;
  if (s === undefined || s === null) return { linearFactor: 1 };
  if (typeof s !== 'object') throw new ModelFolderError(FILE, 'rope_scaling', 'must be an object or null');
  const rs = s as Json;
  const type = rs.rope_type ?? rs.type;
  if (type === 'default') return { linearFactor: 1 };
  if (typeof type === 'string' && UNPATCHABLE_SCALINGS.has(type)) {
    return { linearFactor: 1, unpatchable: `rope_scaling type "${type}" cannot be re-rotated by PIE` };
  }
  if (type !== 'linear') {
    throw new ModelFolderError(FILE, 'rope_scaling.type', `"${String(type)}" is not supported (supported: linear, or re-encoded on edits: ${[...UNPATCHABLE_SCALINGS].join(', ')})`);
  }
  if (typeof rs.factor !== 'number' || !(rs.factor > 0)) {
    throw new ModelFolderError(FILE, 'rope_scaling.factor', rs.factor === undefined ? 'is missing' : `must be a positive number (got ${JSON.stringify(rs.factor)})`);
  }
  return { linearFactor: rs.factor };
}

function parseRope(cfg: Json, headDim: number): RopeConfig {
  const partial = positiveNumber(cfg, 'partial_rotary_factor', 1);
  if (partial > 1) throw new ModelFolderError(FILE, 'partial_rotary_factor', `must be in (0, 1] (got ${partial})`);
  const rotaryDim = Math.floor(headDim * partial);
  if (rotaryDim % 2 !== 0 || rotaryDim === 0) {
    throw new ModelFolderError(FILE, 'partial_rotary_factor', `gives an odd or zero rotary dimension ${rotaryDim}`);
  }
  const explicit = cfg.rope_interleaved;
  if (explicit !== undefined && typeof explicit !== 'boolean') throw new ModelFolderError(FILE, 'rope_interleaved', 'must be a boolean');
  const interleaved = explicit ?? INTERLEAVED_FAMILIES.has(String(cfg.model_type));
  return {
    theta: positiveNumber(cfg, 'rope_theta', 10000),
    ...parseScaling(cfg),
    rotaryDim,
    layout: interleaved ? 'interleaved' : 'half-split',
  };
}

/** Validates the parsed JSON of config.json; throws ModelFolderError naming the field at fault. */
export function parseModelConfig(raw: unknown): ModelConfig {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new ModelFolderError(FILE, undefined, 'must hold a JSON object');
  const cfg = raw as Json;
  if (typeof cfg.model_type !== 'string') throw new ModelFolderError(FILE, 'model_type', 'is missing');
  const hiddenSize = positiveInt(cfg, 'hidden_size');
  const numHeads = positiveInt(cfg, 'num_attention_heads');
  const numKvHeads = positiveInt(cfg, 'num_key_value_heads', numHeads);
  if (numHeads % numKvHeads !== 0) {
    throw new ModelFolderError(FILE, 'num_key_value_heads', `(${numKvHeads}) must divide num_attention_heads (${numHeads})`);
  }
  const headDim = positiveInt(cfg, 'head_dim', hiddenSize / numHeads);
  return {
    modelType: cfg.model_type,
    hiddenSize,
    numLayers: positiveInt(cfg, 'num_hidden_layers'),
    numHeads,
    numKvHeads,
    headDim,
    vocabSize: typeof cfg.vocab_size === 'number' ? cfg.vocab_size : undefined,
    maxPositions: positiveInt(cfg, 'max_position_embeddings', 2048),
    rope: parseRope(cfg, headDim),
  };
}
