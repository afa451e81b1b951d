// Recent completions, so that typing along a shown suggestion keeps its rest without a model call: an LRU keyed by
// document and the text before the cursor. When the user has typed the suggestion's first characters, the rest is
// answered at once.
import { isSubsequence } from '../place/shapeByPlace.js';

export interface CachedItem {
  /** The text shown at the cursor and how many characters after the cursor it replaces. */
  text: string;
  replaceSuffix: number;
}

interface Entry extends CachedItem {
  uri: string;
  prefix: string;
  /** The document after the replaced characters (it must still be there for the item to hold). */
  suffix: string;
}

export class TypedThroughCache {
  /** Least recently used first; the key is the document and the text before the cursor. */
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly capacity = 32) {}

  get size(): number {
    return this.entries.size;
  }

  /** Remembers the item shown at `offset` of `text`. */
  remember(uri: string, text: string, offset: number, item: CachedItem): void {
    const prefix = text.slice(0, offset);
    const key = keyOf(uri, prefix);
    this.entries.delete(key);
    this.entries.set(key, { uri, prefix, suffix: text.slice(offset + item.replaceSuffix), ...item });
    while (this.entries.size > this.capacity) this.entries.delete(this.entries.keys().next().value!);
  }

  /**
   * The rest of a remembered item whose first characters were typed since (or the item itself at the same place),
   * undefined if none fits: the text before the cursor must be an entry's prefix plus the start of its text, and the
   * text after the cursor unchanged.
   */
  lookup(uri: string, text: string, offset: number): CachedItem | undefined {
    const before = text.slice(0, offset);
    const exact = this.entries.get(keyOf(uri, before));
    const candidates = exact ? [exact] : [...this.entries.values()].reverse().filter((e) => e.uri === uri);
    for (const e of candidates) {
      const typed = before.length - e.prefix.length;
      if (typed < 0 || typed >= e.text.length) continue;
      if (!before.startsWith(e.prefix) || before.slice(e.prefix.length) !== e.text.slice(0, typed)) continue;
      // What the item still covers after the cursor: its closers not yet typed over.
      const rest = e.text.slice(typed);
      const after = text.slice(offset);
      const covered = coveredSuffix(e, typed, after);
      if (covered === undefined) continue;
      const item = { text: rest, replaceSuffix: covered };
      this.remember(uri, text, offset, item);
      return item;
    }
    return undefined;
  }

  /** Forgets a document's entries (closed). */
  forget(uri: string): void {
    for (const [k, e] of this.entries) if (e.uri === uri) this.entries.delete(k);
  }
}

function keyOf(uri: string, prefix: string): string {
  return `${uri}\u0000${prefix}`;
}

/**
 * How many characters after the cursor the rest of the item replaces, if the document after the cursor is still what
 * the item expects: the replaced closers (possibly typed over by the editor's auto-close) then the entry's suffix.
 */
function coveredSuffix(e: Entry, typed: number, after: string): number | undefined {
  if (!after.endsWith(e.suffix)) return undefined;
  const covered = after.length - e.suffix.length;
  // The editor types over an auto-closed closer: the item's replaced range shrinks as its closers are typed.
  if (covered > e.replaceSuffix || covered < 0) return undefined;
  if (!isSubsequence(after.slice(0, covered), e.text.slice(typed))) return undefined;
  return covered;
}
