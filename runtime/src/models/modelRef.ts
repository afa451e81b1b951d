// A hub model reference: `owner/name[:variant]` (variants and their files: model/modelVariant.ts).
import { SpliceError } from '../errors.js';
import { VARIANT_FILES, type ModelVariant } from '../model/modelVariant.js';

export { VARIANT_FILES, type ModelVariant } from '../model/modelVariant.js';

export interface ModelRef {
  /** `owner/name` on the hub. */
  repo: string;
  /** Absent: the catalog's choice (or fp32 for a repository the catalog does not list). */
  variant?: ModelVariant;
}

const REPO = /^[A-Za-z0-9][\w.-]{0,95}\/[A-Za-z0-9][\w.-]{0,95}$/;

export function isVariant(v: string): v is ModelVariant {
  return Object.hasOwn(VARIANT_FILES, v);
}

/** Parses `owner/name` or `owner/name:variant`; a bad reference is an `input` error naming what is wrong. */
export function parseModelRef(text: string): ModelRef {
  const [repo = '', variant, ...rest] = text.trim().split(':');
  if (!REPO.test(repo) || repo.includes('..') || rest.length > 0) {
    throw new SpliceError('input', `"${text}" is not a hub model (expected owner/name or owner/name:variant, e.g. onnx-community/Qwen2.5-Coder-0.5B-Instruct:q4)`);
  }
  if (variant === undefined) return { repo };
  if (!isVariant(variant)) throw new SpliceError('input', `unknown variant "${variant}" (one of ${Object.keys(VARIANT_FILES).join(', ')})`);
  return { repo, variant };
}

/** The ONNX file of a variant, inside the repository. */
export function variantPath(variant: ModelVariant): string {
  return `onnx/${VARIANT_FILES[variant]}`;
}
