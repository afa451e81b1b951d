// Which completion labels are names the decoder can spell: identifiers, not snippets, keywords-with-spaces or strings.

const IDENTIFIER = /^[\p{L}_$][\p{L}\p{N}_$]*$/u;

/** The distinct identifier-shaped names among `labels`, in order. */
export function identifierNames(labels: Iterable<string>): string[] {
  const out = new Set<string>();
  for (const l of labels) if (IDENTIFIER.test(l)) out.add(l);
  return [...out];
}
