// Reads source files under a folder (sorted, bounded) for benchmarks and task building.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { SpliceError } from '../../runtime/src/index.js';

export const LANGUAGES: Record<string, string> = { '.py': 'python', '.ts': 'typescript', '.js': 'javascript', '.mjs': 'javascript', '.tsx': 'typescript' };
const SKIP_DIRS = new Set(['node_modules', '.git', 'out', 'dist', '__pycache__']);
const MAX_FILE_BYTES = 256 * 1024;

export interface SourceFile {
  path: string;
  language: string;
  text: string;
}

/** Code files under `dir` in path order; binary, huge and non-UTF-8 files are skipped. */
export function readCodeFiles(dir: string, limit = Infinity): SourceFile[] {
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) throw new SpliceError('input', `${dir} is not a directory`);
  const out: SourceFile[] = [];
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true }).sort((x, y) => x.name.localeCompare(y.name))) {
      if (out.length >= limit) return;
      const p = path.join(d, e.name);
      if (e.isDirectory()) {
        if (!SKIP_DIRS.has(e.name)) walk(p);
        continue;
      }
      const language = LANGUAGES[path.extname(e.name)];
      if (!language || !e.isFile() || fs.statSync(p).size > MAX_FILE_BYTES) continue;
      const bytes = fs.readFileSync(p);
      if (bytes.includes(0)) continue;
      const text = bytes.toString('utf8');
      if (text.includes('\uFFFD')) continue;
      out.push({ path: p, language, text });
    }
  };
  walk(dir);
  return out;
}
