// Where completions are offered: per language (`splice.enableLanguages`, `*` the default) and never in files that
// match `splice.excludeFiles` (secrets: .env, keys, credentials).


export interface DocumentFilterSettings {
  enableLanguages: Record<string, boolean>;
  excludeFiles: string[];
}

const compiled = new Map<string, RegExp>();

/** A glob as a regular expression over `/`-separated paths: `**` any folders, `*` and `?` within a name, `{a,b}`. */
export function globToRegExp(glob: string): RegExp {
  let re = compiled.get(glob);
  if (re) return re;
  let out = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === '*' && glob[i + 1] === '*') {
      const slash = glob[i + 2] === '/';
      out += slash ? '(?:.*/)?' : '.*';
      i += slash ? 2 : 1;
    } else if (c === '*') out += '[^/]*';
    else if (c === '?') out += '[^/]';
    else if (c === '{') {
      const close = glob.indexOf('}', i);
      if (close < 0) out += '\\{';
      else {
        out += `(?:${glob.slice(i + 1, close).split(',').map(escape).join('|')})`;
        i = close;
      }
    } else out += escape(c);
  }
  // A pattern without a `/` (`.env`) matches the file's name in any folder.
  re = new RegExp(`^${glob.includes('/') ? '' : '(?:.*/)?'}${out}$`, process.platform === 'win32' || process.platform === 'darwin' ? 'i' : '');
  compiled.set(glob, re);
  return re;
}

function escape(s: string): string {
  return s.replace(/[.+^${}()|[\]\\*?]/g, '\\$&');
}

/** The path of a document URI (`file:///home/a/.env` → `/home/a/.env`; other schemes: their path). */
export function pathOfUri(uri: string): string {
  try {
    return decodeURIComponent(new URL(uri).pathname);
  } catch {
    return uri;
  }
}

/** Whether completions are offered in this document. */
export function isOffered(settings: DocumentFilterSettings, doc: { uri: string; languageId: string }): boolean {
  const byLanguage = settings.enableLanguages[doc.languageId] ?? settings.enableLanguages['*'] ?? true;
  if (!byLanguage) return false;
  const path = pathOfUri(doc.uri);
  return !settings.excludeFiles.some((g) => globToRegExp(g).test(path));
}
