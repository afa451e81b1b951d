// Options shared by the CLI commands that load a model (--model, --device).
import { type EngineOptions, parseDeviceRequest } from '../../runtime/src/index.js';

export const ENGINE_OPTIONS = {
  model: { type: 'string' },
  device: { type: 'string', default: 'auto' },
  json: { type: 'boolean', default: false },
} as const;

export function engineOptions(values: { model?: string; device?: string }): EngineOptions {
  return { modelDir: values.model, device: parseDeviceRequest(values.device ?? 'auto') };
}
