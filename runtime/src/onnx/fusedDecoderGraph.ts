// Builds an inference graph for a Llama-family decoder from its weights, with onnxruntime's fused contrib operators.
import type { ModelConfig } from '../model/ModelConfig.js';
import type { DecoderWeights, LayerWeights, Weight } from './decoderWeights.js';
import { GraphBuilder } from './GraphBuilder.js';
import { KEEP_INPUT } from './keepLastLogits.js';
import { BLOCK_SIZE, quantizeNBits, type WeightBits } from './quantizeNBits.js';

/**
 * How the graph meets the KV cache.
 * - `buffer`: the caller keeps K/V in preallocated buffers [1, kvHeads, capacity, headDim] and feeds each KV head's
 *   used rows as its own zero-copy view (`past.L.key.hJ`, [1, 1, rows, headDim]; a masked tail of the cache is left
 *   out of the view); the graph outputs only the new rows
 *   (`new.L.key/value`), which the caller writes into the buffers. No per-step copy of the cache.
 * - `concat`: past K/V are exact [1, kvHeads, rows, headDim]; the graph outputs `present.L.*` = past + new rows
 *   (one copy per step, for devices whose tensors the caller cannot write).
 */
export type KvMode = 'buffer' | 'concat';

/** `concat`: [1, 1, groups*S, past+S], the whole additive mask. */
export const BIAS_INPUT = 'attention_bias';

/** How a body computes attention: over `buffer` views for one new token or for a chunk, or over a `concat`ed cache. */
type AttentionShape = 'decode' | 'prefill' | 'concat';
/** `buffer`: [1, 1, S, S], the causal mask among the new tokens. */
export const NEW_BIAS_INPUT = 'new_bias';
const INT64_MAX = Number.MAX_SAFE_INTEGER;

export function newKvNames(layers: number): string[] {
  return Array.from({ length: layers }, (_, i) => [`new.${i}.key`, `new.${i}.value`]).flat();
}

/** `buffer` mode's past inputs of one layer's keys or values, one per KV head. */
export function pastHeadNames(layer: number, kind: 'key' | 'value', kvHeads: number): string[] {
  return Array.from({ length: kvHeads }, (_, j) => `past.${layer}.${kind}.h${j}`);
}

/**
 * cos/sin tables [maxPositions, rotaryDim/2] from the graph's own frequencies (angle rounded to float32 as it does),
 * times the scaling's attention factor (YaRN, LongRoPE; 1 otherwise).
 */
function ropeCaches(g: GraphBuilder, invFreq: Float32Array, maxPositions: number, attentionFactor: number): { cos: string; sin: string } {
  const factor = Math.fround(attentionFactor);
  const pairs = invFreq.length;
  const cos = new Float32Array(maxPositions * pairs);
  const sin = new Float32Array(maxPositions * pairs);
  for (let p = 0; p < maxPositions; p++) {
    for (let i = 0; i < pairs; i++) {
      const angle = Math.fround(Math.fround(p) * invFreq[i]!);
      cos[p * pairs + i] = factor === 1 ? Math.cos(angle) : Math.fround(Math.cos(angle)) * factor;
      sin[p * pairs + i] = factor === 1 ? Math.sin(angle) : Math.fround(Math.sin(angle)) * factor;
    }
  }
  const bytes = (a: Float32Array) => new Uint8Array(a.buffer);
  return { cos: g.raw('float32', [maxPositions, pairs], bytes(cos), 'rope_cos'), sin: g.raw('float32', [maxPositions, pairs], bytes(sin), 'rope_sin') };
}

/** A weight's float32 values (a copy, aligned). */
function floats(wt: Weight): Float32Array {
  return new Float32Array(wt.bytes.buffer.slice(wt.bytes.byteOffset, wt.bytes.byteOffset + wt.bytes.length));
}

class DecoderGraph {
  /** The model's graph: inputs, outputs and every weight. */
  private readonly root = new GraphBuilder('splice_fused_decoder');
  /** The graph being written: the root, or a branch of the decode/prefill If while one is built. */
  private g = this.root;
  /** Weight initializers by name, always in the root graph (branches read them, never copy them). */
  private readonly weights = new Map<string, string>();
  private readonly groups: number;
  private rope!: { cos: string; sin: string };
  private pastRowsName?: string;
  private pastShapeName?: string;

  /** Quantized weights' initializers (data, scales, zero points) by name, in the root graph. */
  private readonly quantized = new Map<string, string[]>();

  constructor(
    private readonly cfg: ModelConfig,
    private readonly w: DecoderWeights,
    private readonly mode: KvMode,
    private readonly bits: WeightBits,
    /** The cache's dtype: float16 halves its memory; attention reads it cast to float32. */
    private readonly kvType: 'float32' | 'float16',
  ) {
    this.groups = cfg.numHeads / cfg.numKvHeads;
  }

  private rootWeight(name: string, dims: number[], bytes: () => Uint8Array): string {
    let init = this.weights.get(name);
    if (!init) this.weights.set(name, (init = this.root.raw('float32', dims, bytes(), name)));
    return init;
  }

  private weight(wt: Weight, name: string): string {
    return this.rootWeight(name, wt.dims, () => wt.bytes);
  }

  /** x · W for W [k, n]: a MatMul on float32 weights, or MatMulNBits on 8/4-bit blocks of them. */
  private matmul(x: string, name: string, k: number, n: number, floats: () => Float32Array): string {
    if (this.bits === 'float32') return this.g.op('MatMul', [x, this.rootWeight(name, [k, n], () => new Uint8Array(floats().buffer))]);
    let names = this.quantized.get(name);
    if (!names) {
      const q = quantizeNBits(floats(), k, n, this.bits === 'int8' ? 8 : 4);
      const blob = (BLOCK_SIZE * q.bits) / 8;
      names = [
        this.root.raw('uint8', [n, q.blocks, blob], q.data, `${name}.q${q.bits}`),
        this.root.raw('float32', [n * q.blocks], new Uint8Array(q.scales.buffer), `${name}.scales`),
        this.root.raw('uint8', [q.zeroPoints.length], q.zeroPoints, `${name}.zero_points`),
      ];
      this.quantized.set(name, names);
    }
    const attrs = { K: k, N: n, bits: this.bits === 'int8' ? 8 : 4, block_size: BLOCK_SIZE, accuracy_level: 4 };
    return this.g.msOp('MatMulNBits', [x, ...names], attrs)[0]!;
  }

  private linear(x: string, wt: Weight, name: string, bias?: Weight): string {
    const y = this.matmul(x, name, wt.dims[0]!, wt.dims[1]!, () => floats(wt));
    return bias ? this.g.op('Add', [y, this.weight(bias, `${name}.bias`)]) : y;
  }

  /** One MatMul over weights placed side by side (q|k|v, gate|up), split back: fewer, larger GEMVs per step. */
  private linears(x: string, parts: { w: Weight; bias?: Weight }[], name: string): string[] {
    const rows = parts[0]!.w.dims[0]!;
    const widths = parts.map((p) => p.w.dims[1]!);
    const total = widths.reduce((a, b) => a + b, 0);
    const offsets = widths.map((_, i) => widths.slice(0, i).reduce((a, b) => a + b, 0));
    let y = this.matmul(x, name, rows, total, () => {
      const out = new Float32Array(rows * total);
      parts.forEach((p, i) => {
        const src = floats(p.w);
        for (let r = 0; r < rows; r++) out.set(src.subarray(r * widths[i]!, (r + 1) * widths[i]!), r * total + offsets[i]!);
      });
      return out;
    });
    if (parts.some((p) => p.bias)) {
      const bias = this.rootWeight(`${name}.bias`, [total], () => {
        const out = new Float32Array(total);
        parts.forEach((p, i) => p.bias && out.set(floats(p.bias), offsets[i]!));
        return new Uint8Array(out.buffer);
      });
      y = this.g.op('Add', [y, bias]);
    }
    return this.g.opMulti('Split', [y, this.g.ints(widths)], parts.length, { axis: 2 });
  }

  private rotary(x: string, heads: number): string {
    const { rope } = this.cfg;
    const attrs = { num_heads: heads, rotary_embedding_dim: rope.rotaryDim, interleaved: rope.layout === 'interleaved' ? 1 : 0 };
    return this.g.msOp('RotaryEmbedding', [x, 'position_ids', this.rope.cos, this.rope.sin], attrs)[0]!;
  }

  /** [1, S, kv*D] → [1, kv, S, D]. */
  private toHeads(x: string, oneToken = false): string {
    // One token: [1, 1, kv*D] and [1, kv, 1, D] share a memory layout, a Reshape (no copy) is the transpose.
    if (oneToken) return this.g.op('Reshape', [x, this.g.ints([1, this.cfg.numKvHeads, 1, this.cfg.headDim])]);
    const { numKvHeads, headDim } = this.cfg;
    return this.g.op('Transpose', [this.g.op('Reshape', [x, this.g.ints([1, -1, numKvHeads, headDim])])], { perm: [0, 2, 1, 3] });
  }

  /** q [1, S, H*D] → [1, kv, G*S, D]: the query heads that share a KV head stacked as rows (no K/V expansion). */
  private groupedQuery(q: string): string {
    const { numKvHeads, headDim } = this.cfg;
    const split = this.g.op('Reshape', [q, this.g.ints([1, -1, numKvHeads, this.groups, headDim])]);
    const t = this.g.op('Transpose', [split], { perm: [0, 2, 3, 1, 4] });
    return this.g.op('Reshape', [t, this.g.ints([1, numKvHeads, -1, headDim])]);
  }

  /** [1, kv, G*S, D] → [1, S, H*D]. */
  private ungroup(o: string): string {
    const { numKvHeads, numHeads, headDim } = this.cfg;
    const split = this.g.op('Reshape', [o, this.g.ints([1, numKvHeads, this.groups, -1, headDim])]);
    const t = this.g.op('Transpose', [split], { perm: [0, 3, 1, 2, 4] });
    return this.g.op('Reshape', [t, this.g.ints([1, -1, numHeads * headDim])]);
  }

  private scores(q: string, k: string): string {
    return this.g.msOp('FusedMatMul', [q, k], { transB: 1, alpha: { float: 1 / Math.sqrt(this.cfg.headDim) } })[0]!;
  }

  private softmax(s: string): string {
    return this.g.op('Softmax', [s], { axis: -1 });
  }

  /** Splits [1, n, …] into n tensors along axis 1 (none for n = 1). */
  private split1(x: string, n: number): string[] {
    return n === 1 ? [x] : this.g.opMulti('Split', [x, this.g.ints(Array(n).fill(1))], n, { axis: 1 });
  }

  /** Rows of the past (the same for every layer and head): a shape read of the first past input. */
  private pastRows(): string {
    this.pastRowsName ??= this.g.op('Shape', [pastHeadNames(0, 'key', this.cfg.numKvHeads)[0]!], { start: 2, end: 3 });
    return this.pastRowsName;
  }

  /** [1, H, S, P] as a tensor (a -1 cannot stand for S when P is 0). */
  private pastScoresShape(): string {
    const tokens = this.g.op('Shape', ['input_ids'], { start: 1, end: 2 });
    this.pastShapeName ??= this.g.op('Concat', [this.g.ints([1, this.cfg.numHeads]), tokens, this.pastRows()], { axis: 0 });
    return this.pastShapeName;
  }

  /**
   * Decode-shaped attention (few new tokens): over the past rows (each KV head's own zero-copy input, streamed once as
   * K·qᵀ and once per query head as p·V: GEMVs, no K/V expansion) and the new rows (all heads in one grouped product);
   * one softmax for all heads. Returns [1, S, H*D].
   */
  private decodeAttention(l: number, q: string, k: string, v: string): string {
    const { numHeads, numKvHeads, headDim } = this.cfg;
    const pastKs = pastHeadNames(l, 'key', numKvHeads).map((n) => this.readKv(n));
    const pastVs = pastHeadNames(l, 'value', numKvHeads).map((n) => this.readKv(n));
    const qh = this.g.op('Reshape', [q, this.g.ints([1, numHeads, 1, headDim])]); // one token: no transpose needed
    const headOf = (h: number) => Math.floor(h / this.groups);
    const byHead = (xs: string[]) => (xs.length === 1 ? xs[0]! : this.g.op('Concat', xs, { axis: 1 }));
    const toHeadRows = this.g.ints([0, numHeads, -1, 0]);
    const toGroupRows = this.g.ints([0, numKvHeads, -1, 0]);
    const qg = this.g.op('Reshape', [qh, toGroupRows]);
    // K [P, D] · qᵀ [D, G·S] per KV head: K streams through as the GEMM's A (never packed); the group's queries are
    // the small B. Then [1, kv, P, G·S] → [1, H, S, P].
    const qT = this.split1(this.g.op('Transpose', [qg], { perm: [0, 1, 3, 2] }), numKvHeads);
    const alpha = { float: 1 / Math.sqrt(headDim) };
    const pastT = byHead(qT.map((qj, j) => this.g.msOp('FusedMatMul', [pastKs[j]!, qj], { alpha })[0]!));
    const past = this.g.op('Reshape', [this.g.op('Transpose', [pastT], { perm: [0, 1, 3, 2] }), this.pastScoresShape()]);
    const fresh = this.g.op('Reshape', [this.scores(qg, k), toHeadRows]);
    const p = this.softmax(this.g.op('Concat', [past, fresh], { axis: 3 })); // one new token sees itself: no mask
    const axis = this.g.ints([3]);
    const pPast = this.g.op('Slice', [p, this.g.ints([0]), this.pastRows(), axis]);
    const pNew = this.g.op('Slice', [p, this.pastRows(), this.g.ints([INT64_MAX]), axis]);
    const oPast = byHead(this.split1(pPast, numHeads).map((pi, h) => this.g.op('MatMul', [pi, pastVs[headOf(h)]!])));
    const oNew = this.g.op('Reshape', [this.g.op('MatMul', [this.g.op('Reshape', [pNew, toGroupRows]), v]), toHeadRows]);
    return this.g.op('Reshape', [this.g.op('Add', [oPast, oNew]), this.g.ints([1, 1, numHeads * headDim])]);
  }

  /**
   * Prefill-shaped attention (a chunk of new tokens): the KV heads' past views and the new rows joined once per chunk
   * (a copy the chunk's rows amortize), then every KV head's group of queries in one batched product, as the exported
   * graph does but without expanding KV heads. Returns [1, S, H*D].
   */
  private prefillAttention(l: number, q: string, k: string, v: string): string {
    const { numHeads, numKvHeads } = this.cfg;
    const join = (kind: 'key' | 'value', fresh: string) => {
      const past = pastHeadNames(l, kind, numKvHeads).map((n) => this.readKv(n));
      return this.g.op('Concat', [past.length === 1 ? past[0]! : this.g.op('Concat', past, { axis: 1 }), fresh], { axis: 2 });
    };
    const scores = this.scores(this.groupedQuery(q), join('key', k)); // [1, kv, G·S, P+S]
    // Per head and token: the past rows all visible, the new ones causal ([1, 1, S, P] zeros, then the causal mask).
    const tokens = this.g.op('Shape', ['input_ids'], { start: 1, end: 2 });
    const zeros = this.g.op('ConstantOfShape', [this.g.op('Concat', [this.g.ints([1, 1]), tokens, this.pastRows()], { axis: 0 })]); // float32 zeros by default
    const bias = this.g.op('Concat', [zeros, NEW_BIAS_INPUT], { axis: 3 });
    const perHead = this.g.op('Add', [this.g.op('Reshape', [scores, this.g.ints([0, numHeads, -1, 0])]), bias]);
    const p = this.g.op('Reshape', [this.softmax(perHead), this.g.ints([0, numKvHeads, -1, 0])]);
    return this.ungroup(this.g.op('MatMul', [p, join('value', v)]));
  }

  /** A cached tensor as attention reads it: itself, or cast to float32 from a float16 cache. */
  private readKv(x: string): string {
    return this.kvType === 'float32' ? x : this.g.op('Cast', [x], { to: 1 });
  }

  /** A new row as the cache stores it (float16: rounded), and as attention reads it (the stored value). */
  private storeKv(x: string): { stored: string; read: string } {
    if (this.kvType === 'float32') return { stored: x, read: x };
    const stored = this.g.op('Cast', [x], { to: 10 });
    return { stored, read: this.g.op('Cast', [stored], { to: 1 }) };
  }

  /** A branch of the decode/prefill If: its own builder (prefixed names) reading the root's inputs and weights. */
  private branch(name: string, build: () => string[]): GraphBuilder {
    const outer = this.g;
    const sub = new GraphBuilder(name, `${name}_`);
    this.g = sub;
    try {
      build().forEach((value, i) => {
        sub.op('Identity', [value], undefined, [`${name}_out${i}`]);
        sub.outputUntyped(`${name}_out${i}`, i === 0 ? 'float32' : this.kvType);
      });
    } finally {
      this.g = outer;
    }
    return sub;
  }

  /** Self-attention of one layer: its output [1, S, hidden] and the new rows' keys and values [1, kv, S, D]. */
  private attention(l: number, x: string, lw: LayerWeights, shape: AttentionShape): { out: string; k: string; v: string } {
    const { numHeads, numKvHeads } = this.cfg;
    const [qx, kx, vx] = this.linears(x, [{ w: lw.q, bias: lw.qBias }, { w: lw.k, bias: lw.kBias }, { w: lw.v, bias: lw.vBias }], `l${l}.qkv`) as [string, string, string];
    const q = this.rotary(qx, numHeads);
    const k = this.storeKv(this.toHeads(this.rotary(kx, numKvHeads), shape === 'decode'));
    const v = this.storeKv(this.toHeads(vx, shape === 'decode'));
    if (shape !== 'concat') {
      const o = shape === 'decode' ? this.decodeAttention(l, q, k.read, v.read) : this.prefillAttention(l, q, k.read, v.read);
      return { out: this.linear(o, lw.o, `l${l}.o`), k: k.stored, v: v.stored };
    }
    const presK = this.g.op('Concat', [`past_key_values.${l}.key`, k.stored], { axis: 2 });
    const presV = this.g.op('Concat', [`past_key_values.${l}.value`, v.stored], { axis: 2 });
    const qg = this.groupedQuery(q);
    const o = this.ungroup(this.g.op('MatMul', [this.softmax(this.g.op('Add', [this.scores(qg, this.readKv(presK)), BIAS_INPUT])), this.readKv(presV)]));
    return { out: this.linear(o, lw.o, `l${l}.o`), k: presK, v: presV };
  }

  private mlp(l: number, x: string, lw: LayerWeights): string {
    const [gate, up] = this.linears(x, [{ w: lw.gate }, { w: lw.up }], `l${l}.gate_up`) as [string, string];
    const act = this.g.op('Mul', [this.g.op('Mul', [gate, this.g.op('Sigmoid', [gate])]), up]);
    return this.linear(act, lw.down, `l${l}.down`);
  }

  /** RMSNorm of (x + skip), returning [normed, x + skip]. */
  private skipNorm(x: string, skip: string, weight: Weight, name: string): [string, string] {
    const [normed, , , sum] = this.g.msOp('SkipSimplifiedLayerNormalization', [x, skip, this.weight(weight, name)], { epsilon: { float: this.w.rmsEps } }, 4);
    return [normed!, sum!];
  }

  private norm(x: string, weight: Weight, name: string): string {
    return this.g.op('SimplifiedLayerNormalization', [x, this.weight(weight, name)], { axis: -1, epsilon: { float: this.w.rmsEps }, stash_type: 1 });
  }

  private declareIo(): void {
    const { numLayers, numKvHeads, headDim } = this.cfg;
    const vocab = this.w.embed.dims[0]!;
    this.g.input('input_ids', 'int64', [1, 'sequence']);
    this.g.input('position_ids', 'int64', [1, 'sequence']);
    if (this.mode === 'buffer') {
      this.g.input(NEW_BIAS_INPUT, 'float32', [1, 1, 'sequence', 'sequence']);
    } else this.g.input(BIAS_INPUT, 'float32', [1, 1, 'query_rows', 'key_rows']);
    this.g.input(KEEP_INPUT, 'int64', [1]);
    for (let l = 0; l < numLayers; l++) {
      for (const kind of ['key', 'value'] as const) {
        if (this.mode === 'buffer') for (const name of pastHeadNames(l, kind, numKvHeads)) this.g.input(name, this.kvType, [1, 1, 'past', headDim]);
        else this.g.input(`past_key_values.${l}.${kind}`, this.kvType, [1, numKvHeads, 'past', headDim]);
      }
    }
    this.g.output('logits', 'float32', [1, 'kept', vocab]);
    for (let l = 0; l < numLayers; l++) {
      for (const kind of ['key', 'value']) {
        const name = this.mode === 'buffer' ? `new.${l}.${kind}` : `present.${l}.${kind}`;
        this.g.output(name, this.kvType, [1, numKvHeads, this.mode === 'buffer' ? 'sequence' : 'total', headDim]);
      }
    }
  }

  /** The decoder from the embedding to the logits: [logits, key0, value0, key1, …] (new rows, or present for `concat`). */
  private body(shape: AttentionShape): string[] {
    const kv: string[] = [];
    let x = this.g.op('Gather', [this.weight(this.w.embed, 'embed_tokens'), 'input_ids']);
    let normed = this.norm(x, this.w.layers[0]!.inputNorm, 'l0.input_norm');
    let mlpOut: string | undefined;
    this.w.layers.forEach((lw, l) => {
      if (mlpOut) [normed, x] = this.skipNorm(mlpOut, x, lw.inputNorm, `l${l}.input_norm`);
      const attn = this.attention(l, normed, lw, shape);
      kv.push(attn.k, attn.v);
      [normed, x] = this.skipNorm(attn.out, x, lw.postNorm, `l${l}.post_norm`);
      mlpOut = this.mlp(l, normed, lw);
    });
    const last = this.g.op('Add', [mlpOut!, x]);
    const kept = this.g.op('Slice', [last, this.g.op('Neg', [KEEP_INPUT]), this.g.ints([INT64_MAX]), this.g.ints([1])]);
    const hidden = this.norm(kept, this.w.norm, 'final_norm');
    return [this.linear(hidden, this.w.lmHead, 'lm_head'), ...kv];
  }

  /** `buffer`: one If picks the decode-shaped body (a single new token) or the prefill-shaped one; both read the root's weights. */
  private bufferBody(): string[] {
    const count = 1 + 2 * this.cfg.numLayers;
    this.pastRows();
    this.pastScoresShape();
    const decodeStep = this.g.op('Equal', [this.g.op('Shape', ['input_ids'], { start: 1, end: 2 }), this.g.ints([1])]);
    const decode = this.branch('decode', () => this.body('decode'));
    const prefill = this.branch('prefill', () => this.body('prefill'));
    return this.g.ifOp(decodeStep, decode, prefill, count);
  }

  build(): Uint8Array {
    this.declareIo();
    // Twice the trained positions: the reference graph computes any position, the table must not be what fails first.
    const scaling = this.cfg.rope.scaling;
    const attentionFactor = scaling && 'attentionFactor' in scaling ? scaling.attentionFactor : 1;
    this.rope = ropeCaches(this.g, this.w.invFreq, 2 * this.cfg.maxPositions, attentionFactor);
    const [logits, ...kv] = this.mode === 'buffer' ? this.bufferBody() : this.body('concat');
    const prefix = this.mode === 'buffer' ? 'new' : 'present';
    this.g.op('Identity', [logits!], undefined, ['logits']);
    kv.forEach((t, i) => this.g.op('Identity', [t], undefined, [`${prefix}.${i >> 1}.${i % 2 === 0 ? 'key' : 'value'}`]));
    return this.g.toBytes();
  }
}

/** The fused decoder's ONNX bytes (weights copied in, or quantized to 8/4-bit blocks; nothing is written to disk). */
export function fusedDecoderGraph(cfg: ModelConfig, weights: DecoderWeights, mode: KvMode, bits: WeightBits = 'float32', kvType: 'float32' | 'float16' = weights.kvDtype): Uint8Array {
  return new DecoderGraph(cfg, weights, mode, bits, kvType).build();
}
