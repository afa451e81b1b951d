// Reads a JSONL task file, naming the line and field of anything malformed.
import * as fs from 'node:fs';
import { checkEdits, SpliceError } from '../../../runtime/src/index.js';
import type { PieTask } from './makePieTasks.js';

function fail(file: string, line: number, problem: string): never {
  throw new SpliceError('input', `${file}:${line}: ${problem}`);
}

export function readPieTasks(file: string): PieTask[] {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    throw new SpliceError('input', `cannot read task file ${file}`);
  }
  return text
    .split('\n')
    .map((l, i) => [l, i + 1] as const)
    .filter(([l]) => l.trim() !== '')
    .map(([l, n]) => {
      let t: PieTask;
      try {
        t = JSON.parse(l);
      } catch {
        return fail(file, n, 'not valid JSON');
      }
      for (const f of ['id', 'language', 'before', 'expected'] as const) if (typeof t[f] !== 'string') fail(file, n, `field "${f}" must be a string`);
      if (!Array.isArray(t.edits)) fail(file, n, 'field "edits" must be an array');
      try {
        checkEdits(t.before, t.edits);
      } catch (err) {
        fail(file, n, `field "edits": ${(err as Error).message}`);
      }
      if (!Number.isInteger(t.cursor) || t.cursor < 0) fail(file, n, 'field "cursor" must be a non-negative integer');
      return t;
    });
}
