// Test support: a toy byte-level vocabulary (whole words, pieces, single bytes) for the trie, mask and guide tests.
import { ByteVocab, type ByteTokenizer } from '../bytes/ByteVocab.js';

export const TOY_TOKENS = ['p', 'a', 't', 'h', 'r', 'i', 'n', 's', 'e', '(', ')', '.', ' ', '\n', 'pa', 'th', 'path', 'pr', 'int', 'h(', 'sep', 'pathx', '.p', 'x'];
const enc = (s: string) => new TextEncoder().encode(s);

/** The toy vocabulary plus two ids without bytes at the end: a stop token and a mark token. */
export function toyVocab(): { vocab: ByteVocab; stop: number; mark: number } {
  const size = TOY_TOKENS.length + 2;
  const tok: ByteTokenizer = { size, bytesOf: (id) => (id < TOY_TOKENS.length ? enc(TOY_TOKENS[id]!) : undefined), encodeBytes: () => undefined };
  return { vocab: new ByteVocab(tok), stop: TOY_TOKENS.length, mark: TOY_TOKENS.length + 1 };
}

export const idOf = (token: string): number => {
  const id = TOY_TOKENS.indexOf(token);
  if (id < 0) throw new Error(`no toy token ${JSON.stringify(token)}`);
  return id;
};

/** Logits (the toy size) where `favour` gets `value` and everything else 0. */
export function logitsFavouring(favour: Record<number, number>): Float32Array {
  const out = new Float32Array(TOY_TOKENS.length + 2);
  for (const [id, v] of Object.entries(favour)) out[Number(id)] = v;
  return out;
}
