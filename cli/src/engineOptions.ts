// Options shared by the CLI commands that load a model (--model, --device, --variant).
import { type EngineOptions, parseDeviceRequest, SpliceError, VARIANT_REQUESTS, type VariantRequest } from '../../runtime/src/index.js';

export const ENGINE_OPTIONS = {
  model: { type: 'string' },
  device: { type: 'string', default: 'auto' },
  variant: { type: 'string', default: 'auto' },
  json: { type: 'boolean', default: false },
} as const;

/** A --variant value (auto, or one of the hub's file variants), refused with the list when unknown. */
export function parseVariant(value: string): VariantRequest {
  if ((VARIANT_REQUESTS as readonly string[]).includes(value)) return value as VariantRequest;
  throw new SpliceError('input', `--variant must be one of ${VARIANT_REQUESTS.join(', ')} (got "${value}")`);
}

export function engineOptions(values: { model?: string; device?: string; variant?: string }): EngineOptions {
  return { modelDir: values.model, device: parseDeviceRequest(values.device ?? 'auto'), variant: parseVariant(values.variant ?? 'auto') };
}
