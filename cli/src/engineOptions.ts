// Options shared by the CLI commands that load a model (--model, --device, --variant, --graph, --weights, --kv-dtype).
import { GRAPH_CHOICES, type EngineOptions, type KvDtype, type GraphChoice, parseDeviceRequest, SpliceError, VARIANT_REQUESTS, type VariantRequest, WEIGHT_BITS, type WeightBits } from '../../runtime/src/index.js';

export const ENGINE_OPTIONS = {
  model: { type: 'string' },
  device: { type: 'string', default: 'auto' },
  variant: { type: 'string', default: 'auto' },
  json: { type: 'boolean', default: false },
  graph: { type: 'string' },
  weights: { type: 'string' },
  'kv-dtype': { type: 'string' },
} as const;

/** --kv-dtype float32|float16 (the fused graph's KV cache; default: the exported graph's). */
export function parseKvDtype(value: string | undefined): KvDtype | undefined {
  if (value === undefined) return undefined;
  if (value === 'float32' || value === 'float16') return value;
  throw new SpliceError('input', `unknown KV dtype "${value}" (expected float32 or float16)`);
}

/** A --variant value (auto, or one of the hub's file variants), refused with the list when unknown. */
export function parseVariant(value: string): VariantRequest {
  if ((VARIANT_REQUESTS as readonly string[]).includes(value)) return value as VariantRequest;
  throw new SpliceError('input', `--variant must be one of ${VARIANT_REQUESTS.join(', ')} (got "${value}")`);
}

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

export function engineOptions(values: { model?: string; device?: string; variant?: string; graph?: string; weights?: string; 'kv-dtype'?: string }): EngineOptions {
  return {
    modelDir: values.model,
    device: parseDeviceRequest(values.device ?? 'auto'),
    variant: parseVariant(values.variant ?? 'auto'),
    graph: parseGraph(values.graph),
    weights: parseWeights(values.weights),
    kvDtype: parseKvDtype(values['kv-dtype']),
  };
}
