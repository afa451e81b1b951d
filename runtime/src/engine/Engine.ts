// The runtime's facade: a loaded model on a device, and completions at a cursor (used by the CLI, server and benches).
import * as path from 'node:path';
import * as fs from 'node:fs';
import { resolveDevice } from '../device/resolveDevice.js';
import type { DeviceKind, DeviceRequest } from '../device/Device.js';
import { SpliceError } from '../errors.js';
import { generate, type GenerateOptions, type StopReason } from '../generate/generate.js';
import { GREEDY, type SamplingOptions } from '../generate/Sampler.js';
import { KvOps } from '../kv/KvOps.js';
import type { KvDtype } from '../kv/KvCache.js';
import { LanguageModel } from '../model/LanguageModel.js';
import type { GraphChoice } from '../model/decoderGraph.js';
import type { WeightBits } from '../onnx/quantizeNBits.js';
import { readModelFolder } from '../model/ModelFolder.js';
import { loadPreferredVariant } from '../model/loadPreferredVariant.js';
import type { VariantRequest } from '../model/modelVariant.js';
import { fimContext } from '../complete/contextWindow.js';
import { SESSION_SUFFIX_TOKENS, sessionPrompt, type Cursor, type FimFrame, type SessionPrompt } from '../complete/sessionPrompt.js';
import type { PromptMode } from '../bytes/promptMode.js';
import { ByteVocab, byteTokenizerOf } from '../bytes/ByteVocab.js';
import { bytesOfIds, freshTail, leadFor, type Lead } from '../bytes/promptLead.js';
import { sessionTail } from '../complete/sessionTail.js';
import { byteMiddleBits, naiveMiddleBits, type MiddleBits } from '../bytes/middleBits.js';
import { DocumentSession, type SessionOptions, type UpdateStats } from '../pie/DocumentSession.js';
import type { GenerateResult } from '../generate/generate.js';
import { ToolGuide, type ToolCallRecord, type ToolGuidance } from '../toolgen/ToolGuide.js';
import { TokenMask } from '../toolgen/TokenMask.js';

export interface EngineOptions {
  /** Model folder; default: the bundled model (see defaultModelDir). */
  modelDir?: string;
  device?: DeviceRequest;
  /** Which ONNX graph of the folder to load (default auto: the device's rule, see modelVariant.ts). */
  variant?: VariantRequest;
  /** Which decoder graph to run (default: SPLICE_GRAPH, else the fused graph where the model maps onto it). */
  graph?: GraphChoice;
  /** onnxruntime intra-op threads for the decoder (default: onnxruntime's choice). */
  threads?: number;
  /** The fused graph's MatMul weights (default float32; int8/int4: MatMulNBits blocks quantized at load). */
  weights?: WeightBits;
  /** The fused graph's KV cache dtype (default: the exported graph's). */
  kvDtype?: KvDtype;
}

export interface EngineInfo {
  model: string;
  modelDir: string;
  device: DeviceKind;
  deviceReason: string;
  fimFamily: string;
  layers: number;
  kvHeads: number;
  headDim: number;
  kvDtype: string;
  maxPositions: number;
  /** The ONNX graph loaded (a file of the folder's onnx/) and why that one. */
  variant: string;
  variantReason: string;
  /** 'kept': forward passes compute and copy only the logits rows used; 'all (reason)': every row (why the graph was not rewritten). */
  logitsRows: string;
  /** 'fused', or 'reference (why)': the graph forward passes run. */
  graph: string;
}

export interface CompletionRequest {
  text: string;
  /** Cursor as a UTF-16 offset into text. */
  offset: number;
  maxTokens: number;
  sampling?: SamplingOptions;
  stopSequences?: string[];
  /** Character of the completion from which stop sequences are looked for (default 0). */
  stopSearchFrom?: number;
  signal?: AbortSignal;
  onText?: (delta: string) => void;
  /**
   * How the prompt's last bytes are conditioned on when the cursor sits inside a token: `naive` (the prefix tokenized
   * as is), `healing` (token healing) or `byte` (exact byte-level covers). Default `naive`.
   */
  promptMode?: PromptMode;
  /** How a session completion frames the suffix (default DEFAULT_FIM_FRAME); ignored by `complete`. */
  frame?: FimFrame;
  /** Token budgets around the cursor (default: the model's context less maxTokens, 75% of it for the prefix). */
  context?: { prefixTokens: number; suffixTokens: number };
  /** Tool-guided decoding (toolgen/): a completion tool asked at triggers; names it offers constrain the next bytes. */
  tool?: ToolGuidance;
}

/** The generation controls of a request (what continueSession takes). */
export type GenerationRequest = Pick<CompletionRequest, 'maxTokens' | 'sampling' | 'stopSequences' | 'stopSearchFrom' | 'signal'>;

export interface CompletionResult {
  completion: string;
  stopReason: StopReason;
  promptTokens: number;
  generatedTokens: number;
  ms: number;
  /** From the call to the first generated token (prompt encoding; for sessions also the cache update). */
  firstTokenMs: number;
  /** The tool calls made while decoding (with `tool`; empty without). */
  toolCalls: ToolCallRecord[];
  /** How sure the model was of what it wrote (undefined when it generated nothing). */
  confidence?: Confidence;
}

/** The model's own probabilities for a completion: what a confidence gate looks at. */
export interface Confidence {
  /** Natural log of the first token's probability (with a byte or healing lead: the lead's, given the prompt's bytes). */
  firstTokenLogprob: number;
  /** Mean natural log probability per generated token. */
  meanLogprob: number;
}

/** The confidence of a generation from its tokens' log probabilities (the lead's first, when there is one). */
export function confidenceOf(logprobs: readonly number[], lead?: { logprob: number }): Confidence | undefined {
  const all = lead ? [lead.logprob, ...logprobs] : logprobs;
  if (all.length === 0) return undefined;
  return { firstTokenLogprob: all[0]!, meanLogprob: all.reduce((a, b) => a + b, 0) / all.length };
}

export interface SessionCompletionResult extends CompletionResult {
  /** Cached rows taken from the session instead of being encoded. */
  reusedTokens: number;
  /** What bringing the session up to date (and its window to the cursor) did (undefined: nothing to do). */
  update?: UpdateStats;
  /** Tokens this completion encoded apart from the generated ones: the cache update and the prompt. */
  encodedTokens: number;
  /** The FIM frame used. */
  frame: FimFrame;
}

/** How session completions frame the suffix unless a request says otherwise (see sessionPrompt.ts and README). */
export const DEFAULT_FIM_FRAME: FimFrame = 'edit';

/** How prompts that end inside a token are conditioned on unless a request says otherwise (see bytes/). */
export const DEFAULT_PROMPT_MODE: PromptMode = 'naive';

/** The installed package (or clone): the first folder above this file (source, out/ or dist/) with runtime/models. */
export function packageRoot(): string {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, 'runtime', 'models'))) return dir;
    if (path.dirname(dir) === dir) throw new SpliceError('model-folder', `no runtime/models folder above ${__dirname}`);
  }
}

/** The bundled default model, runtime/models/<name> in the package. */
export function defaultModelDir(name = 'splice-tiny'): string {
  const dir = path.join(packageRoot(), 'runtime', 'models', name);
  if (!fs.existsSync(dir)) throw new SpliceError('model-folder', `bundled model ${dir} is missing`);
  return dir;
}

/** Runs a generation stream to its end, passing each text delta on. */
async function drain(stream: AsyncGenerator<string, GenerateResult>, onText?: (delta: string) => void): Promise<GenerateResult> {
  for (let step = await stream.next(); ; step = await stream.next()) {
    if (step.done) return step.value;
    onText?.(step.value);
  }
}

/** Tells the guide what the lead wrote past the cursor (its tokens' bytes after the hidden tail); returns the lead. */
function guided(lead: Lead | undefined, vocab: ByteVocab, guide: ToolGuide | undefined): Lead | undefined {
  if (lead && guide) guide.leadWritten(bytesOfIds(vocab, lead.leadIds).subarray(lead.hidden.length));
  return lead;
}

export class Engine {
  private constructor(
    readonly model: LanguageModel,
    readonly kvOps: KvOps,
    private readonly deviceReason: string,
  ) {}

  static async open(opts: EngineOptions = {}): Promise<Engine> {
    const variant = opts.variant ?? 'auto';
    const folder = readModelFolder(opts.modelDir ?? defaultModelDir(), { variant });
    const device = await resolveDevice(opts.device ?? 'auto');
    const model = await loadPreferredVariant(folder, device.kind, variant, { graph: opts.graph, threads: opts.threads, weights: opts.weights, kvDtype: opts.kvDtype });
    return new Engine(model, new KvOps(device.kind, model.kvShape, folder.config.rope), device.reason);
  }

  info(): EngineInfo {
    const { folder, kvShape } = this.model;
    return {
      model: folder.name,
      modelDir: folder.dir,
      device: this.model.device,
      deviceReason: this.deviceReason,
      fimFamily: this.model.folder.fim.family,
      layers: kvShape.numLayers,
      kvHeads: kvShape.numKvHeads,
      headDim: kvShape.headDim,
      kvDtype: kvShape.dtype,
      maxPositions: folder.config.maxPositions,
      variant: folder.variant.file,
      variantReason: folder.variant.reason,
      logitsRows: this.model.logitsRows,
      graph: this.model.graph,
    };
  }

  private checkRequest(req: CompletionRequest): void {
    if (!(Number.isInteger(req.offset) && req.offset >= 0 && req.offset <= req.text.length)) {
      throw new SpliceError('input', `cursor offset ${req.offset} is outside the text (0..${req.text.length})`);
    }
    if (!(Number.isInteger(req.maxTokens) && req.maxTokens > 0)) throw new SpliceError('input', `maxTokens must be a positive integer (got ${req.maxTokens})`);
  }

  private generateOptions(req: GenerationRequest, lead?: Lead, guide?: ToolGuide, suffix?: string): GenerateOptions {
    const { stopTokenIds, silentTokenIds } = this.model.folder.fim;
    const { maxTokens, stopSequences, stopSearchFrom, signal } = req;
    const vocab = lead && this.byteVocab();
    const start = lead && vocab && { ids: lead.leadIds, hidden: lead.hidden, bytesOf: (ids: readonly number[]) => this.bytesOfIds(vocab, ids) };
    return { maxTokens, sampling: req.sampling ?? GREEDY, stopTokenIds, silentTokenIds, stopSequences, stopSearchFrom, signal, lead: start, guide, suffix };
  }

  /** The bytes of generated ids (a special token as its text). */
  private bytesOfIds(vocab: ByteVocab, ids: readonly number[]): Uint8Array {
    const parts = ids.map((id) => vocab.tok.bytesOf(id) ?? Buffer.from(this.model.folder.tokenizer.decode([id])));
    return Buffer.concat(parts);
  }

  /** The request's tool guide (undefined without `tool`, or for a tokenizer that is not byte-level BPE). */
  private toolGuide(req: CompletionRequest): ToolGuide | undefined {
    const vocab = req.tool && this.byteVocab();
    if (!req.tool || !vocab) return undefined;
    this.mask ??= new TokenMask(vocab);
    const { stopTokenIds, silentTokenIds } = this.model.folder.fim;
    const overlay = { prefix: req.text.slice(0, req.offset), suffix: req.text.slice(req.offset) };
    return new ToolGuide(req.tool, this.mask, overlay, silentTokenIds[0], stopTokenIds);
  }

  private mask: TokenMask | undefined;

  /** Fill-in-the-middle completion at the cursor, encoded from scratch; an abort returns what was generated so far. */
  async complete(req: CompletionRequest): Promise<CompletionResult> {
    this.checkRequest(req);
    const started = performance.now();
    const { tokenizer, config } = this.model.folder;
    const room = Math.max(16, config.maxPositions - req.maxTokens - 4);
    const budget = req.context ? Math.min(room, req.context.prefixTokens + req.context.suffixTokens) : room;
    const ctx = fimContext(tokenizer, req.text, req.offset, budget, req.context?.prefixTokens);
    const suffixIds = this.model.folder.fim.family === 'none' ? [] : ctx.suffixIds;
    const guide = this.toolGuide(req);
    const lead = await this.freshLead(req, ctx.prefixIds, suffixIds, guide);
    const prompt = lead?.prompt ?? this.model.folder.fim.build(ctx.prefixIds, suffixIds);
    const cache = lead?.cache ?? this.model.newCache();
    const promptTokens = cache.length + prompt.length; // the base (and cover prefix) already cached, then the prompt
    try {
      const r = await drain(generate(this.model, tokenizer, prompt, cache, this.generateOptions(req, lead, guide, req.text.slice(req.offset))), req.onText);
      const ms = performance.now() - started;
      return { completion: r.text, stopReason: r.stopReason, promptTokens, generatedTokens: r.tokenIds.length, ms, firstTokenMs: ms - (r.decodeMs ?? 0), confidence: confidenceOf(r.logprobs, lead), toolCalls: guide?.calls ?? [] };
    } finally {
      cache.dispose();
    }
  }

  /** The byte-level vocabulary (built on first use); undefined for tokenizers that are not byte-level BPE. */
  byteVocab(): ByteVocab | undefined {
    if (this.vocab === null) {
      const tok = byteTokenizerOf(this.model.folder.tokenizer);
      this.vocab = tok && new ByteVocab(tok);
    }
    return this.vocab;
  }

  private vocab: ByteVocab | undefined | null = null;

  /** For `byte` and `healing` prompts encoded from scratch: the first tokens, chosen over the prefix's uncertain tail. */
  private async freshLead(req: CompletionRequest, prefixIds: readonly number[], suffixIds: readonly number[], guide?: ToolGuide): Promise<Lead | undefined> {
    const mode = req.promptMode ?? DEFAULT_PROMPT_MODE;
    const vocab = mode === 'naive' ? undefined : this.byteVocab();
    if (mode === 'naive' || !vocab) return undefined;
    const t = await freshTail(this.model, vocab, prefixIds, suffixIds);
    const accept = t && (await guide?.prime(req.signal));
    return t && guided(await leadFor(mode, this.model, this.kvOps, vocab, t, req.sampling ?? GREEDY, accept), vocab, guide);
  }

  /**
   * Fill-in-the-middle completion that reuses a document session: the session is brought to `req.text` by PIE,
   * its cached rows up to the cursor are reused, and only the tail of the cursor's token, the suffix and the
   * generated tokens are encoded. The session's cache itself is left as it is.
   */
  async completeInSession(session: DocumentSession, req: CompletionRequest): Promise<SessionCompletionResult> {
    this.checkRequest(req);
    const started = performance.now();
    const byte = Buffer.byteLength(req.text.slice(0, req.offset), 'utf8');
    const update = await session.syncTo(req.text, 'pie', byte, req.signal);
    const at = { text: req.text, offset: req.offset, byte, maxTokens: req.maxTokens };
    const guide = this.toolGuide(req);
    const built: SessionPrompt & { lead?: Lead } = (await this.sessionLead(session, at, req, guide)) ?? (await sessionPrompt(this.model, this.kvOps, session, at, req.frame ?? DEFAULT_FIM_FRAME));
    try {
      const r = await drain(generate(this.model, this.model.folder.tokenizer, built.prompt, built.cache, this.generateOptions(req, built.lead, guide, req.text.slice(req.offset))), req.onText);
      const encodedTokens = (update?.tokensReencoded ?? 0) + built.encoded + built.prompt.length;
      const ms = performance.now() - started;
      return { completion: r.text, stopReason: r.stopReason, promptTokens: built.reused + built.encoded + built.prompt.length, generatedTokens: r.tokenIds.length, ms, reusedTokens: built.reused, encodedTokens, update, frame: built.frame, firstTokenMs: ms - (r.decodeMs ?? 0), confidence: confidenceOf(r.logprobs, built.lead), toolCalls: guide?.calls ?? [] };
    } finally {
      built.cache.dispose();
    }
  }

  /** For `byte` and `healing`: the session's base context, and the first tokens chosen over the cursor's uncertain tail. */
  private async sessionLead(session: DocumentSession, at: Cursor, req: CompletionRequest, guide?: ToolGuide): Promise<(SessionPrompt & { lead: Lead }) | undefined> {
    const mode = req.promptMode ?? DEFAULT_PROMPT_MODE;
    const vocab = mode === 'naive' ? undefined : this.byteVocab();
    if (mode === 'naive' || !vocab) return undefined;
    const base = await sessionTail(this.model, this.kvOps, session, at, req.frame ?? DEFAULT_FIM_FRAME, vocab);
    if (!base) return undefined;
    const accept = await guide?.prime(req.signal);
    const lead = guided(await leadFor(mode, this.model, this.kvOps, vocab, base.tail, req.sampling ?? GREEDY, accept), vocab, guide);
    if (!lead) return undefined;
    return { cache: lead.cache, prompt: lead.prompt, frame: base.frame, reused: base.reused, encoded: base.encoded + lead.encoded, lead };
  }

  /**
   * Bits the model assigns to the first `bytes` bytes of `middle` written at the cursor (the reference), for the
   * `naive` or the exact `byte` prompt; undefined where `byte` cannot apply (not byte-level BPE, nothing to move).
   */
  async middleBits(req: Pick<CompletionRequest, 'text' | 'offset' | 'context' | 'maxTokens'>, middle: string, mode: 'naive' | 'byte', bytes = 16): Promise<MiddleBits | undefined> {
    const { tokenizer, config, fim } = this.model.folder;
    const vocab = this.byteVocab();
    if (!vocab) return undefined;
    const room = Math.max(16, config.maxPositions - req.maxTokens - 4);
    const budget = req.context ? Math.min(room, req.context.prefixTokens + req.context.suffixTokens) : room;
    const ctx = fimContext(tokenizer, req.text, req.offset, budget, req.context?.prefixTokens);
    const suffixIds = fim.family === 'none' ? [] : ctx.suffixIds;
    const target = Buffer.from(middle, 'utf8').subarray(0, bytes);
    if (mode === 'byte') return byteMiddleBits(this.model, this.kvOps, vocab, ctx.prefixIds, suffixIds, target);
    return naiveMiddleBits(this.model, fim.build(ctx.prefixIds, suffixIds), tokenizer.encode(middle), vocab, target.length);
  }

  /** A document's cached state on this engine's model and device (see DocumentSession). */
  openSession(text: string, opts?: SessionOptions): Promise<DocumentSession> {
    return DocumentSession.open(this.model, this.kvOps, text, opts);
  }

  /**
   * A session laid out for completeInSession: the FIM leading ids, then the document — a window of it around the
   * cursor (`offset`, UTF-16) when the document is longer than sessionTokenLimit(maxTokens).
   */
  openCompletionSession(text: string, opts: { maxTokens?: number; offset?: number; signal?: AbortSignal } = {}): Promise<DocumentSession> {
    const focusByte = opts.offset === undefined ? undefined : Buffer.byteLength(text.slice(0, opts.offset), 'utf8');
    return this.openSession(text, { leading: this.model.folder.fim.leading, windowTokens: this.sessionTokenLimit(opts.maxTokens ?? 64), focusByte, signal: opts.signal });
  }

  /** Most document tokens a completion session may hold and still leave room for any cursor's prompt. */
  sessionTokenLimit(maxTokens: number): number {
    return Math.max(16, this.model.folder.config.maxPositions - SESSION_SUFFIX_TOKENS - maxTokens - 16);
  }

  /** Left-to-right continuation of a session's text (its cache is reused, not changed). */
  async continueSession(session: DocumentSession, opts: GenerationRequest): Promise<GenerateResult> {
    const { cache, prompt } = await session.forkForGeneration();
    try {
      return await drain(generate(this.model, this.model.folder.tokenizer, prompt, cache, this.generateOptions(opts)));
    } finally {
      cache.dispose();
    }
  }

  async close(): Promise<void> {
    await this.kvOps.release();
    await this.model.release();
  }
}
