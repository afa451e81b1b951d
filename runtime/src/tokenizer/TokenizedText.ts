// A text with its token ids and each token's UTF-8 byte offset: the bridge between editor offsets and cache rows.
import { SpliceError } from '../errors.js';
import type { SpliceTokenizer } from './SpliceTokenizer.js';

export class TokenizedText {
  private constructor(
    readonly text: string,
    readonly bytes: Buffer,
    readonly ids: readonly number[],
    /** starts[k] = byte offset of token k; starts[ids.length] = bytes.length. */
    readonly starts: Int32Array,
  ) {}

  /** Tokenizes `text`; a text the tokenizer's normalizer would change is refused (see SpliceTokenizer.offsetProblem). */
  static encode(tokenizer: SpliceTokenizer, text: string): TokenizedText {
    const problem = tokenizer.offsetProblem(text);
    if (problem) throw new SpliceError('input', `no token offsets for this text: ${problem}`);
    return TokenizedText.of(tokenizer, text, tokenizer.encode(text));
  }

  /** Wraps ids known to tokenize `text`; checks that their byte lengths add up. */
  static of(tokenizer: SpliceTokenizer, text: string, ids: readonly number[]): TokenizedText {
    const lengths = tokenizer.tokenByteLengths();
    if (!lengths) throw new SpliceError('input', 'token offsets need a byte-level BPE tokenizer');
    const bytes = Buffer.from(text, 'utf8');
    const starts = new Int32Array(ids.length + 1);
    for (let k = 0; k < ids.length; k++) starts[k + 1] = starts[k]! + lengths[ids[k]!]!;
    if (starts[ids.length] !== bytes.length) {
      const problem = tokenizer.offsetProblem(text);
      if (problem) throw new SpliceError('input', `no token offsets for this text: ${problem}`);
      throw new SpliceError('input', `token byte lengths sum to ${starts[ids.length]} but the text has ${bytes.length} bytes`);
    }
    return new TokenizedText(text, bytes, ids, starts);
  }

  get length(): number {
    return this.ids.length;
  }

  /** Index of the token that contains byte `b` (the token count when b is at the end). */
  tokenAt(b: number): number {
    let lo = 0;
    let hi = this.ids.length;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid]! <= b) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }
}

/** UTF-8 byte offset of a UTF-16 offset in text. */
export function byteOffset(text: string, charOffset: number): number {
  return Buffer.byteLength(text.slice(0, charOffset), 'utf8');
}

/** True when byte b of buf starts a character (is not a UTF-8 continuation byte). */
export function isCharBoundary(buf: Buffer, b: number): boolean {
  return b <= 0 || b >= buf.length || (buf[b]! & 0xc0) !== 0x80;
}
