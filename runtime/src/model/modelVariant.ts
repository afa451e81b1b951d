// Which of a model folder's ONNX files to load on a device (fp32, fp16, 4-bit, int8 variants of the hub's exports), and why.
import * as path from 'node:path';
import type { DeviceKind } from '../device/Device.js';
import { ModelFolderError } from '../errors.js';

/** The hub's (onnx-community / transformers.js) file names for one decoder's variants. */
export const VARIANT_FILES = {
  fp32: 'model.onnx',
  fp16: 'model_fp16.onnx',
  q4: 'model_q4.onnx',
  q4f16: 'model_q4f16.onnx',
  int8: 'model_int8.onnx',
  uint8: 'model_uint8.onnx',
  quantized: 'model_quantized.onnx',
  bnb4: 'model_bnb4.onnx',
} as const;

export type ModelVariant = keyof typeof VARIANT_FILES;
/** `auto` (the rule below) or one variant by name (`splice.modelVariant`, `--variant`). */
export type VariantRequest = 'auto' | ModelVariant;
export const VARIANT_REQUESTS: readonly VariantRequest[] = ['auto', ...(Object.keys(VARIANT_FILES) as ModelVariant[])];

/** Per device, the variants in the order `auto` takes them, and why that order. */
const PREFERENCE: Record<DeviceKind, { order: ModelVariant[]; why: string }> = {
  cpu: {
    order: ['q4', 'fp32', 'int8', 'uint8', 'quantized', 'q4f16', 'fp16', 'bnb4'],
    why: '4-bit MatMulNBits weights move a quarter of fp32 bytes per token and have fast CPU kernels; int8 exports often quantize activations per call, so a token\'s states depend on the tokens encoded with it; fp16 graphs run slowly on CPU',
  },
  webgpu: {
    order: ['q4f16', 'fp16', 'q4', 'fp32', 'int8', 'uint8', 'quantized', 'bnb4'],
    why: 'WebGPU has fp16 and 4-bit MatMulNBits kernels; int8 DequantizeLinear/MatMulInteger graphs partly fall back to the CPU',
  },
  cuda: {
    order: ['fp16', 'q4f16', 'fp32', 'q4', 'int8', 'uint8', 'quantized', 'bnb4'],
    why: 'CUDA runs fp16 fastest; 4-bit and int8 kernels are slower there than fp16 for small batches',
  },
};

export interface VariantChoice {
  /** The variant's name, or `other` for a lone model*.onnx the hub's names do not cover. */
  variant: ModelVariant | 'other';
  file: string;
  /** Why this file (shown by `splice info`). */
  reason: string;
  /** Every model*.onnx in the folder. */
  available: string[];
}

const variantOf = (file: string) => (Object.keys(VARIANT_FILES) as ModelVariant[]).find((v) => VARIANT_FILES[v] === file);

/**
 * Picks the graph to load from the model*.onnx file names of `onnxDir`: the requested variant, or (auto) the first of
 * the device's preference order that is present, or the only file when there is one. Errors name the folder.
 */
export function chooseVariant(onnxDir: string, files: readonly string[], device: DeviceKind, requested: VariantRequest = 'auto'): VariantChoice {
  const available = files.filter((f) => /^model.*\.onnx$/.test(f)).sort();
  if (available.length === 0) throw new ModelFolderError(path.join(onnxDir, 'model.onnx'), undefined, 'is missing');
  if (requested !== 'auto') {
    const file = VARIANT_FILES[requested];
    if (!available.includes(file)) throw new ModelFolderError(onnxDir, undefined, `has no ${file} for the requested variant "${requested}" (present: ${available.join(', ')})`);
    return { variant: requested, file, reason: `${requested} (${file}) as requested`, available };
  }
  return autoCandidates(onnxDir, available, device)[0]!;
}

/** `auto`'s choices in the device's order (the next is tried when one cannot be loaded; see Engine.open). */
export function autoCandidates(onnxDir: string, files: readonly string[], device: DeviceKind): VariantChoice[] {
  const available = files.filter((f) => /^model.*\.onnx$/.test(f)).sort();
  const pref = PREFERENCE[device];
  const picks = pref.order.filter((v) => available.includes(VARIANT_FILES[v]));
  if (picks.length > 0) {
    const others = available.length > 1 ? `; preferred on ${device} in the order ${pref.order.join(' > ')}: ${pref.why}` : '';
    return picks.map((pick) => ({ variant: pick, file: VARIANT_FILES[pick], reason: `${pick} (${VARIANT_FILES[pick]}), ${available.length > 1 ? `of ${available.join(', ')}` : 'the only graph'}${others}`, available }));
  }
  if (available.length === 1) return [{ variant: variantOf(available[0]!) ?? 'other', file: available[0]!, reason: `${available[0]}, the only graph`, available }];
  throw new ModelFolderError(onnxDir, undefined, `holds several models (${available.join(', ')}) and no model.onnx`);
}
