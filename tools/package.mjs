// `npm run package -- --target <platform>`: builds the bundles, then a per-platform .vsix with `vsce --target` that holds
// only that platform's onnxruntime-node binaries (node_modules/onnxruntime-node/bin/napi-v*/<os>/<arch>/), and lists
// what it packed. Without --target: the platform of this machine. Other arguments go to `vsce package`.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const BIN = path.join(ROOT, 'node_modules/onnxruntime-node/bin');
const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));

/** `<os>/<arch>` folders onnxruntime-node ships binaries for, e.g. `linux/x64`. */
function shippedPlatforms() {
  const napi = fs.readdirSync(BIN).filter((d) => d.startsWith('napi-v'));
  const found = new Set();
  for (const n of napi) for (const o of fs.readdirSync(path.join(BIN, n))) for (const a of fs.readdirSync(path.join(BIN, n, o))) found.add(`${o}/${a}`);
  return [...found].sort();
}

function parseArgs(argv) {
  const i = argv.indexOf('--target');
  if (i >= 0 && !argv[i + 1]) throw new Error('--target needs a platform, e.g. linux-x64, darwin-arm64, win32-x64');
  const target = i >= 0 ? argv[i + 1] : `${process.platform}-${process.arch}`;
  return { target, rest: i >= 0 ? [...argv.slice(0, i), ...argv.slice(i + 2)] : argv };
}

function run(cmd, args) {
  const r = spawnSync(cmd, args, { cwd: ROOT, stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

/** The entries of a zip (the .vsix), read with yauzl (a dependency of vsce). */
function zipEntries(file) {
  const yauzl = createRequire(path.join(ROOT, 'node_modules/@vscode/vsce/package.json'))('yauzl');
  return new Promise((resolve, reject) => {
    yauzl.open(file, { lazyEntries: true }, (err, zip) => {
      if (err) return reject(err);
      const names = [];
      zip.on('entry', (e) => (names.push(e.fileName), zip.readEntry()));
      zip.on('end', () => resolve(names));
      zip.readEntry();
    });
  });
}

const { target, rest } = parseArgs(process.argv.slice(2));
const [tos, tarch] = target.split('-');
const platforms = shippedPlatforms();
if (!platforms.includes(`${tos}/${tarch}`)) {
  console.error(`package: onnxruntime-node ships no binaries for ${target} (it has ${platforms.map((p) => p.replace('/', '-')).join(', ')})`);
  process.exit(2);
}
run(process.execPath, ['esbuild.mjs']);
// The project's .vscodeignore without its fixed platform lines, plus every other platform's binaries.
const base = fs.readFileSync(path.join(ROOT, '.vscodeignore'), 'utf8').split('\n').filter((l) => !l.startsWith('node_modules/onnxruntime-node/bin/'));
const others = platforms.filter((p) => p !== `${tos}/${tarch}`).map((p) => `node_modules/onnxruntime-node/bin/napi-v*/${p}/**`);
const ignoreFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'splice-package-')), '.vscodeignore');
fs.writeFileSync(ignoreFile, [...base, ...others].join('\n'));
const out = rest.includes('--out') ? rest[rest.indexOf('--out') + 1] : `${pkg.name}-${pkg.version}-${target}.vsix`;
const passOn = rest.includes('--out') ? rest.filter((_, i) => i !== rest.indexOf('--out') && i !== rest.indexOf('--out') + 1) : rest;
run('npx', ['--no-install', 'vsce', 'package', '--target', target, '--ignoreFile', ignoreFile, '--allow-missing-repository', '--skip-license', '--no-rewrite-relative-links', '--out', out, ...passOn]);
const entries = await zipEntries(path.resolve(ROOT, out));
const binaries = [...new Set(entries.filter((e) => e.includes('onnxruntime-node/bin/')).map((e) => e.split('/').slice(-3, -1).join('/')))];
console.log(`package: ${out} (${target}): ${(fs.statSync(path.resolve(ROOT, out)).size / 1e6).toFixed(1)} MB, ${entries.length} files, onnxruntime binaries for ${binaries.join(', ')}`);
if (binaries.length !== 1 || binaries[0] !== `${tos}/${tarch}`) {
  console.error(`package: expected only ${tos}/${tarch} binaries, found ${binaries.join(', ') || 'none'}`);
  process.exit(1);
}
