// A tool query's document as a file path: `file://` URIs and plain paths; other schemes get a stand-in beside `root`.
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const EXTENSIONS: Record<string, string> = { python: '.py', typescript: '.ts', typescriptreact: '.tsx', javascript: '.js', javascriptreact: '.jsx' };

export function documentPath(uri: string | undefined, languageId: string | undefined, root: string): string {
  if (uri?.startsWith('file://')) return fileURLToPath(uri);
  if (uri && path.isAbsolute(uri)) return uri;
  return path.join(root, `__splice_untitled__${EXTENSIONS[languageId ?? ''] ?? '.ts'}`);
}
