// Which graph a LanguageModel runs: the fused graph rebuilt from the model's weights, or the exported (reference) graph.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { DeviceKind } from '../device/Device.js';
import { SpliceError } from '../errors.js';
import { readDecoderWeights } from '../onnx/decoderWeights.js';
import { fusedDecoderGraph, type KvMode } from '../onnx/fusedDecoderGraph.js';
import { keepLastLogits } from '../onnx/keepLastLogits.js';
import type { WeightBits } from '../onnx/quantizeNBits.js';
import type { KvDtype } from '../kv/KvCache.js';
import type { ModelFolder } from './ModelFolder.js';

/** `fused` (default): the rebuilt graph where the model maps onto it, else the reference; `reference`: the exported graph. */
export type GraphChoice = 'fused' | 'reference';
export const GRAPH_CHOICES: readonly GraphChoice[] = ['fused', 'reference'];

/** The graph used when a load names none: SPLICE_GRAPH=reference|fused, else fused. */
export function defaultGraphChoice(): GraphChoice {
  const v = process.env.SPLICE_GRAPH;
  if (v === undefined || v === '') return 'fused';
  if ((GRAPH_CHOICES as readonly string[]).includes(v)) return v as GraphChoice;
  throw new SpliceError('input', `SPLICE_GRAPH="${v}" is not a graph (expected one of ${GRAPH_CHOICES.join(', ')})`);
}

export interface GraphSource {
  /** Model bytes to load; undefined: the file as it is. */
  bytes?: Uint8Array;
  /** The bytes refer to external data files (onnx/model.onnx_data) beside the model file. */
  external?: boolean;
  /** 'kept' or 'all (reason)'. */
  logitsRows: string;
  /** Set when the bytes are the fused graph: how it meets the KV cache, and the cache's dtype. */
  fused?: KvMode;
  kvDtype?: KvDtype;
  /** 'fused', or 'reference' with the reason the fused graph is not used. */
  graph: string;
}

function readBytes(file: string): Uint8Array | string {
  try {
    return fs.readFileSync(file);
  } catch (err) {
    return `unreadable: ${(err as Error).message}`;
  }
}

/** The exported graph, rewritten in memory to compute only the logits rows asked for where it can be. */
export function referenceSource(folder: ModelFolder, keepLogits: boolean, graph: string): GraphSource {
  if (!keepLogits) return { logitsRows: 'all (disabled)', graph };
  const bytes = readBytes(folder.onnxPath);
  if (typeof bytes === 'string') return { logitsRows: `all (${bytes})`, graph };
  const r = keepLastLogits(bytes);
  if (r.kind === 'rewritten') return { bytes: r.bytes, external: r.external, logitsRows: 'kept', graph };
  if (r.kind === 'native') return { logitsRows: 'kept', graph };
  return { logitsRows: `all (${r.reason})`, graph };
}

/** The fused graph for the device (CPU: preallocated KV buffers written in place; GPUs: KV concatenated in the graph), or why not. */
export function fusedSource(folder: ModelFolder, device: DeviceKind, bits: WeightBits = 'float32', kvDtype?: KvDtype): GraphSource | string {
  const bytes = readBytes(folder.onnxPath);
  if (typeof bytes === 'string') return bytes;
  let raw: Record<string, unknown>;
  try {
    raw = JSON.parse(fs.readFileSync(path.join(folder.dir, 'config.json'), 'utf8')) as Record<string, unknown>;
  } catch (err) {
    return `config.json: ${(err as Error).message}`;
  }
  const r = readDecoderWeights(bytes, raw, folder.config);
  if (r.kind === 'unmappable') return r.reason;
  const mode: KvMode = device === 'cpu' ? 'buffer' : 'concat';
  const kv = kvDtype ?? r.weights.kvDtype;
  const notes = [bits === 'float32' ? '' : `${bits} weights`, kv === r.weights.kvDtype ? '' : `${kv} cache`].filter(Boolean);
  const graph = notes.length ? `fused (${notes.join(', ')})` : 'fused';
  return { bytes: fusedDecoderGraph(folder.config, r.weights, mode, bits, kv), logitsRows: 'kept', fused: mode, kvDtype: kv, graph };
}
