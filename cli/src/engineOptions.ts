// Options shared by the CLI commands that load a model (--model, --device, --graph, --weights).
import { GRAPH_CHOICES, SpliceError, WEIGHT_BITS, type EngineOptions, type GraphChoice, type WeightBits, parseDeviceRequest } from '../../runtime/src/index.js';

export const ENGINE_OPTIONS = {
  model: { type: 'string' },
  device: { type: 'string', default: 'auto' },
  json: { type: 'boolean', default: false },
  graph: { type: 'string' },
  weights: { type: 'string' },
} as const;

/** --weights float32|int8|int4 (the fused graph's MatMul weights; default float32). */
export function parseWeights(value: string | undefined): WeightBits | undefined {
  if (value === undefined) return undefined;
  if ((WEIGHT_BITS as readonly string[]).includes(value)) return value as WeightBits;
  throw new SpliceError('input', `unknown weights "${value}" (expected one of ${WEIGHT_BITS.join(', ')})`);
}

/** --graph fused|reference (default: SPLICE_GRAPH, else fused). */
export function parseGraph(value: string | undefined): GraphChoice | undefined {
  if (value === undefined) return undefined;
  if ((GRAPH_CHOICES as readonly string[]).includes(value)) return value as GraphChoice;
  throw new SpliceError('input', `unknown graph "${value}" (expected one of ${GRAPH_CHOICES.join(', ')})`);
}

export function engineOptions(values: { model?: string; device?: string; graph?: string; weights?: string }): EngineOptions {
  return { modelDir: values.model, device: parseDeviceRequest(values.device ?? 'auto'), graph: parseGraph(values.graph), weights: parseWeights(values.weights) };
}
