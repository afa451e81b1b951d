// The decoder session: validates the ONNX I/O contract and runs forward passes that extend a KvCache.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as ort from 'onnxruntime-node';
import { sessionOptions, type DeviceKind } from '../device/Device.js';
import { ModelFolderError, SpliceError } from '../errors.js';
import { float16ToFloat32 } from '../kv/float16.js';
import { KvCache, type KvShape } from '../kv/KvCache.js';
import { KEEP_INPUT, KEEP_INPUTS, keepLastLogits } from '../onnx/keepLastLogits.js';
import type { ModelFolder } from './ModelFolder.js';

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
  /** Cached rows [from, to) the new tokens must not attend to (PIE re-encodes an edit over the prefix only). */
  maskRows?: readonly [number, number];
  /** Default 'last'. With a graph that keeps rows, 'last' and 'none' copy one row off the device (the graph needs k >= 1). */
  logits?: LogitsRows;
}

export interface LoadOptions {
  /** Rewrite the graph in memory so only the rows asked for are computed and copied (default true). */
  keepLogits?: boolean;
}

/** Where the session comes from: the rewritten bytes, or the file as it is (and why). */
interface GraphSource {
  bytes?: Uint8Array;
  /** The bytes refer to external data files (onnx/model.onnx_data) beside the model file. */
  external?: boolean;
  /** 'kept' or 'all (reason)'. */
  logitsRows: string;
}

function graphSource(onnxPath: string, opts: LoadOptions): GraphSource {
  if (opts.keepLogits === false) return { logitsRows: 'all (disabled)' };
  let bytes: Uint8Array;
  try {
    bytes = fs.readFileSync(onnxPath);
  } catch (err) {
    return { logitsRows: `all (unreadable: ${(err as Error).message})` };
  }
  const r = keepLastLogits(bytes);
  if (r.kind === 'rewritten') return { bytes: r.bytes, external: r.external, logitsRows: 'kept' };
  if (r.kind === 'native') return { logitsRows: 'kept' };
  return { logitsRows: `all (${r.reason})` };
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
  /** The shape `num_logits_to_keep` is fed in ([1], or [] where a graph declares a scalar); undefined if the graph has none. */
  private readonly keepShape: number[] | undefined;
  /** The graph's name for it: `num_logits_to_keep` (ours, older exports) or `logits_to_keep`. */
  private readonly keepName: string;

  private constructor(
    readonly folder: ModelFolder,
    readonly device: DeviceKind,
    readonly kvShape: KvShape,
    private readonly session: ort.InferenceSession,
    /** 'kept': the graph computes only the rows asked for; 'all (reason)': it computes every row. */
    readonly logitsRows: string,
  ) {
    const meta = session.inputMetadata.find((m) => KEEP_INPUTS.includes(m.name));
    if (meta) this.keepShape = meta.isTensor && meta.shape.length === 0 ? [] : [1];
    this.keepName = meta?.name ?? KEEP_INPUT;
  }

  static async load(folder: ModelFolder, device: DeviceKind, opts: LoadOptions = {}): Promise<LanguageModel> {
    const { numLayers } = folder.config;
    const locations = Object.fromEntries([['logits', 'cpu'], ...kvNames('present', numLayers).map((n) => [n, 'gpu-buffer'])]);
    let source = graphSource(folder.onnxPath, opts);
    const options = withExternalData(sessionOptions(device, locations), source, folder.onnxPath);
    let session: ort.InferenceSession;
    try {
      session = source.bytes ? await ort.InferenceSession.create(source.bytes, options) : await ort.InferenceSession.create(folder.onnxPath, options);
    } catch (err) {
      if (!source.bytes) throw LanguageModel.loadError(folder, device, err);
      // The rewrite must never make a model unloadable: fall back to the file as it is.
      source = { logitsRows: `all (rewritten graph rejected: ${(err as Error).message.split('\n')[0]})` };
      try {
        session = await ort.InferenceSession.create(folder.onnxPath, options);
      } catch (err2) {
        throw LanguageModel.loadError(folder, device, err2);
      }
    }
    const logitsRows = session.inputNames.some((n) => KEEP_INPUTS.includes(n)) ? 'kept' : source.logitsRows;
    try {
      return new LanguageModel(folder, device, LanguageModel.validateIo(folder, session, source.bytes !== undefined), session, logitsRows);
    } catch (err) {
      await session.release();
      throw err;
    }
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
    const feeds: Record<string, ort.Tensor> = {
      input_ids: new ort.Tensor('int64', BigInt64Array.from(ids, BigInt), [1, n]),
      attention_mask: new ort.Tensor('int64', attentionMask(total, opts.maskRows), [1, total]),
      position_ids: new ort.Tensor('int64', BigInt64Array.from(positions, BigInt), [1, n]),
    };
    kvNames('past_key_values', this.kvShape.numLayers).forEach((name, i) => (feeds[name] = cache.tensors[i]!));
    const want = opts.logits ?? 'last';
    if (this.keepShape) feeds[this.keepName] = new ort.Tensor('int64', BigInt64Array.of(want === 'all' ? 0n : 1n), this.keepShape);
    let out: ort.InferenceSession.OnnxValueMapType;
    try {
      out = await this.session.run(feeds);
    } catch (err) {
      throw new SpliceError('inference', `model forward failed on ${this.device}: ${(err as Error).message.split('\n')[0]}`);
    }
    cache.replace(kvNames('present', this.kvShape.numLayers).map((name) => out[name] as ort.Tensor), total);
    return this.readLogits(out.logits as ort.Tensor, want, n);
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
