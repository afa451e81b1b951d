// A byte-level BPE vocabulary as byte strings: each token's bytes, the tokens that start with given bytes, pair validity.
import type { SpliceTokenizer } from '../tokenizer/SpliceTokenizer.js';
import { BytePairRule, isContinuation, utf8Text } from './BytePairRule.js';
import { MergeRanks } from './MergeRanks.js';

/** What the byte-level algorithms need of a tokenizer (the real one, or a toy one in tests). */
export interface ByteTokenizer {
  /** Token ids 0..size-1 (some may have no bytes: specials, holes). */
  readonly size: number;
  /** The token's bytes, or undefined for special tokens. */
  bytesOf(id: number): Uint8Array | undefined;
  /** The canonical encoding of a byte string tokenized on its own; undefined when it cannot be (not UTF-8 text). */
  encodeBytes(bytes: Uint8Array): number[] | undefined;
  /** Pair validity from the merge ranks (when known): `valid` as the whole text, `validOpen` with unknown neighbours (a < 0: a single token). */
  pairs?: {
    valid(a: number, b: number): boolean;
    check(a: number, b: number): boolean;
    validOpen(a: number, b: number): boolean;
    validAround(a: number, b: number, left: string | undefined, right: string | undefined): boolean;
  };
}

/** GPT-2's byte ↔ printable-character table that byte-level BPE vocabularies are written in. */
function unicodeToByte(): Map<string, number> {
  const printable = (b: number) => (b >= 33 && b <= 126) || (b >= 161 && b <= 172) || (b >= 174 && b <= 255);
  const map = new Map<string, number>();
  let n = 0;
  for (let b = 0; b < 256; b++) map.set(String.fromCodePoint(printable(b) ? b : 256 + n++), b);
  return map;
}

/** Where the last, incomplete character of `bytes` starts (bytes.length when the end is a whole character). */
function incompleteTail(bytes: Uint8Array): number {
  let i = bytes.length;
  while (i > 0 && bytes.length - i < 3 && isContinuation(bytes[i - 1])) i--;
  if (i === 0) return bytes.length;
  const lead = bytes[i - 1]!;
  const need = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc0 ? 2 : 1;
  return bytes.length - (i - 1) < need ? i - 1 : bytes.length;
}

/**
 * Encoding of bytes that end inside a character (a byte-level BPE token can hold part of one): the chunks come from
 * the text with that character completed by the smallest continuation bytes (a character of the same block, so
 * nearly always of the same regex class), and the last chunk's bytes are merged by BPE as they are.
 */
function encodePartial(tok: SpliceTokenizer, merges: MergeRanks, bytes: Uint8Array): number[] | undefined {
  const cut = incompleteTail(bytes);
  const lead = bytes[cut];
  if (cut === bytes.length || lead === undefined) return undefined;
  const need = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : 2;
  const completed = new Uint8Array(cut + need).fill(0x80);
  completed.set(bytes);
  const text = utf8Text(completed);
  if (text === undefined) return undefined;
  const out: number[] = [];
  let at = 0;
  for (const n of tok.preTokenByteLengths(text)) {
    if (at + n > cut) break;
    const ids = merges.encodeChunk(completed.subarray(at, at + n));
    if (!ids) return undefined;
    out.push(...ids);
    at += n;
  }
  const last = merges.encodeChunk(bytes.subarray(at));
  return last && [...out, ...last];
}

/** The model's tokenizer as a ByteTokenizer (byte-level BPE only). */
export function byteTokenizerOf(tok: SpliceTokenizer): ByteTokenizer | undefined {
  const table = tok.byteLevelVocab();
  if (!table) return undefined;
  const toByte = unicodeToByte();
  const bytes: (Uint8Array | undefined)[] = new Array(table.size);
  for (const [token, id] of table.vocab) {
    if (table.special.has(token)) continue;
    const out = new Uint8Array(token.length);
    let ok = true;
    for (let i = 0; i < token.length; i++) {
      const b = toByte.get(token[i]!);
      if (b === undefined) ok = false;
      else out[i] = b;
    }
    if (ok) bytes[id] = out;
  }
  const mergeList = tok.bpeMerges();
  const byteChars = [...toByte.entries()].sort((x, y) => x[1] - y[1]).map(([ch]) => ch);
  const merges = mergeList && new MergeRanks(table.size, table.vocab, mergeList, byteChars);
  return {
    size: table.size,
    bytesOf: (id) => bytes[id],
    encodeBytes: (b) => {
      if (b.length === 0 || isContinuation(b[0])) return b.length === 0 ? [] : undefined;
      const text = utf8Text(b);
      if (text !== undefined) return tok.encode(text);
      return merges && encodePartial(tok, merges, b);
    },
    pairs: merges && new BytePairRule(tok, merges, (id) => bytes[id]),
  };
}

function compare(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return a.length - b.length;
}

function startsWith(whole: Uint8Array, prefix: Uint8Array): boolean {
  if (prefix.length > whole.length) return false;
  for (let i = 0; i < prefix.length; i++) if (whole[i] !== prefix[i]) return false;
  return true;
}

export function concatBytes(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

/** Indexes a ByteTokenizer: tokens sorted by bytes (prefix look-ups), the longest token, cached pair validity. */
export class ByteVocab {
  private readonly sorted: number[];
  readonly maxTokenBytes: number;
  private readonly pairs = new Map<number, boolean>();
  private readonly byBytes = new Map<string, number>();

  constructor(readonly tok: ByteTokenizer) {
    const ids: number[] = [];
    let longest = 1;
    for (let id = 0; id < tok.size; id++) {
      const b = tok.bytesOf(id);
      if (!b || b.length === 0) continue;
      ids.push(id);
      this.byBytes.set(Buffer.from(b).toString('latin1'), id);
      longest = Math.max(longest, b.length);
    }
    this.sorted = ids.sort((x, y) => compare(tok.bytesOf(x)!, tok.bytesOf(y)!));
    this.maxTokenBytes = longest;
  }

  bytesOf(id: number): Uint8Array {
    return this.tok.bytesOf(id) ?? new Uint8Array(0);
  }

  /** Ids of the tokens whose bytes start with `prefix` (non-empty). */
  startingWith(prefix: Uint8Array): number[] {
    let lo = 0;
    let hi = this.sorted.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (compare(this.bytesOf(this.sorted[mid]!), prefix) < 0) lo = mid + 1;
      else hi = mid;
    }
    const out: number[] = [];
    for (let i = lo; i < this.sorted.length && startsWith(this.bytesOf(this.sorted[i]!), prefix); i++) out.push(this.sorted[i]!);
    return out;
  }

  /** The token whose bytes are exactly `bytes` (non-empty), if any. */
  idOfBytes(bytes: Uint8Array): number | undefined {
    return this.byBytes.get(Buffer.from(bytes).toString('latin1'));
  }

  /** Ids of the tokens whose bytes are a non-empty prefix of `bytes` (token healing's partial matches). */
  prefixesOf(bytes: Uint8Array): number[] {
    const out: number[] = [];
    for (let n = 1; n <= Math.min(bytes.length, this.maxTokenBytes); n++) {
      for (const id of this.startingWith(bytes.subarray(0, n))) if (this.bytesOf(id).length === n) out.push(id);
    }
    return out;
  }

  /** A token is valid on its own when the tokenizer produces it for its own bytes (some merged tokens never are). */
  validSingle(t: number): boolean {
    return this.validPair(-1, t);
  }

  /** A pair of adjacent tokens is valid when the tokenizer would produce it for their text alone (a < 0: b alone). */
  validPair(a: number, b: number): boolean {
    return this.tok.pairs ? this.tok.pairs.valid(a, b) : this.encodedPair(a, b);
  }

  /**
   * Valid with the pair's neighbouring text unknown (what cover enumeration asks: the token after b is not known
   * yet, and the pre-tokenizer's splits can depend on it); a < 0: b starting a text. Equals validPair without a
   * pre-tokenizer.
   */
  validPairOpen(a: number, b: number): boolean {
    return this.tok.pairs ? this.tok.pairs.validOpen(a, b) : this.encodedPair(a, b);
  }

  /**
   * Whether b may follow a given the tokens around them: `before` the token before a (-1: a starts the text;
   * undefined: not known), `after` the token after b (undefined: not known yet). a < 0: b starts the text. The
   * pre-tokenizer sees the last character of `before` and the first of `after` (the splits its regex makes can
   * depend on them); without merge ranks this is the plain pair test.
   */
  fits(before: number | undefined, a: number, b: number, after: number | undefined): boolean {
    const pairs = this.tok.pairs;
    if (!pairs) return this.encodedPair(a, b);
    const left = before === undefined ? undefined : before < 0 ? '' : this.edgeChar(before, 'last');
    const right = after === undefined ? undefined : this.edgeChar(after, 'first');
    return pairs.validAround(a, b, left, right);
  }

  /** A token's first or last character, if its bytes start or end with a whole one (else undefined: not known). */
  private edgeChar(id: number, which: 'first' | 'last'): string | undefined {
    const b = this.bytesOf(id);
    if (b.length === 0) return '';
    const text = utf8Text(which === 'first' ? b.subarray(0, Math.min(4, b.length)) : b.subarray(Math.max(0, b.length - 4)));
    const chars = text === undefined ? undefined : [...text];
    if (chars) return which === 'first' ? chars[0] : chars[chars.length - 1];
    for (let n = Math.min(4, b.length); n >= 1; n--) {
      const t = utf8Text(which === 'first' ? b.subarray(0, n) : b.subarray(b.length - n));
      if (t !== undefined && t.length > 0) return which === 'first' ? [...t][0] : [...t].at(-1);
    }
    return undefined;
  }

  /**
   * The reference: encode(bytes(a) + bytes(b)) == [a, b] by the tokenizer itself (so it honours the pre-tokenizer).
   * Cached per pair. Pairs whose bytes are not UTF-8 text are taken as valid.
   */
  encodedPair(a: number, b: number): boolean {
    const key = (a + 1) * this.tok.size + b;
    let v = this.pairs.get(key);
    if (v === undefined) {
      const want = a < 0 ? [b] : [a, b];
      const ids = this.tok.encodeBytes(a < 0 ? this.bytesOf(b) : concatBytes(this.bytesOf(a), this.bytesOf(b)));
      v = ids === undefined || (ids.length === want.length && ids.every((id, i) => id === want[i]));
      this.pairs.set(key, v);
    }
    return v;
  }
}
