// Fill-in-the-middle prompt layout per model family, with its special tokens looked up in the model's tokenizer.
import { ModelFolderError } from '../errors.js';
import type { SpliceTokenizer } from '../tokenizer/SpliceTokenizer.js';

export interface FimTemplate {
  /** Which family's tokens were found ("none": plain left-to-right completion of the prefix). */
  family: string;
  /** Prompt ids for prefix-suffix-middle order; the model generates the middle next. */
  build(prefix: readonly number[], suffix: readonly number[]): number[];
  /** Ids before the prefix (a document session caches them with the text). */
  leading: number[];
  /** Ids after the prefix: the suffix in its frame (empty for family "none"). */
  afterPrefix(suffix: readonly number[]): number[];
  /** Tokens that end a completion (end of text, FIM pads, file separators), as found in this tokenizer. */
  stopTokenIds: number[];
  /** Tokens that are not text: the ToolGen mark (tokenizer_config.json "tool_token"), when the model has one. */
  silentTokenIds: number[];
}

interface FamilyTokens {
  family: string;
  prefix: string;
  suffix: string;
  middle: string;
}

/** Families whose FIM tokens are known by name; the ids always come from the model's tokenizer. */
const KNOWN_FAMILIES: FamilyTokens[] = [
  { family: 'qwen', prefix: '<|fim_prefix|>', suffix: '<|fim_suffix|>', middle: '<|fim_middle|>' },
  { family: 'starcoder', prefix: '<fim_prefix>', suffix: '<fim_suffix>', middle: '<fim_middle>' },
  { family: 'deepseek', prefix: '<｜fim▁begin｜>', suffix: '<｜fim▁hole｜>', middle: '<｜fim▁end｜>' },
];

const END_TOKENS = ['<|endoftext|>', '<|fim_pad|>', '<|file_sep|>', '<|repo_name|>', '<fim_pad>', '<file_sep>', '<|EOT|>', '<｜end▁of▁sentence｜>', '<|im_end|>'];

function familyOf(tok: SpliceTokenizer): FamilyTokens | undefined {
  const fields = ['fim_prefix_token', 'fim_suffix_token', 'fim_middle_token'];
  const explicit = fields.map((f) => tok.configToken(f));
  explicit.forEach((t, i) => {
    if (t !== undefined && tok.idOf(t) === undefined) throw new ModelFolderError('tokenizer_config.json', fields[i], `names "${t}", which tokenizer.json does not have`);
  });
  if (explicit.every((t) => t !== undefined)) {
    const [prefix, suffix, middle] = explicit as string[];
    return { family: 'tokenizer_config', prefix, suffix, middle };
  }
  return KNOWN_FAMILIES.find((f) => [f.prefix, f.suffix, f.middle].every((t) => tok.specialTokens.has(t)));
}

function template(family: string, leading: number[], afterPrefix: (suffix: readonly number[]) => number[], stopTokenIds: number[], silentTokenIds: number[]): FimTemplate {
  return { family, leading, afterPrefix, stopTokenIds, silentTokenIds, build: (prefix, suffix) => [...leading, ...prefix, ...afterPrefix(suffix)] };
}

function toolTokenIds(tok: SpliceTokenizer): number[] {
  const tool = tok.configToken('tool_token');
  if (tool === undefined) return [];
  const id = tok.idOf(tool);
  if (id === undefined) throw new ModelFolderError('tokenizer_config.json', 'tool_token', `names "${tool}", which tokenizer.json does not have`);
  return [id];
}

export function fimTemplateFor(tok: SpliceTokenizer): FimTemplate {
  const stops = new Set<number>();
  for (const t of END_TOKENS) {
    const id = tok.specialTokens.get(t);
    if (id !== undefined) stops.add(id);
  }
  if (tok.eosTokenId !== undefined) stops.add(tok.eosTokenId);
  const fam = familyOf(tok);
  const silent = toolTokenIds(tok);
  if (!fam) return template('none', [], () => [], [...stops], silent);
  const [pre, suf, mid] = [fam.prefix, fam.suffix, fam.middle].map((t) => tok.idOf(t)!) as [number, number, number];
  stops.add(pre).add(suf).add(mid);
  return template(fam.family, [pre], (suffix) => [suf, ...suffix, mid], [...stops], silent);
}
