// Byte-level BPE from its merge ranks: byte-string encoding with merge trees, and Hayase et al.'s pairwise test of
// whether two tokens can be adjacent inside one pre-token chunk (no merge across their boundary fires first).

/** One symbol of a merge tree: the token, the rank of the merge that made it (-1 for a byte) and its halves. */
interface Node {
  id: number;
  rank: number;
  left?: Node;
  right?: Node;
}

/** A spine step: a symbol on a token's left or right edge and the ranks between which it exists. */
interface SpineStep {
  id: number;
  created: number;
  consumed: number;
}

/** A token's left and right spines (root first), or null when BPE does not produce the token from its own bytes. */
type Spines = { left: SpineStep[]; right: SpineStep[] } | null;

export class MergeRanks {
  /** left id → right id → merge rank and merged id (small-integer keys: fast maps). */
  private readonly merges = new Map<number, Map<number, { rank: number; id: number }>>();
  private readonly byteIds: number[] = [];
  private readonly spines = new Map<number, Spines>();

  /**
   * @param size ids 0..size-1 are tokens (merged texts missing from the vocabulary get ids from `size` on)
   * @param vocab byte-level token text (GPT-2's printable characters, one per byte) → id
   * @param merges the merge list in rank order, each a pair of byte-level strings
   * @param byteChars the byte-level character of each byte 0..255
   */
  constructor(
    readonly size: number,
    vocab: ReadonlyMap<string, number>,
    merges: readonly (readonly [string, string])[],
    byteChars: readonly string[],
  ) {
    for (let b = 0; b < 256; b++) {
      const id = vocab.get(byteChars[b]!);
      this.byteIds.push(id ?? -1);
    }
    const extra = new Map<string, number>();
    const idOf = (s: string): number => {
      const known = vocab.get(s) ?? extra.get(s);
      if (known !== undefined) return known;
      const id = size + extra.size;
      extra.set(s, id);
      return id;
    };
    merges.forEach(([l, r], rank) => {
      const [a, b] = [idOf(l), idOf(r)];
      let row = this.merges.get(a);
      if (!row) this.merges.set(a, (row = new Map()));
      if (!row.has(b)) row.set(b, { rank, id: idOf(l + r) });
    });
  }

  private merge(a: number, b: number): { rank: number; id: number } | undefined {
    return this.merges.get(a)?.get(b);
  }

  /**
   * BPE of one pre-token chunk's bytes, as the tokenizers libraries do it: the lowest-ranked adjacent pair merges
   * first, the leftmost on ties. Returns the merge trees of the resulting symbols, or undefined if a byte has no token.
   */
  private trees(bytes: Uint8Array): Node[] | undefined {
    const syms: Node[] = [];
    for (const b of bytes) {
      const id = this.byteIds[b]!;
      if (id < 0) return undefined;
      syms.push({ id, rank: -1 });
    }
    for (;;) {
      let best = -1;
      let bestRank = Infinity;
      for (let i = 0; i + 1 < syms.length; i++) {
        const m = this.merge(syms[i]!.id, syms[i + 1]!.id);
        if (m && m.rank < bestRank) (best = i), (bestRank = m.rank);
      }
      if (best < 0) return syms;
      const m = this.merge(syms[best]!.id, syms[best + 1]!.id)!;
      syms.splice(best, 2, { id: m.id, rank: m.rank, left: syms[best], right: syms[best + 1] });
    }
  }

  /** Token ids of one chunk's bytes by BPE (no pre-tokenizer); undefined if a byte has no token or a merge is not in the vocabulary. */
  encodeChunk(bytes: Uint8Array): number[] | undefined {
    const t = this.trees(bytes);
    if (!t || t.some((n) => n.id >= this.size)) return undefined;
    return t.map((n) => n.id);
  }

  /** Whether BPE turns the token's own bytes into the token itself. */
  isOwnEncoding(id: number, bytes: Uint8Array): boolean {
    return this.spinesOf(id, bytes) !== null;
  }

  private spinesOf(id: number, bytes: Uint8Array): Spines {
    let s = this.spines.get(id);
    if (s !== undefined) return s;
    const t = this.trees(bytes);
    s = t && t.length === 1 && t[0]!.id === id && monotone(t[0]!) ? { left: spine(t[0]!, 'left'), right: spine(t[0]!, 'right') } : null;
    this.spines.set(id, s);
    return s;
  }

  /**
   * Whether tokens a, b (given with their bytes) stay adjacent when BPE runs over their concatenated bytes in one
   * chunk: both are their own encodings, and no merge across the boundary fires before the merges on either side
   * that would consume its two symbols. Walks a's right spine against b's left spine (each symbol lives between
   * the rank that made it and the rank that consumed it; ranks only grow up a trained BPE's trees). On a rank tie
   * the leftmost merge wins: a cross merge beats b's own merge of the same rank, and loses to a's.
   */
  validInChunk(a: number, aBytes: Uint8Array, b: number, bBytes: Uint8Array): boolean {
    const sa = this.spinesOf(a, aBytes);
    const sb = this.spinesOf(b, bBytes);
    if (!sa || !sb) return false;
    let i = sa.right.length - 1; // leaves first: walk both spines up through time
    let j = sb.left.length - 1;
    while (i >= 0 && j >= 0) {
      const x = sa.right[i]!;
      const y = sb.left[j]!;
      const m = this.merge(x.id, y.id);
      if (m && m.rank > x.created && m.rank > y.created && m.rank < x.consumed && m.rank <= y.consumed) return false;
      if (x.consumed < y.consumed) i--;
      else if (y.consumed < x.consumed) j--;
      else (i--, j--);
    }
    return true;
  }
}

/** Ranks grow from children to parents (true of merges learned in order; the spine walk relies on it). */
function monotone(n: Node): boolean {
  if (!n.left || !n.right) return true;
  return n.rank > n.left.rank && n.rank > n.right.rank && monotone(n.left) && monotone(n.right);
}

function spine(root: Node, side: 'left' | 'right'): SpineStep[] {
  const out: SpineStep[] = [];
  let consumed = Infinity;
  for (let n: Node | undefined = root; n; n = n[side]) {
    out.push({ id: n.id, created: n.rank, consumed });
    consumed = n.rank;
  }
  return out;
}
