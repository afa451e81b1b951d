// Merges partial settings from the client over the defaults, rejecting values of the wrong type.
import { DEFAULT_SETTINGS, MAX_FALLBACK_SAMPLES, type SpliceSettings } from './protocol.js';

const DEVICES = new Set(['cpu', 'webgpu', 'cuda', 'auto']);
const VARIANTS = new Set(['auto', 'fp32', 'fp16', 'q4', 'q4f16', 'int8', 'uint8', 'quantized', 'bnb4']);

export function mergeSettings(base: SpliceSettings, raw: unknown): SpliceSettings {
  if (typeof raw !== 'object' || raw === null) return base;
  const r = raw as Record<string, unknown>;
  const out = { ...base };
  if (typeof r.enable === 'boolean') out.enable = r.enable;
  if (typeof r.modelPath === 'string') out.modelPath = r.modelPath;
  if (typeof r.device === 'string' && DEVICES.has(r.device)) out.device = r.device as SpliceSettings['device'];
  if (typeof r.modelVariant === 'string' && VARIANTS.has(r.modelVariant)) out.modelVariant = r.modelVariant as SpliceSettings['modelVariant'];
  if (r.decoderGraph === 'fused' || r.decoderGraph === 'reference') out.decoderGraph = r.decoderGraph;
  if (typeof r.maxTokens === 'number' && Number.isInteger(r.maxTokens) && r.maxTokens > 0) out.maxTokens = r.maxTokens;
  if (typeof r.debounceMs === 'number' && r.debounceMs >= 0) out.debounceMs = r.debounceMs;
  if (r.cacheMode === 'pie' || r.cacheMode === 'none') out.cacheMode = r.cacheMode;
  if (r.fimFrame === 'edit' || r.fimFrame === 'exact') out.fimFrame = r.fimFrame;
  if (typeof r.toolGuided === 'boolean') out.toolGuided = r.toolGuided;
  if (r.sampling === 'byte' || r.sampling === 'healing' || r.sampling === 'naive') out.sampling = r.sampling;
  if (typeof r.minConfidence === 'number' && r.minConfidence >= 0 && r.minConfidence <= 1) out.minConfidence = r.minConfidence;
  if (typeof r.fallbackSamples === 'number' && Number.isInteger(r.fallbackSamples) && r.fallbackSamples >= 0 && r.fallbackSamples <= MAX_FALLBACK_SAMPLES) out.fallbackSamples = r.fallbackSamples;
  if (typeof r.enableLanguages === 'object' && r.enableLanguages !== null && !Array.isArray(r.enableLanguages)) {
    out.enableLanguages = Object.fromEntries(Object.entries(r.enableLanguages).filter(([, v]) => typeof v === 'boolean')) as Record<string, boolean>;
  }
  if (Array.isArray(r.excludeFiles) && r.excludeFiles.every((g) => typeof g === 'string')) out.excludeFiles = r.excludeFiles as string[];
  return out;
}

export { DEFAULT_SETTINGS };
