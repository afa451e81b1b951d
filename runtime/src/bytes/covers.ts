// Exact byte-level probabilities of a token model (Phan et al.'s Byte-Token Representation Lemma): the covers of a byte
// string, their masses, the next-byte distribution, and its incremental update after each byte.
import { type ByteVocab } from './ByteVocab.js';

/** A token model after a fixed base context: natural-log next-token distributions after base + seq[:i], i = 0..|seq|. */
export interface NextTokenModel {
  logProbs(seq: readonly number[]): Promise<Float64Array[]>;
}

/** A valid encoding whose last token straddles or ends at the end of the byte string. */
export interface Cover {
  /** Byte offset where the covering token starts. */
  start: number;
  /** The tokens before it: the canonical encoding of bytes [0, start). */
  seq: number[];
  token: number;
  /** log P(seq, token | base). */
  logMass: number;
}

export interface CoverOptions {
  /** The token just before the bytes (adjacent-pair validity); undefined when the bytes start a segment. */
  prevToken?: number;
}

interface Group {
  start: number;
  seq: number[];
  tokens: number[];
}

/** Canonical tokens of u[0, start) and the valid tokens that start at `start` and cover the rest of u; undefined if none. */
function groupAt(vocab: ByteVocab, u: Uint8Array, start: number, opts: CoverOptions): Group | undefined {
  const rest = u.subarray(start);
  const candidates = vocab.startingWith(rest);
  if (candidates.length === 0) return undefined;
  const seq = start === 0 ? [] : vocab.tok.encodeBytes(u.subarray(0, start));
  if (!seq) return undefined; // not UTF-8 text on its own: the tokenizer cannot say how it would be encoded
  if (seq.length > 0 && opts.prevToken !== undefined && !vocab.validPair(opts.prevToken, seq[0]!)) return undefined;
  const last = seq.length > 0 ? seq[seq.length - 1] : opts.prevToken;
  const tokens = candidates.filter((t) => (last === undefined ? vocab.validSingle(t) : vocab.validPair(last, t)));
  return tokens.length > 0 ? { start, seq, tokens } : undefined;
}

const keyOf = (seq: readonly number[]) => seq.join(',');

/** Runs the model once per maximal sequence (shorter ones that are prefixes share its rows). */
async function distributions(model: NextTokenModel, seqs: readonly number[][]): Promise<Map<string, Float64Array[]>> {
  const out = new Map<string, Float64Array[]>();
  for (const seq of [...seqs].sort((a, b) => b.length - a.length)) {
    if (out.has(keyOf(seq))) continue;
    const rows = await model.logProbs(seq);
    for (let n = 0; n <= seq.length; n++) {
      const k = keyOf(seq.slice(0, n));
      if (!out.has(k)) out.set(k, rows.slice(0, n + 1));
    }
  }
  return out;
}

function seqLogProb(rows: readonly Float64Array[], seq: readonly number[]): number {
  let lp = 0;
  for (let i = 0; i < seq.length; i++) lp += rows[i]![seq[i]!]!;
  return lp;
}

/** Every cover of `u` with its mass under the model. Splits inside a UTF-8 character are not enumerated. */
export async function enumerateCovers(vocab: ByteVocab, model: NextTokenModel, u: Uint8Array, opts: CoverOptions = {}): Promise<Cover[]> {
  const groups: Group[] = [];
  for (let start = Math.max(0, u.length - vocab.maxTokenBytes); start < u.length; start++) {
    const g = groupAt(vocab, u, start, opts);
    if (g) groups.push(g);
  }
  const dists = await distributions(model, groups.map((g) => g.seq));
  const covers: Cover[] = [];
  for (const g of groups) {
    const rows = dists.get(keyOf(g.seq))!;
    const base = seqLogProb(rows, g.seq);
    const next = rows[g.seq.length]!;
    for (const token of g.tokens) covers.push({ start: g.start, seq: g.seq, token, logMass: base + next[token]! });
  }
  return covers;
}

export function logSumExp(xs: readonly number[]): number {
  let m = -Infinity;
  for (const x of xs) m = Math.max(m, x);
  if (m === -Infinity) return -Infinity;
  let s = 0;
  for (const x of xs) s += Math.exp(x - m);
  return m + Math.log(s);
}

/** A cover with the bytes of its token still to come after the current string. */
interface Live {
  logMass: number;
  rest: Uint8Array;
}

/**
 * The byte-level state of a string x: its covers (with what their last token still holds beyond x) and the
 * canonical encoding of x, from which covers whose last token starts right at the end of x are made.
 */
export class ByteState {
  private constructor(
    private readonly vocab: ByteVocab,
    private readonly model: NextTokenModel,
    private readonly opts: CoverOptions,
    private bytes: Uint8Array,
    private live: Live[],
  ) {}

  static async of(vocab: ByteVocab, model: NextTokenModel, x: Uint8Array, opts: CoverOptions = {}): Promise<ByteState> {
    const covers = await enumerateCovers(vocab, model, x, opts);
    const live = covers.map((c) => ({ logMass: c.logMass, rest: vocab.bytesOf(c.token).subarray(x.length - c.start) }));
    return new ByteState(vocab, model, opts, x, live);
  }

  /** log P(x | base): the total mass of the covers (0 for the empty string). */
  get logMass(): number {
    return this.bytes.length === 0 ? 0 : logSumExp(this.live.map((l) => l.logMass));
  }

  /** Natural-log mass of x·b for every byte b (unnormalized; subtract logMass for P(b | x)). */
  async nextByteLogMasses(): Promise<Float64Array> {
    const parts: number[][] = Array.from({ length: 256 }, () => []);
    for (const l of this.live) if (l.rest.length > 0) parts[l.rest[0]!]!.push(l.logMass);
    for (const l of await this.boundaryCovers()) parts[l.rest[0]!]!.push(l.logMass);
    return Float64Array.from(parts, (p) => logSumExp(p));
  }

  /** P(b | x) for every byte, in float64; sums to 1 when the model never ends. */
  async nextByteDistribution(): Promise<Float64Array> {
    const masses = await this.nextByteLogMasses();
    const total = logSumExp([...masses]);
    return masses.map((m) => Math.exp(m - total));
  }

  /** Moves to x·b: covers whose token continues with b survive, and tokens starting right after x join. */
  async push(b: number): Promise<void> {
    const next: Live[] = [];
    for (const l of [...this.live, ...(await this.boundaryCovers())]) if (l.rest.length > 0 && l.rest[0] === b) next.push({ logMass: l.logMass, rest: l.rest.subarray(1) });
    const bytes = new Uint8Array(this.bytes.length + 1);
    bytes.set(this.bytes);
    bytes[this.bytes.length] = b;
    this.bytes = bytes;
    this.live = next;
  }

  /** Covers of x·(anything) whose last token starts exactly at the end of x: encode(x) + [t], t valid after it. */
  private async boundaryCovers(): Promise<Live[]> {
    const seq = this.bytes.length === 0 ? [] : this.vocab.tok.encodeBytes(this.bytes);
    if (!seq) return [];
    if (seq.length > 0 && this.opts.prevToken !== undefined && !this.vocab.validPair(this.opts.prevToken, seq[0]!)) return [];
    const rows = await this.model.logProbs(seq);
    const base = seqLogProb(rows, seq);
    const last = seq.length > 0 ? seq[seq.length - 1] : this.opts.prevToken;
    const out: Live[] = [];
    const row = rows[seq.length]!;
    for (let b = 0; b < 256; b++) {
      for (const t of this.vocab.startingWith(Uint8Array.of(b))) {
        if (last === undefined ? this.vocab.validSingle(t) : this.vocab.validPair(last, t)) out.push({ logMass: base + row[t]!, rest: this.vocab.bytesOf(t) });
      }
    }
    return out;
  }
}
