// The decoder session: validates the ONNX I/O contract and runs forward passes that extend a KvCache.
import * as ort from 'onnxruntime-node';
import { sessionOptions, type DeviceKind } from '../device/Device.js';
import { ModelFolderError, SpliceError } from '../errors.js';
import { float16ToFloat32 } from '../kv/float16.js';
import { KvCache, type KvShape } from '../kv/KvCache.js';
import type { ModelFolder } from './ModelFolder.js';

const REQUIRED_INPUTS = ['input_ids', 'attention_mask', 'position_ids'];

function kvNames(kind: 'past_key_values' | 'present', layers: number): string[] {
  return Array.from({ length: layers }, (_, i) => [`${kind}.${i}.key`, `${kind}.${i}.value`]).flat();
}

export interface ForwardResult {
  /** float32 logits, [tokens, vocab] row-major. */
  logits: Float32Array;
  vocab: number;
}

export interface ForwardOptions {
  /** Cached rows [from, to) the new tokens must not attend to (PIE re-encodes an edit over the prefix only). */
  maskRows?: readonly [number, number];
}

function attentionMask(total: number, masked?: readonly [number, number]): BigInt64Array {
  const mask = new BigInt64Array(total).fill(1n);
  if (masked) mask.fill(0n, masked[0], masked[1]);
  return mask;
}

export class LanguageModel {
  private constructor(
    readonly folder: ModelFolder,
    readonly device: DeviceKind,
    readonly kvShape: KvShape,
    private readonly session: ort.InferenceSession,
  ) {}

  static async load(folder: ModelFolder, device: DeviceKind): Promise<LanguageModel> {
    const { numLayers } = folder.config;
    const locations = Object.fromEntries([['logits', 'cpu'], ...kvNames('present', numLayers).map((n) => [n, 'gpu-buffer'])]);
    let session: ort.InferenceSession;
    try {
      session = await ort.InferenceSession.create(folder.onnxPath, sessionOptions(device, locations));
    } catch (err) {
      throw new ModelFolderError(folder.onnxPath, undefined, `cannot be loaded by onnxruntime on ${device}: ${(err as Error).message.split('\n')[0]}`);
    }
    try {
      return new LanguageModel(folder, device, LanguageModel.validateIo(folder, session), session);
    } catch (err) {
      await session.release();
      throw err;
    }
  }

  /** Checks the Optimum I/O names against config.json and reads the KV dtype from the graph. */
  private static validateIo(folder: ModelFolder, session: ort.InferenceSession): KvShape {
    const { numLayers, numKvHeads, headDim } = folder.config;
    const check = (kind: 'input' | 'output', have: readonly string[], want: string[]) => {
      const missing = want.find((n) => !have.includes(n));
      if (missing) throw new ModelFolderError(folder.onnxPath, `${kind} ${missing}`, `is missing (config.json says ${numLayers} layers; the graph's ${kind}s are ${have.join(', ')})`);
    };
    check('input', session.inputNames, [...REQUIRED_INPUTS, ...kvNames('past_key_values', numLayers)]);
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
    let out: ort.InferenceSession.OnnxValueMapType;
    try {
      out = await this.session.run(feeds);
    } catch (err) {
      throw new SpliceError('inference', `model forward failed on ${this.device}: ${(err as Error).message.split('\n')[0]}`);
    }
    cache.replace(kvNames('present', this.kvShape.numLayers).map((name) => out[name] as ort.Tensor), total);
    const logits = out.logits as ort.Tensor;
    const data = logits.type === 'float16' ? float16ToFloat32(logits.data as Uint16Array) : (logits.data as Float32Array);
    return { logits: data, vocab: logits.dims[2]! };
  }

  async release(): Promise<void> {
    await this.session.release();
  }
}
