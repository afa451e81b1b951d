// The allowed-token mask of a constrained name, from the vocabulary as byte strings (names may start or end mid-token).
import type { ByteVocab } from '../bytes/ByteVocab.js';
import { isBreakByte } from './breakBytes.js';
import { stepThrough } from './NameConstraint.js';
import type { TrieNode } from './NameTrie.js';

export class TokenMask {
  /** Token ids by their first byte. */
  private readonly byFirst: number[][];

  constructor(readonly vocab: ByteVocab) {
    this.byFirst = Array.from({ length: 256 }, (_, b) => vocab.startingWith(Uint8Array.of(b)));
  }

  /** Tokens whose bytes keep a candidate possible from `node`, or finish one and continue with a break character. */
  allowed(node: TrieNode): number[] {
    const out: number[] = [];
    for (const b of node.children.keys()) {
      for (const id of this.byFirst[b]!) if (stepThrough(this.vocab.bytesOf(id), node).kind !== 'denied') out.push(id);
    }
    if (node.end) for (let b = 0; b < 256; b++) if (isBreakByte(b)) out.push(...this.byFirst[b]!);
    return out;
  }

  /** `logits` with every token but `allowed` set to -Infinity (a new array). */
  static apply(logits: Float32Array, allowed: readonly number[]): Float32Array {
    const out = new Float32Array(logits.length).fill(-Infinity);
    for (const id of allowed) out[id] = logits[id]!;
    return out;
  }
}
