// Bundles the extension, the language server and the CLI into dist/ (onnxruntime-node stays external: it is native),
// and copies the tree-sitter wasm files (web-tree-sitter's runtime and the grammars) into dist/grammars/, where the
// bundled server loads them (language-server/src/completion/syntax/grammars.ts).
import * as esbuild from 'esbuild';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.dirname(fileURLToPath(import.meta.url));
const WASM = [
  ['web-tree-sitter', 'web-tree-sitter.wasm'],
  ['tree-sitter-python', 'tree-sitter-python.wasm'],
  ['tree-sitter-javascript', 'tree-sitter-javascript.wasm'],
  ['tree-sitter-typescript', 'tree-sitter-typescript.wasm'],
  ['tree-sitter-typescript', 'tree-sitter-tsx.wasm'],
];
fs.mkdirSync(path.join(ROOT, 'dist/grammars'), { recursive: true });
for (const [pkg, file] of WASM) fs.copyFileSync(path.join(ROOT, 'node_modules', pkg, file), path.join(ROOT, 'dist/grammars', file));

const watch = process.argv.includes('--watch');
const common = {
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  sourcemap: true,
  logLevel: 'warning',
  // typescript5 (the TS language service, with its lib files) and pyright (run as a child process) ship in node_modules.
  external: ['vscode', 'onnxruntime-node', 'typescript5', 'pyright'],
  // web-tree-sitter's ESM build needs import.meta.url, which a CommonJS bundle lacks: bundle its CommonJS build.
  alias: { 'web-tree-sitter': './node_modules/web-tree-sitter/web-tree-sitter.cjs' },
};
const entries = [
  { entryPoints: ['extension/src/extension.ts'], outfile: 'dist/extension.js' },
  { entryPoints: ['language-server/src/main.ts'], outfile: 'dist/server.js' },
  { entryPoints: ['cli/src/main.ts'], outfile: 'dist/cli.js' },
  { entryPoints: ['runtime/src/serve/engineWorker.ts'], outfile: 'dist/engineWorker.js' },
  { entryPoints: ['language-server/src/completion/shapeWorker.ts'], outfile: 'dist/shapeWorker.js' },
  { entryPoints: ['language-server/src/tools/tsToolWorker.ts'], outfile: 'dist/tsToolWorker.js' },
];
const contexts = await Promise.all(entries.map((e) => esbuild.context({ ...common, ...e })));
if (watch) await Promise.all(contexts.map((c) => c.watch()));
else {
  await Promise.all(contexts.map((c) => c.rebuild()));
  await Promise.all(contexts.map((c) => c.dispose()));
}
