// Reads a Llama-family decoder's weights out of its exported ONNX graph, mapped to layers by the exporter's node names.
import type { ModelConfig } from '../model/ModelConfig.js';
import { onnxRoot } from './onnxSchema.js';
import { firstString, packedInt64s, wireFields, type WireField } from './protoWire.js';

/** A float32 weight: its dims and little-endian bytes (a view into the model's bytes). */
export interface Weight {
  dims: number[];
  bytes: Uint8Array;
}

export interface LayerWeights {
  inputNorm: Weight;
  postNorm: Weight;
  /** [hidden, out] matrices as MatMul takes them; biases [out] where the model has them. */
  q: Weight;
  k: Weight;
  v: Weight;
  qBias?: Weight;
  kBias?: Weight;
  vBias?: Weight;
  o: Weight;
  gate: Weight;
  up: Weight;
  down: Weight;
}

export interface DecoderWeights {
  embed: Weight;
  layers: LayerWeights[];
  norm: Weight;
  lmHead: Weight;
  rmsEps: number;
  /** RoPE frequencies per rotated pair as the graph multiplies positions by them (linear scaling folded in). */
  invFreq: Float32Array;
  /** The exported graph's KV cache dtype. */
  kvDtype: 'float32' | 'float16';
}

export type ReadWeights = { kind: 'mapped'; weights: DecoderWeights } | { kind: 'unmappable'; reason: string };

const NodeProto = onnxRoot.lookupType('onnx.NodeProto');
const GRAPH_FIELD = 7;
const GRAPH = { node: 1, initializer: 5, input: 11 };
const TENSOR = { dims: 1, dataType: 2, floatData: 4, name: 8, rawData: 9, externalData: 13 };
const FLOAT32 = 1;
const FLOAT16 = 10;
const MLP_ACTIVATIONS = new Set(['silu', 'swish']);
const FAMILIES = new Set(['llama', 'qwen2', 'mistral']);

class Unmappable extends Error {}

interface RawTensor {
  dims: number[];
  dataType: number;
  bytes?: Uint8Array;
  external: boolean;
}

function readTensor(body: Uint8Array): [string, RawTensor] {
  const fields = wireFields(body);
  const dims = fields.filter((f) => f.id === TENSOR.dims).flatMap((f) => (f.varint !== undefined ? [Number(f.varint)] : packedInt64s(f.body!)));
  const dataType = Number(fields.find((f) => f.id === TENSOR.dataType)?.varint ?? 0n);
  const raw = fields.find((f) => f.id === TENSOR.rawData)?.body;
  const floats = fields.find((f) => f.id === TENSOR.floatData && f.body)?.body;
  const external = fields.some((f) => f.id === TENSOR.externalData);
  return [firstString(fields, TENSOR.name), { dims, dataType, bytes: raw ?? floats, external }];
}

interface Node {
  name: string;
  opType: string;
  input: string[];
  output: string[];
  attribute: { name: string; t?: { dims: unknown[]; dataType: number; rawData?: Uint8Array } }[];
}

const ValueInfoProto = onnxRoot.lookupType('onnx.ValueInfoProto');

/** The element type of a graph input, from its ValueInfo. */
function inputType(body: Uint8Array): [string, number] {
  const v = ValueInfoProto.toObject(ValueInfoProto.decode(body), { defaults: true }) as { name: string; type?: { tensorType?: { elemType?: number } } };
  return [v.name, v.type?.tensorType?.elemType ?? 0];
}

function readGraph(bytes: Uint8Array): { nodes: Map<string, Node>; tensors: Map<string, RawTensor>; inputs: Map<string, number> } {
  const graphs = wireFields(bytes).filter((f: WireField) => f.id === GRAPH_FIELD);
  if (graphs.length !== 1) throw new Unmappable(`the model has ${graphs.length} graphs`);
  const nodes = new Map<string, Node>();
  const tensors = new Map<string, RawTensor>();
  const inputs = new Map<string, number>();
  for (const f of wireFields(graphs[0]!.body!)) {
    if (f.id === GRAPH.input && f.body) inputs.set(...inputType(f.body));
    if (f.id === GRAPH.node && f.body) {
      const n = NodeProto.toObject(NodeProto.decode(f.body), { arrays: true, defaults: true }) as Node;
      nodes.set(n.name, n);
    } else if (f.id === GRAPH.initializer && f.body) {
      const [name, t] = readTensor(f.body);
      tensors.set(name, t);
    }
  }
  return { nodes, tensors, inputs };
}

class WeightMap {
  constructor(
    private readonly nodes: Map<string, Node>,
    private readonly tensors: Map<string, RawTensor>,
  ) {}

  tensor(name: string, dims: number[], what: string): Weight {
    const t = this.tensors.get(name);
    if (!t) throw new Unmappable(`${what}: no initializer ${name}`);
    if (t.external) throw new Unmappable(`${what}: ${name} is in external data`);
    if (t.dataType !== FLOAT32) throw new Unmappable(`${what}: ${name} has data type ${t.dataType} (only float32 weights are rebuilt)`);
    if (t.dims.join('x') !== dims.join('x')) throw new Unmappable(`${what}: ${name} is ${t.dims.join('x')}, config.json implies ${dims.join('x')}`);
    const bytes = t.bytes ?? new Uint8Array();
    if (bytes.length !== dims.reduce((a, b) => a * b, 1) * 4) throw new Unmappable(`${what}: ${name} holds ${bytes.length} bytes`);
    return { dims, bytes };
  }

  /** The weight input of the MatMul node `scope/MatMul` (an initializer, [rows, cols]). */
  matmul(scope: string, rows: number, cols: number): Weight {
    const node = this.nodes.get(`${scope}/MatMul`);
    if (!node || node.opType !== 'MatMul') throw new Unmappable(`no MatMul node ${scope}/MatMul`);
    return this.tensor(node.input[1]!, [rows, cols], scope);
  }

  /** The bias added by `scope/Add`, if the node exists. */
  bias(scope: string, size: number): Weight | undefined {
    const node = this.nodes.get(`${scope}/Add`);
    if (!node) return undefined;
    const name = node.input.find((i) => this.tensors.has(i));
    if (!name) throw new Unmappable(`${scope}/Add adds no initializer`);
    return this.tensor(name, [size], scope);
  }

  /** A named initializer, with or without the `model.` prefix. */
  named(name: string, dims: number[]): Weight {
    return this.tensor(this.tensors.has(name) ? name : `model.${name}`, dims, name);
  }
}

function layerWeights(m: WeightMap, cfg: ModelConfig, intermediate: number, l: number): LayerWeights {
  const { hiddenSize: h, numHeads, numKvHeads, headDim } = cfg;
  const at = `/layers.${l}`;
  const qOut = numHeads * headDim;
  const kvOut = numKvHeads * headDim;
  return {
    inputNorm: m.named(`layers.${l}.input_layernorm.weight`, [h]),
    postNorm: m.named(`layers.${l}.post_attention_layernorm.weight`, [h]),
    q: m.matmul(`${at}/self_attn/q_proj`, h, qOut),
    k: m.matmul(`${at}/self_attn/k_proj`, h, kvOut),
    v: m.matmul(`${at}/self_attn/v_proj`, h, kvOut),
    qBias: m.bias(`${at}/self_attn/q_proj`, qOut),
    kBias: m.bias(`${at}/self_attn/k_proj`, kvOut),
    vBias: m.bias(`${at}/self_attn/v_proj`, kvOut),
    o: m.matmul(`${at}/self_attn/o_proj`, qOut, h),
    gate: m.matmul(`${at}/mlp/gate_proj`, h, intermediate),
    up: m.matmul(`${at}/mlp/up_proj`, h, intermediate),
    down: m.matmul(`${at}/mlp/down_proj`, intermediate, h),
  };
}

/** The frequency table the exported graph multiplies float positions by before its one Cos node. */
function invFreq(nodes: Map<string, Node>, tensors: Map<string, RawTensor>, pairs: number): Float32Array {
  const all = [...nodes.values()];
  const cos = all.filter((n) => n.opType === 'Cos');
  if (cos.length !== 1) throw new Unmappable(`the graph has ${cos.length} Cos nodes (one RoPE table expected)`);
  const mul = all.find((n) => n.output.includes(cos[0]!.input[0]!));
  if (!mul || mul.opType !== 'Mul') throw new Unmappable('the RoPE angles are not a Mul of positions by frequencies');
  for (const input of mul.input) {
    const constant = all.find((n) => n.opType === 'Constant' && n.output.includes(input))?.attribute[0]?.t;
    const bytes = constant?.dataType === FLOAT32 ? constant.rawData : tensors.get(input)?.bytes;
    if (bytes && bytes.length === pairs * 4) return new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length));
  }
  throw new Unmappable(`no RoPE frequency table of ${pairs} floats beside the Cos node`);
}

/** What in config.json rules the rebuild out (the rebuilt graph implements plain Llama/Qwen2 blocks only). */
function configObstacle(raw: Record<string, unknown>, cfg: ModelConfig): string | undefined {
  if (!FAMILIES.has(cfg.modelType)) return `model_type "${cfg.modelType}" is not a Llama-family decoder the rebuild knows`;
  const act = raw.hidden_act ?? 'silu';
  if (typeof act !== 'string' || !MLP_ACTIVATIONS.has(act)) return `hidden_act ${JSON.stringify(act)} is not silu`;
  if (raw.mlp_bias === true) return 'mlp_bias is set';
  if (raw.tie_word_embeddings === true) return 'tie_word_embeddings: the lm_head is not a separate MatMul weight';
  if (typeof raw.intermediate_size !== 'number') return 'config.json has no intermediate_size';
  if (cfg.rope.unpatchable) return `RoPE: ${cfg.rope.unpatchable}`;
  return undefined;
}

/** Maps the exported graph's weights to layers, or says why it cannot (the reference graph then stays in use). */
export function readDecoderWeights(bytes: Uint8Array, raw: Record<string, unknown>, cfg: ModelConfig): ReadWeights {
  const why = configObstacle(raw, cfg);
  if (why) return { kind: 'unmappable', reason: why };
  try {
    const { nodes, tensors, inputs } = readGraph(bytes);
    const kvType = inputs.get('past_key_values.0.key');
    if (kvType !== FLOAT32 && kvType !== FLOAT16) throw new Unmappable(`the exported KV cache has ONNX type ${String(kvType)} (float32 or float16 expected)`);
    const m = new WeightMap(nodes, tensors);
    const intermediate = raw.intermediate_size as number;
    const embedNode = nodes.get('/embed_tokens/Gather');
    if (!embedNode) throw new Unmappable('no /embed_tokens/Gather node');
    const vocab = tensors.get(embedNode.input[0]!)?.dims[0] ?? 0;
    const layers = Array.from({ length: cfg.numLayers }, (_, l) => layerWeights(m, cfg, intermediate, l));
    if (nodes.has(`/layers.${cfg.numLayers}/self_attn/q_proj/MatMul`)) throw new Unmappable(`the graph has more layers than config.json's ${cfg.numLayers}`);
    const rmsEps = typeof raw.rms_norm_eps === 'number' ? raw.rms_norm_eps : 1e-6;
    return {
      kind: 'mapped',
      weights: {
        embed: m.tensor(embedNode.input[0]!, [vocab, cfg.hiddenSize], 'embed_tokens'),
        layers,
        norm: m.named('norm.weight', [cfg.hiddenSize]),
        lmHead: m.matmul('/lm_head', cfg.hiddenSize, vocab),
        rmsEps,
        invFreq: invFreq(nodes, tensors, cfg.rope.rotaryDim / 2),
        kvDtype: kvType === FLOAT16 ? 'float16' : 'float32',
      },
    };
  } catch (err) {
    if (err instanceof Unmappable) return { kind: 'unmappable', reason: err.message };
    return { kind: 'unmappable', reason: `the model could not be parsed (${(err as Error).message})` };
  }
}
