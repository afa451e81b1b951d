// Tree-sitter grammars (web-tree-sitter + prebuilt .wasm files) for the languages whose completions are checked by syntax.
// The .wasm files load from dist/grammars/ next to the bundle (esbuild.mjs copies them there, the .vsix ships them), or,
// in the tsc-compiled tree (out/) and in development, from the grammar packages in node_modules.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Language, Parser } from 'web-tree-sitter';
import { registerReservedWords } from './reservedWords.js';

export type GrammarName = 'python' | 'javascript' | 'typescript' | 'tsx';

/** Grammar file per grammar: its npm package and the file's name (the same name under dist/grammars/). */
export const GRAMMAR_FILES: Record<GrammarName, { pkg: string; file: string }> = {
  python: { pkg: 'tree-sitter-python', file: 'tree-sitter-python.wasm' },
  javascript: { pkg: 'tree-sitter-javascript', file: 'tree-sitter-javascript.wasm' },
  typescript: { pkg: 'tree-sitter-typescript', file: 'tree-sitter-typescript.wasm' },
  tsx: { pkg: 'tree-sitter-typescript', file: 'tree-sitter-tsx.wasm' },
};
export const RUNTIME_WASM = { pkg: 'web-tree-sitter', file: 'web-tree-sitter.wasm' };

/** VS Code language ids → grammar. Other languages fall back to indentation rules. */
const BY_LANGUAGE_ID: Record<string, GrammarName> = {
  python: 'python',
  javascript: 'javascript',
  javascriptreact: 'javascript',
  typescript: 'typescript',
  typescriptreact: 'tsx',
};

export function grammarFor(languageId: string): GrammarName | undefined {
  return BY_LANGUAGE_ID[languageId];
}

/** Where a wasm file is: dist/grammars/<file> beside the bundle, else node_modules/<pkg>/<file> above this file. */
export function locateWasm(entry: { pkg: string; file: string }, from = __dirname): string {
  const bundled = path.join(from, 'grammars', entry.file);
  if (fs.existsSync(bundled)) return bundled;
  for (let dir = from; ; dir = path.dirname(dir)) {
    const p = path.join(dir, 'node_modules', entry.pkg, entry.file);
    if (fs.existsSync(p)) return p;
    if (path.dirname(dir) === dir) throw new Error(`${entry.file} not found (looked in ${bundled} and node_modules above ${from})`);
  }
}

let runtime: Promise<void> | undefined;
const languages = new Map<GrammarName, Promise<Language>>();
const loaded = new Map<GrammarName, Parser>();
const failed = new Map<GrammarName, string>();

function initRuntime(): Promise<void> {
  runtime ??= Parser.init({ wasmBinary: fs.readFileSync(locateWasm(RUNTIME_WASM)) } as object);
  return runtime;
}

/** A parser for the grammar (loaded once; later calls share it). Rejects if the wasm files are missing or incompatible. */
export async function loadParser(name: GrammarName): Promise<Parser> {
  const ready = loaded.get(name);
  if (ready) return ready;
  let lang = languages.get(name);
  if (!lang) {
    lang = initRuntime()
      .then(() => Language.load(fs.readFileSync(locateWasm(GRAMMAR_FILES[name]))))
      .then((language) => {
        registerReservedWords(language, name);
        return language;
      });
    languages.set(name, lang);
  }
  try {
    const language = await lang;
    const parser = loaded.get(name) ?? new Parser().setLanguage(language);
    loaded.set(name, parser);
    return parser;
  } catch (err) {
    failed.set(name, (err as Error).message);
    throw err;
  }
}

/**
 * The grammar's parser if it is loaded; otherwise starts loading it and returns undefined (the first completion in a
 * language uses indentation rules, the next ones its grammar). A grammar that failed to load is not retried.
 */
export function parserIfLoaded(languageId: string): Parser | undefined {
  const name = grammarFor(languageId);
  if (!name) return undefined;
  const p = loaded.get(name);
  if (p || failed.has(name)) return p;
  loadParser(name).catch(() => {});
  return undefined;
}

/** The language's parser, loading it if need be; undefined for languages without a grammar or if it fails to load. */
export async function parserFor(languageId: string): Promise<Parser | undefined> {
  const name = grammarFor(languageId);
  if (!name || failed.has(name)) return undefined;
  return loaded.get(name) ?? loadParser(name).catch(() => undefined);
}

/** Grammars that failed to load, and why (for the log). */
export function grammarFailures(): ReadonlyMap<GrammarName, string> {
  return failed;
}
