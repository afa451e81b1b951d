// The toolgen task format (evals/README.md): a cursor in a real project's file, the project root kept for the tools.
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';

export interface ToolgenTask {
  id: string;
  /** `member`: the cursor right after `obj.`, expected = the identifier; `function`: a body removed, expected = it. */
  kind: 'member' | 'function';
  language: string;
  /** The project's root folder (relative paths are from the repository root), so tools can resolve imports. */
  root: string;
  /** The file, relative to root. */
  file: string;
  /** The file's text before the cursor, and after what was removed. */
  prefix: string;
  suffix: string;
  expected: string;
}

/** The task's document as a file URI (the tools overlay prefix + suffix on it; the file itself is never written). */
export function taskUri(t: ToolgenTask): string {
  return pathToFileURL(path.resolve(t.root, t.file)).href;
}
