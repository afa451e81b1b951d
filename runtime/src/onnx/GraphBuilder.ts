// Builds small ONNX models in memory (the KV-cache surgery graphs the runtime runs on the model's own device).
import { ModelProto } from './onnxSchema.js';

/** ONNX TensorProto.DataType values the runtime uses. */
export const OnnxType = { float32: 1, uint8: 2, int32: 6, int64: 7, float16: 10 } as const;
export type OnnxElemType = keyof typeof OnnxType;

/** A dimension: a fixed size or a symbolic name. */
export type Dim = number | string;

/** An attribute: integers are INT unless wrapped as `{ float }` (a float that happens to be whole). */
export type AttrValue = number | number[] | string | { float: number };

interface NodeSpec {
  opType: string;
  input: string[];
  output: string[];
  attrs?: Record<string, AttrValue>;
  domain?: string;
}

/** onnxruntime's contrib operator domain (GroupQueryAttention, SimplifiedLayerNormalization, RotaryEmbedding, …). */
export const MS_DOMAIN = 'com.microsoft';

const ATTR_FLOAT = 1;
const ATTR_INT = 2;
const ATTR_STRING = 3;
const ATTR_GRAPH = 5;
const ATTR_INTS = 7;

function attribute(name: string, value: AttrValue): object {
  if (typeof value === 'string') return { name, type: ATTR_STRING, s: Buffer.from(value) };
  if (typeof value === 'object' && !Array.isArray(value)) return { name, type: ATTR_FLOAT, f: value.float };
  if (Array.isArray(value)) return { name, type: ATTR_INTS, ints: value };
  if (Number.isInteger(value)) return { name, type: ATTR_INT, i: value };
  return { name, type: ATTR_FLOAT, f: value };
}

function valueInfo(name: string, type: OnnxElemType, dims: Dim[]): object {
  const dim = dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d }));
  return { name, type: { tensorType: { elemType: OnnxType[type], shape: { dim } } } };
}

/** Accumulates nodes, inputs, outputs and int64 constants, then serialises an opset-17 ModelProto. */
export class GraphBuilder {
  private readonly nodes: object[] = [];
  private readonly inputs: object[] = [];
  private readonly outputs: object[] = [];
  private readonly initializers: object[] = [];
  private counter = 0;
  private usesMsDomain = false;

  /** `prefix` keeps a subgraph's generated names apart from its parent's (ONNX names are one namespace). */
  constructor(
    private readonly name: string,
    private readonly prefix = '',
  ) {}

  private fresh(kind: string): string {
    return `${this.prefix}${kind}${this.counter++}`;
  }

  /** An output whose type is given but not its shape (a subgraph's result). */
  outputUntyped(name: string, type: OnnxElemType): void {
    this.outputs.push({ name, type: { tensorType: { elemType: OnnxType[type] } } });
  }

  /** `If(cond)`: runs one of two subgraphs (built with prefixed builders, reading this graph's values by name). */
  ifOp(cond: string, thenBranch: GraphBuilder, elseBranch: GraphBuilder, outputs: number): string[] {
    const names = Array.from({ length: outputs }, () => this.fresh('t'));
    this.usesMsDomain ||= thenBranch.usesMsDomain || elseBranch.usesMsDomain;
    this.nodes.push({
      opType: 'If',
      input: [cond],
      output: names,
      name: this.fresh('n'),
      domain: '',
      attribute: [
        { name: 'then_branch', type: ATTR_GRAPH, g: thenBranch.graph() },
        { name: 'else_branch', type: ATTR_GRAPH, g: elseBranch.graph() },
      ],
    });
    return names;
  }

  private graph(): object {
    return { name: this.name, node: this.nodes, input: this.inputs, output: this.outputs, initializer: this.initializers };
  }

  input(name: string, type: OnnxElemType, dims: Dim[]): string {
    this.inputs.push(valueInfo(name, type, dims));
    return name;
  }

  output(name: string, type: OnnxElemType, dims: Dim[]): void {
    this.outputs.push(valueInfo(name, type, dims));
  }

  /** An int64 constant tensor of the given values (1-D). */
  ints(values: number[]): string {
    const name = this.fresh('c');
    const raw = Buffer.from(new BigInt64Array(values.map((v) => BigInt(v))).buffer);
    this.initializers.push({ name, dims: [values.length], dataType: OnnxType.int64, rawData: raw });
    return name;
  }

  /** A float32 constant tensor of the given values and dims. */
  floats(values: number[], dims: number[]): string {
    const name = this.fresh('c');
    this.initializers.push({ name, dims, dataType: OnnxType.float32, rawData: Buffer.from(Float32Array.from(values).buffer) });
    return name;
  }

  /** A constant tensor from raw little-endian bytes (e.g. a weight copied from another model). */
  raw(type: OnnxElemType, dims: number[], bytes: Uint8Array, name = this.fresh('c')): string {
    this.initializers.push({ name, dims, dataType: OnnxType[type], rawData: bytes });
    return name;
  }

  /** Adds one node; returns its first output (a fresh name unless `outputs` names them). */
  op(opType: string, input: string[], attrs?: Record<string, AttrValue>, outputs?: string[], domain?: string): string {
    const output = outputs ?? [this.fresh('t')];
    const spec: NodeSpec = { opType, input, output, attrs, domain };
    if (domain === MS_DOMAIN) this.usesMsDomain = true;
    this.nodes.push({
      opType: spec.opType,
      input: spec.input,
      output: spec.output,
      name: this.fresh('n'),
      domain: spec.domain ?? '',
      attribute: Object.entries(spec.attrs ?? {}).map(([k, v]) => attribute(k, v)),
    });
    return output[0]!;
  }

  /** A node of onnxruntime's contrib domain (com.microsoft); returns its outputs (fresh names unless given). */
  msOp(opType: string, input: string[], attrs: Record<string, AttrValue>, outputs: number | string[] = 1): string[] {
    const names = typeof outputs === 'number' ? Array.from({ length: outputs }, () => this.fresh('t')) : outputs;
    this.op(opType, input, attrs, names, MS_DOMAIN);
    return names;
  }

  /** Several outputs from one node (Split). */
  opMulti(opType: string, input: string[], count: number, attrs?: Record<string, AttrValue>): string[] {
    const outputs = Array.from({ length: count }, () => this.fresh('t'));
    this.op(opType, input, attrs, outputs);
    return outputs;
  }

  toBytes(): Uint8Array {
    const model = {
      irVersion: 8,
      producerName: 'splice',
      opsetImport: [{ domain: '', version: 17 }, ...(this.usesMsDomain ? [{ domain: MS_DOMAIN, version: 1 }] : [])],
      graph: this.graph(),
    };
    return ModelProto.encode(ModelProto.fromObject(model)).finish();
  }
}
