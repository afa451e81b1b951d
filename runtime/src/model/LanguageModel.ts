// The decoder session: validates the ONNX I/O contract and runs forward passes that extend a KvCache.
import * as path from 'node:path';
import * as ort from 'onnxruntime-node';
import { sessionOptions, type DeviceKind } from '../device/Device.js';
import { ModelFolderError, SpliceError } from '../errors.js';
import { float16ToFloat32 } from '../kv/float16.js';
import { KvCache, type KvDtype, type KvShape } from '../kv/KvCache.js';
import { KEEP_INPUT, KEEP_INPUTS } from '../onnx/keepLastLogits.js';
import { appendInPlace, ensureCapacity, headViews } from '../kv/kvBuffer.js';
import { BIAS_INPUT, NEW_BIAS_INPUT, newKvNames, pastHeadNames, type KvMode } from '../onnx/fusedDecoderGraph.js';
import { attentionBias, causalBias } from './attentionBias.js';
import { defaultGraphChoice, fusedSource, type GraphChoice, type GraphSource, referenceSource } from './decoderGraph.js';
import type { ModelFolder } from './ModelFolder.js';
import type { WeightBits } from '../onnx/quantizeNBits.js';

const REQUIRED_INPUTS = ['input_ids', 'attention_mask', 'position_ids'];

function kvNames(kind: 'past_key_values' | 'present', layers: number): string[] {
  return Array.from({ length: layers }, (_, i) => [`${kind}.${i}.key`, `${kind}.${i}.value`]).flat();
}

export interface ForwardResult {
  /** float32 logits, [rows, vocab] row-major: the last `rows` tokens' rows. */
  logits: Float32Array;
  vocab: number;
  /** Rows in `logits`: every token's ('all'), 1 ('last') or 0 ('none'). */
  rows: number;
}

/** Which tokens' logits a forward pass returns. */
export type LogitsRows = 'all' | 'last' | 'none';

export interface ForwardOptions {
  /**
   * Cached rows [from, to) the new tokens must not attend to (PIE re-encodes an edit over the prefix only). The fused
   * CPU graph takes only a tail of the cache (to = the cache's length), which is what PIE masks.
   */
  maskRows?: readonly [number, number];
  /** Default 'last'. With a graph that keeps rows, 'last' and 'none' copy one row off the device (the graph needs k >= 1). */
  logits?: LogitsRows;
}

export interface LoadOptions {
  /**
   * Compute and copy only the logits rows asked for (default true): the fused graph, or the reference graph rewritten
   * in memory. false: the reference graph as exported, every row.
   */
  keepLogits?: boolean;
  /** onnxruntime intra-op threads for the decoder (default: onnxruntime's choice). */
  threads?: number;
  /** The fused graph's MatMul weights: float32 as exported (default), or 8/4-bit blocks (MatMulNBits). */
  weights?: WeightBits;
  /** The fused graph's KV cache dtype (default: the exported graph's); float16 halves the cache's memory. */
  kvDtype?: KvDtype;
  /** Which graph to run (default SPLICE_GRAPH, else 'fused', which falls back to the reference graph with the reason in `graph`). */
  graph?: GraphChoice;
}

/** A model made from bytes finds its external data files only through this setting: the model file's folder. */
function withExternalData(options: ort.InferenceSession.SessionOptions, source: GraphSource, onnxPath: string): ort.InferenceSession.SessionOptions {
  if (!source.bytes || !source.external) return options;
  return { ...options, extra: { session: { model_external_initializers_file_folder_path: path.dirname(onnxPath) } } };
}

function attentionMask(total: number, masked?: readonly [number, number]): BigInt64Array {
  const mask = new BigInt64Array(total).fill(1n);
  if (masked) mask.fill(0n, masked[0], masked[1]);
  return mask;
}

export class LanguageModel {
  /** Logits bytes copied off the device by all forward passes so far. */
  logitsBytesCopied = 0;
  /** The graph's name for it: `num_logits_to_keep` (ours, older exports) or `logits_to_keep`. */
  private readonly keepName: string;
  /** The shape `num_logits_to_keep` is fed in ([1], or [] where a graph declares a scalar); undefined if the graph has none. */
  private readonly keepShape: number[] | undefined;

  private constructor(
    readonly folder: ModelFolder,
    readonly device: DeviceKind,
    readonly kvShape: KvShape,
    private readonly session: ort.InferenceSession,
    /** 'kept': the graph computes only the rows asked for; 'all (reason)': it computes every row. */
    readonly logitsRows: string,
    /** 'fused', or 'reference' and why the fused graph is not in use. */
    readonly graph: string,
    /** Set when running the fused graph: how it meets the KV cache. */
    private readonly fused?: KvMode,
  ) {
    const meta = session.inputMetadata.find((m) => KEEP_INPUTS.includes(m.name));
    if (meta) this.keepShape = meta.isTensor && meta.shape.length === 0 ? [] : [1];
    this.keepName = meta?.name ?? KEEP_INPUT;
  }

  static async load(folder: ModelFolder, device: DeviceKind, opts: LoadOptions = {}): Promise<LanguageModel> {
    const keep = opts.keepLogits !== false;
    let source: GraphSource;
    if (!keep) source = referenceSource(folder, keep, 'reference (every logits row asked for: the fused graph keeps only those used)');
    else if ((opts.graph ?? defaultGraphChoice()) === 'fused') {
      const fused = fusedSource(folder, device, opts.weights, opts.kvDtype);
      source = typeof fused === 'string' ? referenceSource(folder, keep, `reference (${fused})`) : fused;
    } else source = referenceSource(folder, keep, 'reference (chosen)');
    let session: ort.InferenceSession;
    try {
      session = await LanguageModel.createSession(folder, device, source, opts.threads);
    } catch (err) {
      const why = (err as Error).message.split('\n')[0];
      if (!source.bytes) throw LanguageModel.loadError(folder, device, err);
      // A rewrite must never make a model unloadable: fall back to the reference graph, then to the file as it is.
      source = source.fused ? referenceSource(folder, keep, `reference (fused graph rejected: ${why})`) : { logitsRows: `all (rewritten graph rejected: ${why})`, graph: source.graph };
      try {
        session = await LanguageModel.createSession(folder, device, source, opts.threads);
      } catch (err2) {
        if (!source.bytes) throw LanguageModel.loadError(folder, device, err2);
        source = { logitsRows: `all (rewritten graph rejected: ${(err2 as Error).message.split('\n')[0]})`, graph: source.graph };
        session = await LanguageModel.createSession(folder, device, source, opts.threads).catch((err3) => Promise.reject(LanguageModel.loadError(folder, device, err3)));
      }
    }
    const logitsRows = session.inputNames.some((n) => KEEP_INPUTS.includes(n)) ? 'kept' : source.logitsRows;
    try {
      const shape = source.fused ? LanguageModel.fusedShape(folder, source.kvDtype ?? 'float32') : LanguageModel.validateIo(folder, session, source.bytes !== undefined);
      return new LanguageModel(folder, device, shape, session, logitsRows, source.graph, source.fused);
    } catch (err) {
      await session.release();
      throw err;
    }
  }

  private static async createSession(folder: ModelFolder, device: DeviceKind, source: GraphSource, threads?: number): Promise<ort.InferenceSession> {
    const { numLayers } = folder.config;
    const kvOut = source.fused === 'buffer' ? newKvNames(numLayers) : kvNames('present', numLayers);
    const locations = Object.fromEntries([['logits', 'cpu'], ...kvOut.map((n) => [n, source.fused === 'buffer' ? 'cpu' : 'gpu-buffer'])]);
    const options = withExternalData(sessionOptions(device, locations, threads), source, folder.onnxPath);
    return source.bytes ? ort.InferenceSession.create(source.bytes, options) : ort.InferenceSession.create(folder.onnxPath, options);
  }

  /** The fused graph's cache: config.json's shape and the dtype it was built for. */
  private static fusedShape(folder: ModelFolder, dtype: KvDtype): KvShape {
    const { numLayers, numKvHeads, headDim } = folder.config;
    return { numLayers, numKvHeads, headDim, dtype };
  }

  private static loadError(folder: ModelFolder, device: DeviceKind, err: unknown): ModelFolderError {
    return new ModelFolderError(folder.onnxPath, undefined, `cannot be loaded by onnxruntime on ${device}: ${(err as Error).message.split('\n')[0]}`);
  }

  /** Checks the Optimum I/O names against config.json and reads the KV dtype from the graph (`rewritten`: we added KEEP_INPUT). */
  private static validateIo(folder: ModelFolder, session: ort.InferenceSession, rewritten: boolean): KvShape {
    const { numLayers, numKvHeads, headDim } = folder.config;
    const check = (kind: 'input' | 'output', have: readonly string[], want: string[]) => {
      const missing = want.find((n) => !have.includes(n));
      if (missing) throw new ModelFolderError(folder.onnxPath, `${kind} ${missing}`, `is missing (config.json says ${numLayers} layers; the graph's ${kind}s are ${have.join(', ')})`);
    };
    const inputs = rewritten ? session.inputNames.filter((n) => n !== KEEP_INPUT) : session.inputNames;
    check('input', inputs, [...REQUIRED_INPUTS, ...kvNames('past_key_values', numLayers)]);
    check('output', session.outputNames, ['logits', ...kvNames('present', numLayers)]);
    const meta = session.inputMetadata.find((m) => m.name === 'past_key_values.0.key');
    const dtype = meta && meta.isTensor ? meta.type : undefined;
    if (dtype !== 'float32' && dtype !== 'float16') {
      throw new ModelFolderError(folder.onnxPath, 'input past_key_values.0.key', `has unsupported dtype ${String(dtype)} (supported: float32, float16)`);
    }
    if (meta && meta.isTensor) {
      const [, heads, , dim] = meta.shape;
      if ((typeof heads === 'number' && heads !== numKvHeads) || (typeof dim === 'number' && dim !== headDim)) {
        throw new ModelFolderError(folder.onnxPath, 'input past_key_values.0.key', `has shape [${meta.shape.join(', ')}] but config.json gives ${numKvHeads} KV heads of ${headDim} dims`);
      }
    }
    return { numLayers, numKvHeads, headDim, dtype };
  }

  /** Makes room for `rows` rows at once where the cache is a preallocated buffer (a chunked prefill grows it once). */
  reserve(cache: KvCache, rows: number): void {
    if (this.fused === 'buffer') ensureCapacity(cache, rows);
  }

  newCache(): KvCache {
    return KvCache.empty(this.kvShape);
  }

  /**
   * Encodes `ids` at `positions` after the cache's rows, appending their keys and values to the cache.
   * Positions are explicit (RoPE uses them, never the row index), which is what lets PIE re-encode mid-document.
   */
  async forward(ids: readonly number[], positions: readonly number[], cache: KvCache, opts: ForwardOptions = {}): Promise<ForwardResult> {
    if (ids.length === 0 || ids.length !== positions.length) throw new SpliceError('input', `forward needs as many positions as ids (got ${ids.length} and ${positions.length})`);
    const n = ids.length;
    const total = cache.length + n;
    const mask = opts.maskRows;
    if (mask && !(0 <= mask[0] && mask[0] <= mask[1] && mask[1] <= cache.length)) throw new SpliceError('input', `masked rows [${mask[0]}, ${mask[1]}) are outside the cache (0..${cache.length})`);
    if (this.fused === 'buffer') ensureCapacity(cache, total);
    const feeds: Record<string, ort.Tensor> = {
      input_ids: new ort.Tensor('int64', BigInt64Array.from(ids, BigInt), [1, n]),
      position_ids: new ort.Tensor('int64', BigInt64Array.from(positions, BigInt), [1, n]),
    };
    if (this.fused === 'buffer') Object.assign(feeds, this.bufferFeeds(cache, n, mask));
    else {
      const groups = this.folder.config.numHeads / this.kvShape.numKvHeads;
      if (this.fused) feeds[BIAS_INPUT] = attentionBias(groups, n, cache.length, mask);
      else feeds.attention_mask = new ort.Tensor('int64', attentionMask(total, mask), [1, total]);
      kvNames('past_key_values', this.kvShape.numLayers).forEach((name, i) => (feeds[name] = cache.tensors[i]!));
    }
    const want = opts.logits ?? 'last';
    if (this.keepShape) feeds[this.keepName] = new ort.Tensor('int64', BigInt64Array.of(want === 'all' ? 0n : 1n), this.keepShape);
    let out: ort.InferenceSession.OnnxValueMapType;
    try {
      out = await this.session.run(feeds);
    } catch (err) {
      throw new SpliceError('inference', `model forward failed on ${this.device}: ${(err as Error).message.split('\n')[0]}`);
    }
    if (this.fused === 'buffer') appendInPlace(cache, newKvNames(this.kvShape.numLayers).map((name) => out[name] as ort.Tensor));
    else cache.replace(kvNames('present', this.kvShape.numLayers).map((name) => out[name] as ort.Tensor), total);
    return this.readLogits(out.logits as ort.Tensor, want, n);
  }

  /**
   * The fused CPU graph's cache inputs: per layer, kind and KV head a view of the rows the new tokens may see (all,
   * or those before a masked tail), and the causal mask of the new tokens.
   */
  private bufferFeeds(cache: KvCache, tokens: number, mask?: readonly [number, number]): Record<string, ort.Tensor> {
    if (mask && mask[0] < mask[1] && mask[1] !== cache.length) {
      throw new SpliceError('input', `the fused graph masks only a tail of the cache (rows [${mask[0]}, ${mask[1]}) of ${cache.length}); load with graph 'reference'`);
    }
    const visible = mask && mask[0] < mask[1] ? mask[0] : cache.length;
    const feeds: Record<string, ort.Tensor> = { [NEW_BIAS_INPUT]: causalBias(tokens) };
    for (let l = 0; l < this.kvShape.numLayers; l++) {
      for (const [i, kind] of [[2 * l, 'key'], [2 * l + 1, 'value']] as const) {
        const views = headViews(cache, i, visible);
        pastHeadNames(l, kind, this.kvShape.numKvHeads).forEach((name, j) => (feeds[name] = views[j]!));
      }
    }
    return feeds;
  }

  /** The rows asked for, as float32; counts the bytes that came off the device. */
  private readLogits(logits: ort.Tensor, want: LogitsRows, tokens: number): ForwardResult {
    const data = logits.data as Float32Array | Uint16Array;
    this.logitsBytesCopied += data.byteLength;
    const vocab = logits.dims[logits.dims.length - 1]!;
    const have = data.length / vocab;
    const rows = want === 'all' ? tokens : want === 'last' ? 1 : 0;
    if (have < rows) throw new SpliceError('inference', `the model returned ${have} logits rows where ${rows} were asked for`);
    const part = have === rows ? data : data.slice((have - rows) * vocab); // a copy: the rest of an all-rows buffer can go
    return { logits: part instanceof Uint16Array ? float16ToFloat32(part) : part, vocab, rows };
  }

  async release(): Promise<void> {
    await this.session.release();
  }
}
