// Reads and validates a model folder's config.json into the numbers the runtime needs (shapes and RoPE).
import { ModelFolderError } from '../errors.js';

/** How rotary embeddings pair dimensions: HF "rotate_half" (first half with second) or GPT-J interleaved pairs. */
export type RopeLayout = 'half-split' | 'interleaved';

/**
 * A RoPE scaling whose per-dimension frequencies do not depend on the sequence length (so a cached key rotates
 * exactly by Δ): Llama 3's smoothed interpolation, YaRN's ramp between interpolation and extrapolation, or LongRoPE
 * with one set of per-dimension factors. See ropeFrequencies.ts.
 */
export type RopeScaling =
  | { type: 'llama3'; factor: number; lowFreqFactor: number; highFreqFactor: number; originalMaxPositions: number }
  | { type: 'yarn'; factor: number; originalMaxPositions: number; betaFast: number; betaSlow: number; truncate: boolean; attentionFactor: number }
  | { type: 'longrope'; factors: number[]; attentionFactor: number };

export interface RopeConfig {
  theta: number;
  /** Linear position scaling factor (1 when none): angle = position * omega / factor. */
  linearFactor: number;
  /** A frequency-reshaping scaling (llama3, yarn, longrope); absent for none or linear. */
  scaling?: RopeScaling;
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

/** Scalings whose frequencies depend on the sequence length: cached keys cannot be re-rotated by Δ alone. */
const LENGTH_DEPENDENT = new Set(['dynamic', 'ntk']);
const KNOWN_SCALINGS = ['linear', 'llama3', 'yarn', 'longrope', 'su', 'dynamic', 'ntk'];

interface ParsedScaling {
  linearFactor: number;
  scaling?: RopeScaling;
  unpatchable?: string;
}

function scalingNumber(rs: Json, field: string, fallback?: number): number {
  const v = rs[field] ?? fallback;
  if (typeof v !== 'number' || !(v > 0)) {
    throw new ModelFolderError(FILE, `rope_scaling.${field}`, v === undefined ? 'is missing' : `must be a positive number (got ${JSON.stringify(v)})`);
  }
  return v;
}

/** YaRN's magnitude correction for a scale factor (1 when not stretched). */
function yarnMscale(scale: number, mscale = 1): number {
  return scale <= 1 ? 1 : 0.1 * mscale * Math.log(scale) + 1;
}

function parseYarn(rs: Json, maxPositions: number): RopeScaling {
  const factor = scalingNumber(rs, 'factor');
  let attentionFactor = rs.attention_factor;
  if (attentionFactor === undefined || attentionFactor === null) {
    const m = typeof rs.mscale === 'number' ? rs.mscale : undefined;
    const mAll = typeof rs.mscale_all_dim === 'number' ? rs.mscale_all_dim : undefined;
    attentionFactor = m && mAll ? yarnMscale(factor, m) / yarnMscale(factor, mAll) : yarnMscale(factor);
  }
  return {
    type: 'yarn',
    factor,
    originalMaxPositions: scalingNumber(rs, 'original_max_position_embeddings', maxPositions),
    betaFast: scalingNumber(rs, 'beta_fast', 32),
    betaSlow: scalingNumber(rs, 'beta_slow', 1),
    truncate: rs.truncate !== false,
    attentionFactor: scalingNumber({ attention_factor: attentionFactor }, 'attention_factor'),
  };
}

function factorList(rs: Json, field: string, pairs: number): number[] {
  const v = rs[field];
  if (!Array.isArray(v) || v.length !== pairs || !v.every((x) => typeof x === 'number' && x > 0)) {
    throw new ModelFolderError(FILE, `rope_scaling.${field}`, `must list ${pairs} positive numbers (one per rotary pair)`);
  }
  return v as number[];
}

/** LongRoPE: exact only when the short and long factors agree (else the factors switch with the sequence length). */
function parseLongRope(rs: Json, type: string, rotaryDim: number, maxPositions: number): ParsedScaling {
  const short = factorList(rs, 'short_factor', rotaryDim / 2);
  const long = factorList(rs, 'long_factor', rotaryDim / 2);
  const original = scalingNumber(rs, 'original_max_position_embeddings', maxPositions);
  const scale = maxPositions / original;
  const fallback = scale <= 1 ? 1 : Math.sqrt(1 + Math.log(scale) / Math.log(original));
  const attentionFactor = typeof rs.attention_factor === 'number' ? rs.attention_factor : fallback;
  const scaling: RopeScaling = { type: 'longrope', factors: short, attentionFactor };
  if (short.some((f, i) => f !== long[i])) {
    return { linearFactor: 1, scaling, unpatchable: `rope_scaling type "${type}" switches from short to long factors with the sequence length, so cached keys cannot be re-rotated by PIE` };
  }
  return { linearFactor: 1, scaling };
}

function parseScaling(cfg: Json, rotaryDim: number, maxPositions: number): ParsedScaling {
  const s = cfg.rope_scaling ?? cfg.rope_parameters;
  if (s === undefined || s === null) return { linearFactor: 1 };
  if (typeof s !== 'object') throw new ModelFolderError(FILE, 'rope_scaling', 'must be an object or null');
  const rs = s as Json;
  const type = rs.rope_type ?? rs.type;
  if (type === 'default') return { linearFactor: 1 };
  if (typeof type !== 'string' || !KNOWN_SCALINGS.includes(type)) {
    throw new ModelFolderError(FILE, 'rope_scaling.type', `"${String(type)}" is not supported (supported: ${KNOWN_SCALINGS.join(', ')})`);
  }
  if (LENGTH_DEPENDENT.has(type)) {
    return { linearFactor: 1, unpatchable: `rope_scaling type "${type}" cannot be re-rotated by PIE: its frequencies change with the sequence length` };
  }
  if (type === 'linear') return { linearFactor: scalingNumber(rs, 'factor') };
  if (type === 'yarn') return { linearFactor: 1, scaling: parseYarn(rs, maxPositions) };
  if (type === 'longrope' || type === 'su') return parseLongRope(rs, type, rotaryDim, maxPositions);
  const scaling: RopeScaling = {
    type: 'llama3',
    factor: scalingNumber(rs, 'factor'),
    lowFreqFactor: scalingNumber(rs, 'low_freq_factor', 1),
    highFreqFactor: scalingNumber(rs, 'high_freq_factor', 4),
    originalMaxPositions: scalingNumber(rs, 'original_max_position_embeddings', 8192),
  };
  if (scaling.highFreqFactor <= scaling.lowFreqFactor) {
    throw new ModelFolderError(FILE, 'rope_scaling.high_freq_factor', `must exceed low_freq_factor (${scaling.lowFreqFactor})`);
  }
  return { linearFactor: 1, scaling };
}

/** The share of each head's dims that RoPE rotates: `partial_rotary_factor` (Phi, Qwen) or `rotary_pct` (GPT-NeoX). */
function rotaryShare(cfg: Json): number {
  const field = cfg.partial_rotary_factor !== undefined || cfg.rotary_pct === undefined ? 'partial_rotary_factor' : 'rotary_pct';
  const share = positiveNumber(cfg, field, 1);
  if (share > 1) throw new ModelFolderError(FILE, field, `must be in (0, 1] (got ${share})`);
  return share;
}

function parseRope(cfg: Json, headDim: number, maxPositions: number): RopeConfig {
  const rotaryDim = Math.floor(headDim * rotaryShare(cfg));
  if (rotaryDim % 2 !== 0 || rotaryDim === 0) {
    const field = cfg.partial_rotary_factor === undefined && cfg.rotary_pct !== undefined ? 'rotary_pct' : 'partial_rotary_factor';
    throw new ModelFolderError(FILE, field, `gives an odd or zero rotary dimension ${rotaryDim}`);
  }
  const explicit = cfg.rope_interleaved;
  if (explicit !== undefined && typeof explicit !== 'boolean') throw new ModelFolderError(FILE, 'rope_interleaved', 'must be a boolean');
  const interleaved = explicit ?? INTERLEAVED_FAMILIES.has(String(cfg.model_type));
  return {
    theta: positiveNumber(cfg, cfg.rope_theta === undefined && cfg.rotary_emb_base !== undefined ? 'rotary_emb_base' : 'rope_theta', (ropeParameter(cfg, 'rope_theta') as number | undefined) ?? 10000),
    ...parseScaling(cfg, rotaryDim, maxPositions),
    rotaryDim,
    layout: interleaved ? 'interleaved' : 'half-split',
  };
}

/** A field of transformers v5's `rope_parameters` object (which holds rope_theta and the scaling). */
function ropeParameter(cfg: Json, field: string): unknown {
  const p = cfg.rope_parameters;
  return p && typeof p === 'object' ? (p as Json)[field] : undefined;
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
  const maxPositions = positiveInt(cfg, 'max_position_embeddings', 2048);
  return {
    modelType: cfg.model_type,
    hiddenSize,
    numLayers: positiveInt(cfg, 'num_hidden_layers'),
    numHeads,
    numKvHeads,
    headDim,
    vocabSize: typeof cfg.vocab_size === 'number' ? cfg.vocab_size : undefined,
    maxPositions,
    rope: parseRope(cfg, headDim, maxPositions),
  };
}
