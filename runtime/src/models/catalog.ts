// The curated hub models Splice offers to download: ONNX exports of code models with FIM, their licence and the variant fetched.
import type { ModelVariant } from './modelRef.js';

export interface CatalogEntry {
  repo: string;
  /** Parameters, for people choosing (the exact download size comes from the hub). */
  params: string;
  licence: string;
  /** The variant downloaded unless another is asked for: 4-bit weights (MatMulNBits) run on CPU and WebGPU. */
  variant: ModelVariant;
  /** One line on what it is good for. */
  note: string;
}

export const CATALOG: readonly CatalogEntry[] = [
  { repo: 'onnx-community/Qwen2.5-Coder-0.5B-Instruct', params: '0.5B', licence: 'apache-2.0', variant: 'q4', note: 'smallest Qwen2.5-Coder; fast on any CPU' },
  { repo: 'onnx-community/Qwen2.5-Coder-1.5B', params: '1.5B', licence: 'apache-2.0', variant: 'q4', note: 'base model (trained for FIM, no chat tuning)' },
  { repo: 'onnx-community/Qwen2.5-Coder-3B-Instruct', params: '3B', licence: 'qwen-research', variant: 'q4', note: 'best of these; needs a GPU' },
];

/** The catalog entry of a repository, if it is curated. */
export function catalogEntry(repo: string): CatalogEntry | undefined {
  return CATALOG.find((e) => e.repo.toLowerCase() === repo.toLowerCase());
}
