// Bundles the extension, the language server and the CLI into dist/ (onnxruntime-node stays external: it is native).
import * as esbuild from 'esbuild';

const watch = process.argv.includes('--watch');
const common = {
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  sourcemap: true,
  logLevel: 'warning',
  external: ['vscode', 'onnxruntime-node'],
};
const entries = [
  { entryPoints: ['extension/src/extension.ts'], outfile: 'dist/extension.js' },
  { entryPoints: ['language-server/src/main.ts'], outfile: 'dist/server.js' },
  { entryPoints: ['cli/src/main.ts'], outfile: 'dist/cli.js' },
  { entryPoints: ['runtime/src/serve/engineWorker.ts'], outfile: 'dist/engineWorker.js' },
];
const contexts = await Promise.all(entries.map((e) => esbuild.context({ ...common, ...e })));
if (watch) await Promise.all(contexts.map((c) => c.watch()));
else {
  await Promise.all(contexts.map((c) => c.rebuild()));
  await Promise.all(contexts.map((c) => c.dispose()));
}
