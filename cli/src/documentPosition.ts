// Reads a source file for the CLI and turns a 1-based line and column (as the editor shows them) into an offset.
import * as fs from 'node:fs';
import { SpliceError } from '../../runtime/src/index.js';

/** Files beyond this are refused: the CLI reads them whole. */
const MAX_FILE_BYTES = 64 * 1024 * 1024;

export function readSourceFile(file: string): string {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new SpliceError('input', code === 'ENOENT' ? `cannot read ${file}: no such file` : `cannot read ${file}: ${(err as Error).message}`);
  }
  if (!stat.isFile()) throw new SpliceError('input', `${file} is not a regular file`);
  if (stat.size > MAX_FILE_BYTES) throw new SpliceError('input', `${file} is ${stat.size} bytes; the limit is ${MAX_FILE_BYTES}`);
  const bytes = fs.readFileSync(file);
  if (bytes.subarray(0, 8192).includes(0)) throw new SpliceError('input', `${file} looks binary (it has NUL bytes); refusing to complete in it`);
  const text = bytes.toString('utf8');
  // A UTF-8 byte-order mark is not part of line 1 as the editor shows it.
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/** UTF-16 offset of (line, col), both 1-based; col may be one past the line's end. */
export function offsetAt(text: string, line: number, col: number): number {
  if (!Number.isInteger(line) || line < 1) throw new SpliceError('input', `--line must be a positive integer (got ${line})`);
  if (!Number.isInteger(col) || col < 1) throw new SpliceError('input', `--col must be a positive integer (got ${col})`);
  let start = 0;
  for (let l = 1; l < line; l++) {
    const nl = text.indexOf('\n', start);
    if (nl < 0) throw new SpliceError('input', `--line ${line} is past the end of the file (${l} lines)`);
    start = nl + 1;
  }
  let end = text.indexOf('\n', start);
  if (end < 0) end = text.length;
  if (end > start && text[end - 1] === '\r') end--;
  const length = end - start;
  if (col > length + 1) throw new SpliceError('input', `--col ${col} is past the end of line ${line} (${length} characters)`);
  return start + col - 1;
}
