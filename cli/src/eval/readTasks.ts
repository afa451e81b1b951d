// Reads a JSONL task file, naming the line and field of anything malformed.
import * as fs from 'node:fs';
import { checkEdits, SpliceError } from '../../../runtime/src/index.js';
import type { FimTask } from './fimEval.js';
import type { PieTask } from './makePieTasks.js';
import type { ToolgenTask } from './toolgenTask.js';

function fail(file: string, line: number, problem: string): never {
  throw new SpliceError('input', `${file}:${line}: ${problem}`);
}

/** Parsed lines of a JSONL file with their 1-based line numbers; blank lines skipped. */
function readJsonLines(file: string): { value: Record<string, unknown>; line: number }[] {
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
    .map(([l, line]) => {
      try {
        return { value: JSON.parse(l), line };
      } catch {
        return fail(file, line, 'not valid JSON');
      }
    });
}

function requireStrings(file: string, line: number, value: Record<string, unknown>, fields: readonly string[]): void {
  for (const f of fields) if (typeof value[f] !== 'string') fail(file, line, `field "${f}" must be a string`);
}

/** FIM tasks whose answer is `expected` (evals/fim-heldout.jsonl) or `middle` (make-tasks fim). */
export function readFimTasks(file: string): FimTask[] {
  return readJsonLines(file).map(({ value, line }) => {
    requireStrings(file, line, value, ['id', 'language', 'prefix', 'suffix']);
    const expected = value.expected ?? value.middle;
    if (typeof expected !== 'string') fail(file, line, 'field "expected" (or "middle") must be a string');
    const { id, language, prefix, suffix } = value as Record<string, string>;
    return { id: id!, language: language!, prefix: prefix!, suffix: suffix!, expected };
  });
}

export function readPieTasks(file: string): PieTask[] {
  return readJsonLines(file).map(({ value, line }) => {
    requireStrings(file, line, value, ['id', 'language', 'before', 'expected']);
    const t = value as unknown as PieTask;
    if (!Array.isArray(t.edits)) fail(file, line, 'field "edits" must be an array');
    try {
      checkEdits(t.before, t.edits);
    } catch (err) {
      fail(file, line, `field "edits": ${(err as Error).message}`);
    }
    if (!Number.isInteger(t.cursor) || t.cursor < 0) fail(file, line, 'field "cursor" must be a non-negative integer');
    return t;
  });
}

/** Toolgen tasks (make-tasks toolgen): `member` and `function` cursors in real projects. */
export function readToolgenTasks(file: string): ToolgenTask[] {
  return readJsonLines(file).map(({ value, line }) => {
    requireStrings(file, line, value, ['id', 'kind', 'language', 'root', 'file', 'prefix', 'suffix', 'expected']);
    if (value.kind !== 'member' && value.kind !== 'function') fail(file, line, `field "kind" must be "member" or "function" (got ${JSON.stringify(value.kind)})`);
    return value as unknown as ToolgenTask;
  });
}
