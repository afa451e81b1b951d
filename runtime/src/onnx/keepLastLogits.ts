// Rewrites a decoder's ONNX bytes so only the last k logits rows are computed: a `num_logits_to_keep` input (HF semantics).
import { onnxRoot } from './onnxSchema.js';
import { firstString, lengthDelimited, mapStrings, packedInt64s, wireFields, type WireField } from './protoWire.js';

/** The input the rewrite adds: int64 [1]; 0 keeps every row, k the last k rows. */
export const KEEP_INPUT = 'num_logits_to_keep';
/** Names a graph may already take the same input by (transformers renamed it `logits_to_keep`). */
export const KEEP_INPUTS: readonly string[] = [KEEP_INPUT, 'logits_to_keep'];

export type KeepLogits =
  /**
   * New model bytes; `at` says where the rows are cut: before the lm_head (its matmul runs on kept rows) or on the
   * logits. `external`: the model keeps tensors in external data files, which a session made from these bytes finds
   * only when told the model's folder.
   */
  | { kind: 'rewritten'; bytes: Uint8Array; at: 'lm_head' | 'logits'; external: boolean }
  /** The graph already has a `num_logits_to_keep` input. */
  | { kind: 'native' }
  | { kind: 'unchanged'; reason: string };

// Field numbers from onnx.proto.
const MODEL = { irVersion: 1, graph: 7, opsetImport: 8 };
const GRAPH = { node: 1, initializer: 5, input: 11, output: 12, valueInfo: 13, sparseInitializer: 15 };
const NODE = { input: 1, output: 2 };
const TENSOR = { dims: 1, name: 8, externalData: 13, dataLocation: 14 };
const SPARSE = { values: 1, indices: 2, dims: 3 };
const DATA_LOCATION_EXTERNAL = 1n;
const INT64 = 7;
const INT64_MAX = 0x7fffffffffffffffn;
const PREFIX = 'splice_keep_logits';
const NAMES = { starts: `${PREFIX}/starts`, ends: `${PREFIX}/ends`, axes: `${PREFIX}/axes`, rows: `${PREFIX}/rows`, all: `${PREFIX}/all_logits` };

const NodeProto = onnxRoot.lookupType('onnx.NodeProto');
const TensorProto = onnxRoot.lookupType('onnx.TensorProto');
const ValueInfoProto = onnxRoot.lookupType('onnx.ValueInfoProto');
const OperatorSetIdProto = onnxRoot.lookupType('onnx.OperatorSetIdProto');

/** Ops the walk from `logits` back to the lm_head may cross: the rows pass through them unchanged in number. */
const UNARY = new Set(['Cast', 'Identity', 'Tanh']);
const BINARY = new Set(['Add', 'Sub', 'Mul', 'Div']);

interface DecodedNode {
  input: string[];
  output: string[];
  opType: string;
  domain: string;
  attribute: { name: string; i?: unknown; t?: { dims?: unknown[] }; ints?: unknown[]; floats?: unknown[] }[];
}

interface GraphNode extends DecodedNode {
  field: WireField;
}

interface Graph {
  fields: WireField[];
  nodes: GraphNode[];
  producer: Map<string, GraphNode>;
  consumers: Map<string, number>;
  /** Initializers and Constant outputs → dims. */
  constants: Map<string, number[]>;
  inputs: Set<string>;
  outputs: Set<string>;
  external: boolean;
}

/** An int64 field, one value or a packed run, as numbers. */
function int64s(f: WireField): number[] {
  return f.varint !== undefined ? [Number(BigInt.asIntN(64, f.varint))] : packedInt64s(f.body ?? new Uint8Array());
}

interface TensorInfo {
  name: string;
  dims: number[];
  external: boolean;
}

function tensorInfo(body: Uint8Array): TensorInfo {
  const fields = wireFields(body);
  const external = fields.some((f) => f.id === TENSOR.externalData || (f.id === TENSOR.dataLocation && f.varint === DATA_LOCATION_EXTERNAL));
  return { name: firstString(fields, TENSOR.name), dims: fields.filter((f) => f.id === TENSOR.dims).flatMap(int64s), external };
}

function sparseInfo(body: Uint8Array): TensorInfo {
  const fields = wireFields(body);
  const parts = fields.filter((f) => f.id === SPARSE.values || f.id === SPARSE.indices).map((f) => tensorInfo(f.body!));
  const values = fields.find((f) => f.id === SPARSE.values);
  const name = values ? tensorInfo(values.body!).name : '';
  return { name, dims: fields.filter((f) => f.id === SPARSE.dims).flatMap(int64s), external: parts.some((p) => p.external) };
}

function isDefaultDomain(node: DecodedNode): boolean {
  return node.domain === '' || node.domain === 'ai.onnx';
}

/** A Constant node's output dims (scalar for value_float/value_int), undefined for other nodes. */
function constantDims(node: DecodedNode): number[] | undefined {
  if (node.opType !== 'Constant' || !isDefaultDomain(node)) return undefined;
  const a = node.attribute[0];
  if (!a) return undefined;
  if (a.name === 'value') return (a.t?.dims ?? []).map(Number);
  if (a.name === 'value_float' || a.name === 'value_int') return [];
  if (a.name === 'value_floats' || a.name === 'value_ints') return [(a.floats ?? a.ints ?? []).length];
  return undefined;
}

function readGraph(body: Uint8Array): Graph {
  const g: Graph = { fields: wireFields(body), nodes: [], producer: new Map(), consumers: new Map(), constants: new Map(), inputs: new Set(), outputs: new Set(), external: false };
  for (const f of g.fields) {
    if (f.wireType !== 2) continue;
    if (f.id === GRAPH.node) {
      const node: GraphNode = { ...(NodeProto.toObject(NodeProto.decode(f.body!), { defaults: true, arrays: true, longs: Number }) as DecodedNode), field: f };
      g.nodes.push(node);
      node.output.forEach((o) => g.producer.set(o, node));
      node.input.forEach((i) => g.consumers.set(i, (g.consumers.get(i) ?? 0) + 1));
      const dims = constantDims(node);
      if (dims && node.output[0]) g.constants.set(node.output[0], dims);
    } else if (f.id === GRAPH.initializer || f.id === GRAPH.sparseInitializer) {
      const t = f.id === GRAPH.initializer ? tensorInfo(f.body!) : sparseInfo(f.body!);
      g.constants.set(t.name, t.dims);
      g.external ||= t.external;
    } else if (f.id === GRAPH.input || f.id === GRAPH.output) {
      (f.id === GRAPH.input ? g.inputs : g.outputs).add(firstString(wireFields(f.body!), 1));
    }
  }
  return g;
}

/** A constant whose every axis but the last has size 1: slicing rows of the other operand keeps the broadcast valid. */
function isRowInvariant(g: Graph, name: string): boolean {
  const dims = g.constants.get(name);
  return dims !== undefined && dims.slice(0, -1).every((d) => d === 1);
}

/** The input of an elementwise node that carries the rows; undefined if the node is not one the walk may cross. */
function rowInput(g: Graph, node: GraphNode): string | undefined {
  if (!isDefaultDomain(node)) return undefined;
  if (UNARY.has(node.opType)) return node.input[0];
  if (!BINARY.has(node.opType) || node.input.length !== 2) return undefined;
  const [a, b] = node.input as [string, string];
  if (isRowInvariant(g, b) && !g.constants.has(a)) return a;
  if (isRowInvariant(g, a) && !g.constants.has(b)) return b;
  return undefined;
}

function isLmHead(node: GraphNode): boolean {
  if (node.domain === 'com.microsoft' && node.opType === 'MatMulNBits') return true; // 4-bit exports: A is input 0
  if (!isDefaultDomain(node) || node.input.length < 2) return false;
  if (node.opType === 'MatMul') return true;
  return node.opType === 'Gemm' && !node.attribute.some((a) => a.name === 'transA' && Number(a.i) !== 0);
}

/** Walks back from the logits' producer through elementwise ops to the lm_head matmul; the values in between change shape. */
function findLmHead(g: Graph, logitsNode: GraphNode): { node: GraphNode; between: string[] } | undefined {
  const between: string[] = [];
  let node = logitsNode;
  for (let steps = 0; steps <= g.nodes.length; steps++) {
    if (node.output.length !== 1) return undefined;
    if (isLmHead(node)) return { node, between };
    const prev = rowInput(g, node);
    const producer = prev === undefined ? undefined : g.producer.get(prev);
    if (prev === undefined || !producer || g.consumers.get(prev) !== 1 || g.outputs.has(prev)) return undefined;
    between.push(prev);
    node = producer;
  }
  return undefined;
}

function field(id: number, bytes: Uint8Array): Uint8Array[] {
  return lengthDelimited(id, [bytes]);
}

function nodeField(name: string, opType: string, input: string[], output: string[]): Uint8Array[] {
  return field(GRAPH.node, NodeProto.encode(NodeProto.fromObject({ name, opType, input, output })).finish());
}

function int64Initializer(name: string, value: bigint): Uint8Array[] {
  const rawData = new Uint8Array(BigInt64Array.of(value).buffer);
  return field(GRAPH.initializer, TensorProto.encode(TensorProto.fromObject({ name, dims: [1], dataType: INT64, rawData })).finish());
}

function keepInputField(): Uint8Array[] {
  const info = { name: KEEP_INPUT, type: { tensorType: { elemType: INT64, shape: { dim: [{ dimValue: 1 }] } } } };
  return field(GRAPH.input, ValueInfoProto.encode(ValueInfoProto.fromObject(info)).finish());
}

/** Neg(k) → starts, then Slice(from, starts, INT64_MAX, axes=[-2]) → to: the last k rows (all of them when k = 0). */
function sliceNodes(from: string, to: string): Uint8Array[] {
  return [...nodeField(`${PREFIX}/Neg`, 'Neg', [KEEP_INPUT], [NAMES.starts]), ...nodeField(`${PREFIX}/Slice`, 'Slice', [from, NAMES.starts, NAMES.ends, NAMES.axes], [to])];
}

interface Edit {
  node: GraphNode;
  /** Fields that replace the node's field. */
  replacement: Uint8Array[];
  /** value_info entries to drop (their shapes change). */
  reshaped: Set<string>;
  at: 'lm_head' | 'logits';
}

function planEdit(g: Graph, logitsNode: GraphNode): Edit {
  const head = findLmHead(g, logitsNode);
  if (head) {
    const activation = head.node.input[0]!;
    const edited = mapStrings(head.node.field.body!, NODE.input, (v, i) => (i === 0 ? NAMES.rows : v));
    return { node: head.node, replacement: [...sliceNodes(activation, NAMES.rows), ...field(GRAPH.node, edited)], reshaped: new Set(head.between), at: 'lm_head' };
  }
  const edited = mapStrings(logitsNode.field.body!, NODE.output, (v) => (v === 'logits' ? NAMES.all : v));
  return { node: logitsNode, replacement: [...field(GRAPH.node, edited), ...sliceNodes(NAMES.all, 'logits')], reshaped: new Set(), at: 'logits' };
}

function applyEdit(g: Graph, edit: Edit): Uint8Array[] {
  const chunks: Uint8Array[] = [];
  for (const f of g.fields) {
    if (f === edit.node.field) chunks.push(...edit.replacement);
    else if (f.id === GRAPH.valueInfo && f.body && edit.reshaped.has(firstString(wireFields(f.body), 1))) continue;
    else chunks.push(f.raw);
  }
  chunks.push(...int64Initializer(NAMES.ends, INT64_MAX), ...int64Initializer(NAMES.axes, -2n), ...keepInputField());
  return chunks;
}

function defaultOpset(fields: readonly WireField[]): number | undefined {
  for (const f of fields.filter((x) => x.id === MODEL.opsetImport && x.body)) {
    const o = OperatorSetIdProto.toObject(OperatorSetIdProto.decode(f.body!), { defaults: true, longs: Number }) as { domain: string; version: unknown };
    if (o.domain === '' || o.domain === 'ai.onnx') return Number(o.version);
  }
  return undefined;
}

/** Why the graph cannot take the rewrite, or undefined if it can. */
function obstacle(model: readonly WireField[], g: Graph): string | undefined {
  const ir = model.find((f) => f.id === MODEL.irVersion)?.varint;
  if (ir === undefined || ir < 4n) return `IR version ${String(ir)} predates initializers outside the graph inputs`;
  const opset = defaultOpset(model);
  if (opset === undefined || opset < 10) return `opset ${String(opset)} has no Slice with tensor inputs`;
  if (!g.outputs.has('logits') || !g.producer.has('logits')) return 'no node produces a graph output named logits';
  if (g.consumers.has('logits')) return 'logits also feeds other nodes';
  const names = [...g.producer.keys(), ...g.constants.keys(), ...g.inputs];
  if (names.some((n) => n.startsWith(PREFIX))) return `the graph already uses names starting with ${PREFIX}`;
  return undefined;
}

/**
 * Adds a `num_logits_to_keep` input and cuts the rows before the lm_head (or, if the walk back from `logits` does not
 * reach a MatMul/Gemm through elementwise ops, on `logits` itself). Every field it does not edit keeps its bytes.
 */
export function keepLastLogits(bytes: Uint8Array): KeepLogits {
  let model: WireField[];
  let graphField: WireField;
  let g: Graph;
  try {
    model = wireFields(bytes);
    const graphs = model.filter((f) => f.id === MODEL.graph);
    if (graphs.length !== 1 || !graphs[0]!.body) return { kind: 'unchanged', reason: `the model has ${graphs.length} graph fields` };
    graphField = graphs[0]!;
    g = readGraph(graphField.body!);
  } catch (err) {
    return { kind: 'unchanged', reason: `the model could not be parsed (${(err as Error).message})` };
  }
  if (KEEP_INPUTS.some((n) => g.inputs.has(n))) return { kind: 'native' };
  const why = obstacle(model, g);
  if (why) return { kind: 'unchanged', reason: why };
  const edit = planEdit(g, g.producer.get('logits')!);
  const graph = applyEdit(g, edit);
  const chunks = model.flatMap((f) => (f === graphField ? lengthDelimited(MODEL.graph, graph) : [f.raw]));
  return { kind: 'rewritten', bytes: Buffer.concat(chunks), at: edit.at, external: g.external };
}
