// Options shared by the CLI commands that load a model (--model, --device, --graph).
import { GRAPH_CHOICES, SpliceError, type EngineOptions, type GraphChoice, parseDeviceRequest } from '../../runtime/src/index.js';

export const ENGINE_OPTIONS = {
  model: { type: 'string' },
  device: { type: 'string', default: 'auto' },
  json: { type: 'boolean', default: false },
  graph: { type: 'string' },
} as const;

/** --graph fused|reference (default: SPLICE_GRAPH, else fused). */
export function parseGraph(value: string | undefined): GraphChoice | undefined {
  if (value === undefined) return undefined;
  if ((GRAPH_CHOICES as readonly string[]).includes(value)) return value as GraphChoice;
  throw new SpliceError('input', `unknown graph "${value}" (expected one of ${GRAPH_CHOICES.join(', ')})`);
}

export function engineOptions(values: { model?: string; device?: string; graph?: string }): EngineOptions {
  return { modelDir: values.model, device: parseDeviceRequest(values.device ?? 'auto'), graph: parseGraph(values.graph) };
}
