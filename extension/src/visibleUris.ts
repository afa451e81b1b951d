// The `splice/visibleDocuments` payload: the active editor's document first, then the other visible ones (file, untitled).

/** The part of a vscode.Uri this needs (kept structural so the rule is testable without VS Code). */
export interface UriLike {
  readonly scheme: string;
  toString(): string;
}

const SCHEMES = new Set(['file', 'untitled']);

export function visibleUris(active: UriLike | undefined, visible: readonly UriLike[]): string[] {
  const out: string[] = [];
  for (const uri of [...(active ? [active] : []), ...visible]) {
    const s = uri.toString();
    if (SCHEMES.has(uri.scheme) && !out.includes(s)) out.push(s);
  }
  return out;
}
