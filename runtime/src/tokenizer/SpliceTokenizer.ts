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

export class SpliceTokenizer {
  private readonly inner: Tokenizer;
  /** Every added (special) token: text → id. */
  readonly specialTokens: ReadonlyMap<string, number>;
  readonly eosTokenId: number | undefined;

  constructor(
    tokenizerJson: unknown,
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
    return this.inner.decode([...ids], { skip_special_tokens: false, clean_up_tokenization_spaces: false });
  }

  idOf(token: string): number | undefined {
    return this.specialTokens.get(token) ?? this.inner.token_to_id(token);
  }

  /** The text of a special token named by a tokenizer_config.json field, if the field is set. */
  configToken(field: string): string | undefined {
    return tokenText(this.config[field]);
  }

  get vocabSize(): number {
    return this.inner.get_vocab(true).size;
  }
}
