// What a latency replay edits, cut from real code: a document of N tokens, a ~40 KB paste and other files to open.
import { SpliceError, seededRandom, type SpliceTokenizer } from '../../../runtime/src/index.js';
import type { SourceFile } from '../codeCorpus.js';

/** Characters looked at per token wanted (a token is rarely longer). */
const CHARS_PER_TOKEN_BOUND = 12;

const EXTENSIONS: Record<string, string> = { python: 'py', typescript: 'ts', javascript: 'js' };

export interface LatencyCorpus {
  /** The language with the most code; the replayed document is of this language. */
  language: string;
  /** Its files joined whole, in path order. */
  text: string;
  /** Every file read, any language: the files opened beside the document. */
  files: SourceFile[];
}

export function latencyCorpus(files: SourceFile[]): LatencyCorpus {
  const chars = new Map<string, number>();
  for (const f of files) chars.set(f.language, (chars.get(f.language) ?? 0) + f.text.length);
  const language = [...chars].sort((a, b) => b[1] - a[1])[0]?.[0];
  if (!language) throw new SpliceError('input', 'no Python, TypeScript or JavaScript files to build the documents from (--from DIR)');
  const text = files
    .filter((f) => f.language === language)
    .map((f) => (f.text.endsWith('\n') ? f.text : `${f.text}\n`))
    .join('\n');
  return { language, text, files };
}

/** The longest start of the corpus that ends at a line end and has at most `tokens` tokens, and its token count. */
export function documentOfTokens(tokenizer: SpliceTokenizer, corpus: LatencyCorpus, tokens: number): { text: string; tokens: number } {
  const ids = tokenizer.encode(corpus.text.slice(0, tokens * CHARS_PER_TOKEN_BOUND));
  if (ids.length < tokens) throw new SpliceError('input', `the ${corpus.language} code read has only ${ids.length} tokens; ask for smaller --sizes or use --from DIR`);
  const approx = corpus.text.slice(0, tokenizer.decode(ids.slice(0, tokens)).length);
  const text = approx.slice(0, approx.lastIndexOf('\n') + 1);
  return { text, tokens: tokenizer.encode(text).length };
}

/** About `chars` characters of the corpus after its first `from` (wrapping around), whole lines, no final newline. */
export function pasteText(corpus: LatencyCorpus, from: number, chars: number): string {
  const source = (corpus.text.slice(from) + corpus.text).slice(0, chars);
  return source.slice(0, source.lastIndexOf('\n'));
}

/** `count` files of the corpus in a seeded random order (fewer if it has fewer). */
export function otherFiles(corpus: LatencyCorpus, count: number, seed: number): SourceFile[] {
  const random = seededRandom(seed);
  const order = corpus.files.map((f) => ({ f, key: random() })).sort((a, b) => a.key - b.key);
  return order.slice(0, count).map((o) => o.f);
}

/** A file URI for a benchmark document (no file is written). */
export function benchUri(name: string, language: string): string {
  return `file:///splice-bench/${name}.${EXTENSIONS[language] ?? 'txt'}`;
}
