// The runtime's one public entry: plain data and AbortSignal, no vscode, no LSP.
export { Engine, defaultModelDir, packageRoot, type CompletionRequest, type CompletionResult, type SessionCompletionResult, type EngineInfo, type EngineOptions } from './engine/Engine.js';
export { InferenceQueue } from './engine/InferenceQueue.js';
export { SpliceError, ModelFolderError, isAbort, type SpliceErrorCode } from './errors.js';
export { DEVICE_REQUESTS, parseDeviceRequest, isProviderInstalled, type DeviceKind, type DeviceRequest } from './device/Device.js';
export { resolveDevice, type ResolvedDevice } from './device/resolveDevice.js';
export { readModelFolder, type ModelFolder } from './model/ModelFolder.js';
export { parseModelConfig, type ModelConfig, type RopeConfig, type RopeLayout } from './model/ModelConfig.js';
export { LanguageModel, type ForwardResult } from './model/LanguageModel.js';
export { KvCache, type KvShape, type KvDtype } from './kv/KvCache.js';
export { KvOps, type CpuLayer } from './kv/KvOps.js';
export { generate, prefill, type GenerateOptions, type GenerateResult, type StopReason } from './generate/generate.js';
export { Sampler, GREEDY, type SamplingOptions } from './generate/Sampler.js';
export { fimTemplateFor, type FimTemplate } from './fim/FimTemplate.js';
export { SpliceTokenizer } from './tokenizer/SpliceTokenizer.js';
export { DocumentSession, type UpdateStats, type SessionOptions } from './pie/DocumentSession.js';
export { diffTokens, applyTextEdits, checkEdits, type TextEdit, type TokenSpan, type TokenDiff } from './pie/tokenDiff.js';
export { chooseMode, UPDATE_MODES, type UpdateMode } from './pie/updatePolicy.js';
export { TokenizedText } from './tokenizer/TokenizedText.js';
