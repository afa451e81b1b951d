// Test support for cross-layer suites: the repository root and the `splice` command as a node invocation.
import * as path from 'node:path';

/** out/test/<file>.js → repository root. */
export const REPO_ROOT = path.resolve(__dirname, '..', '..');
export const SPLICE_BIN = path.join(REPO_ROOT, 'bin', 'splice.js');
export const TINY_MODEL = path.join(REPO_ROOT, 'runtime', 'models', 'fixtures', 'tiny-llama');
