// Loads a folder's graph on a device: the requested variant, or auto's candidates in the device's order until one loads.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { DeviceKind } from '../device/Device.js';
import { ModelFolderError } from '../errors.js';
import { LanguageModel, type LoadOptions } from './LanguageModel.js';
import { withVariant, type ModelFolder } from './ModelFolder.js';
import { autoCandidates, type VariantRequest } from './modelVariant.js';

/**
 * With `auto`, a graph onnxruntime refuses on this device (an fp16 graph without kernels, a q4f16 graph on an adapter
 * without shader-f16, a broken file) gives way to the next in the order, and the reason says so; a lone graph's
 * error is thrown as it is.
 */
export async function loadPreferredVariant(folder: ModelFolder, device: DeviceKind, requested: VariantRequest = 'auto', opts: LoadOptions = {}): Promise<LanguageModel> {
  if (requested !== 'auto') return LanguageModel.load(withVariant(folder, { device, variant: requested }), device, opts);
  const onnxDir = path.dirname(folder.onnxPath);
  const candidates = autoCandidates(onnxDir, fs.readdirSync(onnxDir), device);
  const failures: string[] = [];
  for (const choice of candidates) {
    const reason = failures.length ? `${choice.reason}; not loaded first: ${failures.join('; ')}` : choice.reason;
    try {
      return await LanguageModel.load({ ...folder, onnxPath: path.join(onnxDir, choice.file), variant: { ...choice, reason } }, device, opts);
    } catch (err) {
      if (!(err instanceof ModelFolderError) || candidates.length === 1) throw err;
      failures.push(`${choice.file} (${err.problem})`);
    }
  }
  throw new ModelFolderError(onnxDir, undefined, `has no graph onnxruntime can load on ${device}: ${failures.join('; ')}`);
}
