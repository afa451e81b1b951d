// A byte trie of candidate names: which bytes may come next, and where a complete name ends.

export interface TrieNode {
  readonly children: Map<number, TrieNode>;
  /** A candidate ends here. */
  end: boolean;
}

const node = (): TrieNode => ({ children: new Map(), end: false });
const UTF8 = new TextEncoder();

export class NameTrie {
  readonly root: TrieNode = node();
  /** Distinct non-empty names inserted. */
  size = 0;

  constructor(names: Iterable<string> = []) {
    for (const n of names) this.add(n);
  }

  add(name: string): void {
    if (!name) return;
    let at = this.root;
    for (const b of UTF8.encode(name)) {
      let next = at.children.get(b);
      if (!next) at.children.set(b, (next = node()));
      at = next;
    }
    if (!at.end) this.size++;
    at.end = true;
  }

  /** The node reached by `bytes` from `from` (default the root), or undefined when no candidate continues so. */
  walk(bytes: Uint8Array, from: TrieNode = this.root): TrieNode | undefined {
    let at: TrieNode | undefined = from;
    for (const b of bytes) {
      at = at.children.get(b);
      if (!at) return undefined;
    }
    return at;
  }
}
