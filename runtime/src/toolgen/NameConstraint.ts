// Decoding inside a set of names: where a token's bytes lead from the current trie node (inside, left, or denied).
import { isBreakByte } from './breakBytes.js';
import type { NameTrie, TrieNode } from './NameTrie.js';

export type TokenStep = { kind: 'inside'; node: TrieNode } | { kind: 'left' } | { kind: 'denied' };

/**
 * Follows `bytes` from `from`: `inside` when they spell a prefix of a remaining candidate's rest (or all of it),
 * `left` when they finish a candidate and go on with a break character (whatever follows it is free), else `denied`.
 */
export function stepThrough(bytes: Uint8Array, from: TrieNode): TokenStep {
  let at = from;
  for (const b of bytes) {
    const next = at.children.get(b);
    if (next) {
      at = next;
      continue;
    }
    return at.end && isBreakByte(b) ? { kind: 'left' } : { kind: 'denied' };
  }
  return { kind: 'inside', node: at };
}

/** The state of one constrained name: the trie node reached by the bytes generated since the trigger. */
export class NameConstraint {
  private constructor(
    readonly trie: NameTrie,
    public node: TrieNode,
  ) {}

  /** Starts after `typed` (the part of the name already in the text); undefined when no candidate starts so. */
  static start(trie: NameTrie, typed: Uint8Array): NameConstraint | undefined {
    const node = trie.walk(typed);
    return node && (node.children.size > 0 || node.end) ? new NameConstraint(trie, node) : undefined;
  }

  /** A name is complete here (a stop or a break character may follow). */
  get complete(): boolean {
    return this.node.end;
  }

  /** Takes a sampled token's bytes: true while still inside a name, false once it was left (or the token was not allowed). */
  advance(bytes: Uint8Array): boolean {
    const s = stepThrough(bytes, this.node);
    if (s.kind !== 'inside') return false;
    this.node = s.node;
    return true;
  }
}
