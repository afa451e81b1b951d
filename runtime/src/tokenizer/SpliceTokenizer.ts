// Loads tokenizer.json / tokenizer_config.json with Hugging Face's tokenizers library and exposes ids, text and special tokens.
import { Tokenizer } from '@huggingface/tokenizers';
import { ModelFolderError } from '../errors.js';

type Json = Record<string, unknown>;

/** A special token's text as written in tokenizer_config.json (a string or an AddedToken object). */
function tokenText(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (v && typeof v === 'object' && typeof (v as Json).content === 'string') return (v as Json).content as string;
  return undefined;
}

/** The normalizer's type as tokenizer.json names it (a Sequence by its members). */
function normalizerName(tokenizerJson: unknown): string {
  const n = (tokenizerJson as Json).normalizer as { type?: string; normalizers?: { type?: string }[] } | null | undefined;
  if (n?.type === 'Sequence') return (n.normalizers ?? []).map((x) => x.type ?? '?').join('+') || 'Sequence';
  return n?.type ?? 'unknown';
}

export class SpliceTokenizer {
  private readonly inner: Tokenizer;
  /** Every added (special) token: text → id. */
  readonly specialTokens: ReadonlyMap<string, number>;
  readonly eosTokenId: number | undefined;

  constructor(
    private readonly tokenizerJson: unknown,
    readonly config: Json,
  ) {
    if (typeof tokenizerJson !== 'object' || tokenizerJson === null) {
      throw new ModelFolderError('tokenizer.json', undefined, 'must hold a JSON object');
    }
    const tj = tokenizerJson as Json;
    if (typeof tj.model !== 'object' || tj.model === null) throw new ModelFolderError('tokenizer.json', 'model', 'is missing');
    try {
      this.inner = new Tokenizer(tj, config);
    } catch (err) {
      throw new ModelFolderError('tokenizer.json', undefined, `cannot be loaded: ${(err as Error).message}`);
    }
    const specials = new Map<string, number>();
    for (const [id, tok] of this.inner.get_added_tokens_decoder()) specials.set(tok.content, id);
    this.specialTokens = specials;
    const eos = tokenText(config.eos_token);
    this.eosTokenId = eos === undefined ? undefined : this.idOf(eos);
  }

  /** Token ids of plain text (no special tokens added, special-token text not parsed as specials). */
  encode(text: string): number[] {
    return this.inner.encode(text, { add_special_tokens: false }).ids;
  }

  decode(ids: readonly number[]): string {
    if (ids.length === 0) return ''; // the library refuses an empty list
    return this.inner.decode([...ids], { skip_special_tokens: false, clean_up_tokenization_spaces: false });
  }

  idOf(token: string): number | undefined {
    return this.specialTokens.get(token) ?? this.inner.token_to_id(token);
  }

  /** The text of a special token named by a tokenizer_config.json field, if the field is set. */
  configToken(field: string): string | undefined {
    return tokenText(this.config[field]);
  }

  /** `text` as the tokenizer's normalizer makes it before splitting (itself when there is none): encode(normalize(t)) = encode(t). */
  normalize(text: string): string {
    return this.inner.normalizer ? this.inner.normalizer.normalize(text) : text;
  }

  /**
   * Why this tokenizer's tokens cannot be laid over `text` byte for byte — its normalizer (Qwen2's NFC, for one)
   * changes the text, so the tokens spell other bytes than the document's — or undefined when they can.
   */
  offsetProblem(text: string): string | undefined {
    const normalizer = this.inner.normalizer;
    if (!normalizer) return undefined;
    const normalized = normalizer.normalize(text);
    if (normalized === text) return undefined;
    let at = 0;
    while (at < text.length && text.charCodeAt(at) === normalized.charCodeAt(at)) at++;
    const before = text.slice(0, at);
    const line = before.split('\n').length;
    const column = at - before.lastIndexOf('\n');
    return `the tokenizer's ${normalizerName(this.tokenizerJson)} normalizer changes the text at line ${line}, column ${column}`;
  }

  get vocabSize(): number {
    return this.inner.get_vocab(true).size;
  }

  /**
   * UTF-8 length of every token id, for byte-level BPE (each vocab character stands for one byte); undefined for
   * other tokenizer types, whose token boundaries cannot be mapped to text offsets this way.
   */
  tokenByteLengths(): Int32Array | undefined {
    if (this.byteLengths === null) this.byteLengths = this.computeByteLengths();
    return this.byteLengths;
  }

  private byteLengths: Int32Array | undefined | null = null;

  /** The vocabulary (token string → id), the special tokens and the id range, for byte-level BPE; else undefined. */
  byteLevelVocab(): { vocab: ReadonlyMap<string, number>; special: ReadonlySet<string>; size: number } | undefined {
    const lengths = this.tokenByteLengths();
    if (!lengths) return undefined;
    return { vocab: this.inner.get_vocab(true), special: new Set(this.specialTokens.keys()), size: lengths.length };
  }

  /** The pre-token chunks of (already normalized) text, each in byte-level characters (one per byte) for byte-level BPE. */
  preTokenize(text: string): string[] {
    const pre = this.inner.pre_tokenizer;
    return pre ? pre.pre_tokenize(text) : [text];
  }

  /**
   * The UTF-8 length of each pre-token chunk of (normalized) text: the cuts of preTokenize, computed straight from
   * the library's regexes for its Split / ByteLevel / Sequence pre-tokenizers (no per-byte mapping), else from it.
   */
  preTokenByteLengths(text: string): number[] {
    const pieces = this.inner.pre_tokenizer ? piecesOf(this.inner.pre_tokenizer as unknown as PreTokenizerLike, [text]) : [text];
    return pieces ? pieces.map((p) => Buffer.byteLength(p)) : this.preTokenize(text).map((c) => c.length);
  }

  /** The BPE merge list in rank order (pairs of token strings); undefined for other models. */
  bpeMerges(): [string, string][] | undefined {
    const model = (this.tokenizerJson as { model?: { type?: string; merges?: unknown[] } }).model;
    if (model?.type !== 'BPE' || !Array.isArray(model.merges)) return undefined;
    return model.merges.map((m) => (typeof m === 'string' ? (split2(m)) : [String((m as unknown[])[0]), String((m as unknown[])[1])]));
  }

  private computeByteLengths(): Int32Array | undefined {
    const tj = this.tokenizerJson as { pre_tokenizer?: { type?: string; pretokenizers?: { type?: string }[] }; decoder?: { type?: string } };
    if (tj.decoder?.type !== 'ByteLevel') return undefined;
    const vocab = this.inner.get_vocab(true);
    let size = 0;
    for (const id of vocab.values()) size = Math.max(size, id + 1);
    const lengths = new Int32Array(size).fill(-1);
    for (const [token, id] of vocab) lengths[id] = this.specialTokens.has(token) ? Buffer.byteLength(token) : token.length;
    return lengths;
  }
}

/** "a b" → [a, b] (merge strings hold one space between the two halves; byte-level halves hold no space). */
function split2(m: string): [string, string] {
  const i = m.indexOf(' ', 1);
  return [m.slice(0, i), m.slice(i + 1)];
}

/** The library's pre-tokenizer objects, by the fields they keep (its typings do not resolve its classes under nodenext). */
interface PreTokenizerLike {
  config?: { type?: string; invert?: boolean; behavior?: string };
  tokenizers?: (PreTokenizerLike | null)[];
  pattern?: RegExp | null;
  add_prefix_space?: boolean;
  use_regex?: boolean;
}

/** What a pre-tokenizer's pieces are, as text, for the kinds whose regexes can be run directly; undefined for others. */
function piecesOf(pre: PreTokenizerLike, texts: string[]): string[] | undefined {
  if (Array.isArray(pre.tokenizers)) {
    const subs = pre.tokenizers;
    let out: string[] | undefined = texts;
    for (const [i, sub] of subs.entries()) {
      if (!sub || !out) continue;
      if (sub.config?.type === 'ByteLevel' && i !== subs.length - 1) return undefined; // later ones would see mapped bytes
      out = piecesOf(sub, out);
    }
    return out;
  }
  const type = pre.config?.type;
  if (type === 'ByteLevel') {
    if (pre.add_prefix_space || !(pre.pattern instanceof RegExp)) return undefined;
    const pattern = pre.pattern;
    return pre.use_regex ? texts.flatMap((t) => t.match(pattern) ?? []) : texts;
  }
  if (type === 'Split') {
    const pattern = pre.pattern;
    if (!(pattern instanceof RegExp) || pre.config?.invert || pre.config?.behavior?.toLowerCase() === 'removed') return undefined;
    return texts.flatMap((t) => isolatedSplit(t, pattern));
  }
  return undefined;
}

/** Matches and the text between them, in order (the library's split for every behaviour but `removed`). */
function isolatedSplit(text: string, pattern: RegExp): string[] {
  const out: string[] = [];
  let prev = 0;
  for (const m of text.matchAll(pattern)) {
    if (prev < m.index) out.push(text.slice(prev, m.index));
    if (m[0].length > 0) out.push(m[0]);
    prev = m.index + m[0].length;
  }
  if (prev < text.length) out.push(text.slice(prev));
  return out;
}
