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
  /** The tokens before it: an encoding of bytes [0, start) (the canonical one unless the pre-tokenizer's context adds others). */
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

/**
 * The token at index i of the context: seq[i] inside it, opts.prevToken just before it, -1 for the start of a segment
 * (no token before), undefined where not known (before prevToken).
 */
function tokenAt(seq: readonly number[], i: number, opts: CoverOptions): number | undefined {
  if (i >= 0) return seq[i];
  if (i === -1) return opts.prevToken ?? -1;
  return opts.prevToken === undefined ? -1 : undefined;
}

/**
 * Whether `seq` may go on with token t: t may follow seq's last token (with the character before that token), and
 * that last token may still follow the one before it now that the character after it is known (the pre-tokenizer's
 * splits look one character ahead: `\s+(?!\S)`).
 */
function canExtend(vocab: ByteVocab, seq: readonly number[], t: number, opts: CoverOptions): boolean {
  const n = seq.length;
  const a = tokenAt(seq, n - 1, opts)!;
  if (!vocab.fits(a < 0 ? -1 : tokenAt(seq, n - 2, opts), a, t, undefined)) return false;
  if (n === 0) return true; // a is prevToken or the segment start: nothing earlier to re-check
  const p = tokenAt(seq, n - 2, opts)!;
  return vocab.fits(p < 0 ? -1 : tokenAt(seq, n - 3, opts), p, a, t);
}

/** The canonical encoding of `bytes` on its own when it may follow the token before (undefined if it cannot be said). */
function ownEncoding(vocab: ByteVocab, bytes: Uint8Array, opts: CoverOptions): number[] | undefined {
  const own = bytes.length === 0 ? [] : vocab.tok.encodeBytes(bytes);
  if (!own || (own.length > 0 && opts.prevToken !== undefined && !vocab.fits(undefined, opts.prevToken, own[0]!, own[1]))) return undefined;
  return own;
}

/**
 * The encodings of u[0, p) that can end at p, for p = 0..|u|: the canonical one, and every extension of an earlier
 * one by a token whose bytes end at p and may follow it. Without a pre-tokenizer only the canonical one is valid
 * (pairwise validity); with one, a context-dependent split (`\s+(?!\S)`) or a partial character can add others.
 */
function endingEncodings(vocab: ByteVocab, u: Uint8Array, opts: CoverOptions): number[][][] {
  const out: number[][][] = [[[]]];
  for (let p = 1; p <= u.length; p++) {
    const here = new Map<string, number[]>();
    const own = ownEncoding(vocab, u.subarray(0, p), opts);
    if (own) here.set(keyOf(own), own);
    for (let q = Math.max(0, p - vocab.maxTokenBytes); q < p; q++) {
      const t = vocab.idOfBytes(u.subarray(q, p));
      if (t === undefined) continue;
      for (const e of out[q]!) if (!here.has(keyOf([...e, t])) && canExtend(vocab, e, t, opts)) here.set(keyOf([...e, t]), [...e, t]);
    }
    out.push([...here.values()]);
  }
  return out;
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

/** Every cover of `u` with its mass under the model: an encoding ending at `start` and a valid token covering the rest. */
export async function enumerateCovers(vocab: ByteVocab, model: NextTokenModel, u: Uint8Array, opts: CoverOptions = {}): Promise<Cover[]> {
  const groups: Group[] = [];
  const ending = endingEncodings(vocab, u, opts);
  for (let start = Math.max(0, u.length - vocab.maxTokenBytes); start < u.length; start++) {
    const candidates = vocab.startingWith(u.subarray(start));
    if (candidates.length === 0) continue;
    for (const seq of ending[start]!) {
      const tokens = candidates.filter((t) => canExtend(vocab, seq, t, opts));
      if (tokens.length > 0) groups.push({ start, seq, tokens });
    }
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

/** A cover: the encoding before its last token (shared between covers), that token, and its bytes still to come after x. */
interface Live {
  logMass: number;
  rest: Uint8Array;
  seq: readonly number[];
  token: number;
}

/**
 * The byte-level state of a string x: its covers (with what their last token still holds beyond x). Covers whose
 * last token starts right at the end of x extend the encodings of x that end there: x's own canonical encoding,
 * and the covers of x whose last token ends exactly at its end (with a pre-tokenizer these can differ: `\s+(?!\S)`
 * encodes a run of spaces one way at the end of a text and another way before a word, and a string that ends
 * inside a character has no canonical encoding of its own).
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
    const live = covers.map((c) => ({ logMass: c.logMass, rest: vocab.bytesOf(c.token).subarray(x.length - c.start), seq: c.seq, token: c.token }));
    return new ByteState(vocab, model, opts, x, live);
  }

  /** The token sequences of the current covers (each ends with the token that holds x's last byte). */
  coverTokens(): number[][] {
    return this.live.map((l) => [...l.seq, l.token]);
  }

  /** log P(x | base): the total mass of the covers (0 for the empty string). */
  get logMass(): number {
    return this.bytes.length === 0 ? 0 : logSumExp(this.live.map((l) => l.logMass));
  }

  /** Natural-log mass of x·b for every byte b (unnormalized; subtract logMass for P(b | x)). */
  async nextByteLogMasses(): Promise<Float64Array> {
    const parts: number[][] = Array.from({ length: 256 }, () => []);
    for (const l of [...this.live, ...(await this.boundaryCovers())]) if (l.rest.length > 0) parts[l.rest[0]!]!.push(l.logMass);
    return Float64Array.from(parts, (p) => logSumExp(p));
  }

  /** P(b | x) for every byte, in float64; sums to 1 when the model never ends. */
  async nextByteDistribution(): Promise<Float64Array> {
    const masses = await this.nextByteLogMasses();
    const total = logSumExp([...masses]);
    return masses.map((m) => Math.exp(m - total));
  }

  /** Moves to x·b: covers whose token continues with b survive, and tokens starting with b right after x join. */
  async push(b: number): Promise<void> {
    const next: Live[] = [];
    for (const l of [...this.live, ...(await this.boundaryCovers(b))]) {
      if (l.rest.length > 0 && l.rest[0] === b) next.push({ ...l, rest: l.rest.subarray(1) });
    }
    const bytes = new Uint8Array(this.bytes.length + 1);
    bytes.set(this.bytes);
    bytes[this.bytes.length] = b;
    this.bytes = bytes;
    this.live = next;
  }

  /** The encodings of x that end exactly at its end: its canonical encoding and the covers whose token ends there. */
  private endingEncodings(): number[][] {
    const out = new Map<string, number[]>();
    const own = ownEncoding(this.vocab, this.bytes, this.opts);
    if (own) out.set(keyOf(own), own);
    for (const l of this.live) {
      if (l.rest.length > 0) continue;
      const tokens = [...l.seq, l.token];
      if (!out.has(keyOf(tokens))) out.set(keyOf(tokens), tokens);
    }
    return [...out.values()];
  }

  /**
   * Covers of x·(anything) whose last token starts exactly at the end of x: an encoding ending there and a valid next
   * token (only tokens starting with `first` when given).
   */
  private async boundaryCovers(first?: number): Promise<Live[]> {
    const out: Live[] = [];
    const firsts = first === undefined ? Array.from({ length: 256 }, (_, b) => b) : [first];
    for (const seq of this.endingEncodings()) {
      const rows = await this.model.logProbs(seq);
      const base = seqLogProb(rows, seq);
      const row = rows[seq.length]!;
      for (const b of firsts) {
        for (const t of this.vocab.startingWith(Uint8Array.of(b))) {
          if (canExtend(this.vocab, seq, t, this.opts)) out.push({ logMass: base + row[t]!, rest: this.vocab.bytesOf(t), seq, token: t });
        }
      }
    }
    return out;
  }
}
