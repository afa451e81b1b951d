// Which adjacent token pairs a byte-level BPE tokenizer can produce, from its merge ranks and its pre-tokenizer:
// exact for a pair on its own (equals encode(a + b) == [a, b]), and open to unknown neighbouring text for covers.
import type { MergeRanks } from './MergeRanks.js';

/** The text-level parts of the tokenizer the rule needs (SpliceTokenizer has them). */
export interface TextTokenizer {
  /** The UTF-8 length of each pre-token chunk of normalized text. */
  preTokenByteLengths(text: string): number[];
  normalize(text: string): string;
  /** Special (added) tokens' texts: the tokenizer cuts them out of any text before pre-tokenizing. */
  readonly specialTokens: ReadonlyMap<string, number>;
}

const FATAL_UTF8 = new TextDecoder('utf-8', { fatal: true });

export function utf8Text(bytes: Uint8Array): string | undefined {
  try {
    return FATAL_UTF8.decode(bytes);
  } catch {
    return undefined;
  }
}

/** A UTF-8 continuation byte (10xxxxxx): never the first byte of a character. */
export const isContinuation = (b: number | undefined) => b !== undefined && (b & 0xc0) === 0x80;

/**
 * Texts tried before and after a pair whose neighbours are unknown: one character of each class the GPT-2 and
 * Qwen2 pre-tokenizer regexes tell apart (nothing, letter, digit, space, newline, tab, punctuation, apostrophe).
 */
const LEFT_CONTEXTS = ['', 'a', '1', ' ', '\n', '\t', '.', "'"];
const RIGHT_CONTEXTS = ['', 'a', '1', ' ', '\n', '\t', '.', "'", 'é'];

/**
 * Pair validity for byte-level BPE with a pre-tokenizer (Hayase et al.): tokens a, b are adjacent in the encoding
 * of their joint text when either the pre-tokenizer cuts that text exactly between them and each is its own BPE
 * encoding, or it cuts nowhere inside and no merge across their boundary fires first (MergeRanks.validInChunk).
 * Context: the regexes' splits can depend on the text around the pair (`\s+(?!\S)` gives a run's last space to
 * the next word; an optional leading character joins a word). `valid` judges the pair as the whole text (the
 * reference encode(a + b) == [a, b]); `validOpen` accepts a pair that is valid with some one-character left and
 * right neighbour of each class, which is what cover enumeration needs where the neighbours are not yet known.
 */
export class BytePairRule {
  private readonly exact = new Map<number, boolean>();
  private readonly open = new Map<number, boolean>();
  private readonly around = new Map<string, boolean>();
  private readonly specials: string[];

  constructor(
    private readonly tok: TextTokenizer,
    private readonly merges: MergeRanks,
    private readonly bytesOf: (id: number) => Uint8Array | undefined,
  ) {
    this.specials = [...tok.specialTokens.keys()].filter((s) => s.length > 0);
  }

  /** encode(a + b) == [a, b], from the merge ranks and the pre-tokenizer (a < 0: encode(b) == [b]). Cached per pair. */
  valid(a: number, b: number): boolean {
    return this.cached(this.exact, a, b, () => this.check(a, b));
  }

  /** `valid` without the cache (for sweeps over many pairs, each asked once). */
  check(a: number, b: number): boolean {
    return this.judge(a, b, [''], ['']);
  }

  /** Valid with some one-character neighbours on either side (a < 0: b starts a text). Cached per pair. */
  validOpen(a: number, b: number): boolean {
    return this.cached(this.open, a, b, () => this.judge(a, b, a < 0 ? [''] : LEFT_CONTEXTS, RIGHT_CONTEXTS));
  }

  /**
   * Valid between the given neighbouring characters: `left` just before a, `right` just after b; '' for the edge of
   * the text, undefined where it is not known (then any class of character will do). a < 0: b starts a text.
   */
  validAround(a: number, b: number, left: string | undefined, right: string | undefined): boolean {
    if (left === undefined && right === undefined) return this.validOpen(a, b);
    const key = `${a},${b},${a < 0 ? '' : (left ?? '?')},${right ?? '?'}`;
    let v = this.around.get(key);
    if (v === undefined) {
      const lefts = a < 0 ? [''] : left === undefined ? LEFT_CONTEXTS : [left];
      this.around.set(key, (v = this.judge(a, b, lefts, right === undefined ? RIGHT_CONTEXTS : [right])));
    }
    return v;
  }

  private cached(map: Map<number, boolean>, a: number, b: number, f: () => boolean): boolean {
    const key = (a + 1) * 2097152 + b;
    let v = map.get(key);
    if (v === undefined) map.set(key, (v = f()));
    return v;
  }

  private judge(a: number, b: number, lefts: readonly string[], rights: readonly string[]): boolean {
    const bb = this.bytesOf(b);
    const ab = a < 0 ? new Uint8Array(0) : this.bytesOf(a);
    if (!bb || !ab) return false;
    const bOwn = this.merges.isOwnEncoding(b, bb);
    if (!bOwn || (a >= 0 && !this.merges.isOwnEncoding(a, ab))) return false;
    const inChunk = a < 0 || this.merges.validInChunk(a, ab, b, bb);
    const joint = new Uint8Array(ab.length + bb.length);
    joint.set(ab);
    joint.set(bb, ab.length);
    const text = utf8Text(joint);
    if (text === undefined) {
      // Part of a character at either end: the regex cannot be run on it. Inside a character nothing splits;
      // elsewhere a split may fall between them (then each being its own encoding is enough).
      return inChunk || !isContinuation(bb[0]);
    }
    if (this.tok.normalize(text) !== text || this.specials.some((s) => text.includes(s))) return false;
    const cut = ab.length;
    for (const left of lefts) {
      for (const right of rights) {
        const inner = this.cutsWithin(left, text, right, joint.length);
        if (inner === undefined) continue;
        if (inner.length === 0 ? inChunk : inner.length === 1 && inner[0] === cut) return true;
      }
    }
    return false;
  }

  /** Byte offsets (relative to `text`) where the pre-tokenizer cuts strictly inside `text` with the given neighbours. */
  private cutsWithin(left: string, text: string, right: string, textBytes: number): number[] | undefined {
    const leftBytes = Buffer.byteLength(left);
    const out: number[] = [];
    let at = 0;
    for (const n of this.tok.preTokenByteLengths(left + text + right)) {
      at += n;
      const rel = at - leftBytes;
      if (rel > 0 && rel < textBytes) out.push(rel);
    }
    return out;
  }
}
