// Enforces the layer rules of ARCHITECTURE.md by reading every import in the sources.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { REPO_ROOT } from './repoRoot.js';

function sources(dir: string): string[] {
  return fs.readdirSync(path.join(REPO_ROOT, dir), { withFileTypes: true }).flatMap((e) => {
    const rel = path.join(dir, e.name);
    if (e.isDirectory()) return sources(rel);
    return /\.(ts|mjs|js)$/.test(e.name) ? [rel] : [];
  });
}

function importsOf(file: string): string[] {
  const text = fs.readFileSync(path.join(REPO_ROOT, file), 'utf8');
  const specs = [...text.matchAll(/(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|require\(\s*['"]([^'"]+)['"]\s*\)|^import\s+['"]([^'"]+)['"]/gm)];
  return specs.map((m) => (m[1] ?? m[2] ?? m[3] ?? m[4])!);
}

/** Resolved target folder of a relative import, relative to the repository root. */
function target(file: string, spec: string): string {
  return spec.startsWith('.') ? path.relative(REPO_ROOT, path.resolve(REPO_ROOT, path.dirname(file), spec)) : spec;
}

const LSP_PACKAGES = /^vscode-(languageserver|languageclient|jsonrpc)/;

describe('layering', () => {
  it('only extension/ imports vscode', () => {
    const offenders = ['runtime/src', 'language-server/src', 'cli/src'].flatMap(sources).filter((f) => importsOf(f).includes('vscode'));
    assert.deepEqual(offenders, []);
  });

  it('runtime/ imports no vscode, no LSP and nothing outside runtime/', () => {
    const bad = sources('runtime/src').flatMap((f) =>
      importsOf(f)
        .filter((s) => s === 'vscode' || LSP_PACKAGES.test(s) || (s.startsWith('.') && !target(f, s).startsWith('runtime/')))
        .map((s) => `${f}: ${s}`),
    );
    assert.deepEqual(bad, []);
  });

  it('extension/ imports no runtime/ and, of the server, only its protocol file', () => {
    const bad = sources('extension/src').flatMap((f) =>
      importsOf(f)
        .filter((s) => target(f, s).startsWith('runtime/') || (target(f, s).startsWith('language-server/') && target(f, s) !== 'language-server/src/protocol.js'))
        .map((s) => `${f}: ${s}`),
    );
    assert.deepEqual(bad, []);
  });

  it('of cli/, only the latency benchmark\'s editor (bench/lspClient.ts) imports LSP libraries', () => {
    const offenders = sources('cli/src').filter((f) => f !== path.join('cli', 'src', 'bench', 'lspClient.ts') && importsOf(f).some((s) => LSP_PACKAGES.test(s)));
    assert.deepEqual(offenders, []);
    assert.ok(importsOf(path.join('cli', 'src', 'bench', 'lspClient.ts')).some((s) => LSP_PACKAGES.test(s)));
  });

  it('language-server/ and cli/ reach the runtime only through runtime/src/index', () => {
    const bad = ['language-server/src', 'cli/src'].flatMap(sources).flatMap((f) =>
      importsOf(f)
        .filter((s) => target(f, s).startsWith('runtime/') && target(f, s) !== 'runtime/src/index.js')
        .map((s) => `${f}: ${s}`),
    );
    assert.deepEqual(bad, []);
  });

  it('finds the imports it checks (the scanner itself works)', () => {
    assert.ok(importsOf('extension/src/extension.ts').includes('vscode'));
    assert.ok(importsOf('runtime/src/index.ts').length > 5);
  });
});
