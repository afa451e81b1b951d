// Where completions are offered: per-language switches and excluded files.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULT_EXCLUDE_FILES } from '../../protocol.js';
import { globToRegExp, isOffered, pathOfUri } from './documentFilter.js';

const defaults = { enableLanguages: { '*': true }, excludeFiles: DEFAULT_EXCLUDE_FILES };

describe('documentFilter', () => {
  it('excludes secrets by default: .env files, keys, credentials', () => {
    for (const uri of ['file:///w/.env', 'file:///w/app/.env.local', 'file:///w/tls/server.pem', 'file:///w/a.key', 'file:///home/u/.ssh/id_rsa', 'file:///w/secrets.json', 'file:///w/credentials', 'file:///w/credentials.yaml']) {
      assert.equal(isOffered(defaults, { uri, languageId: 'plaintext' }), false, uri);
    }
    for (const uri of ['file:///w/main.py', 'file:///w/env.ts', 'file:///w/.envrc-notes/readme.md', 'untitled:Untitled-1', 'file:///w/keys.ts']) {
      assert.equal(isOffered(defaults, { uri, languageId: 'python' }), true, uri);
    }
  });

  it('per-language switches, `*` the default', () => {
    const s = { enableLanguages: { '*': false, python: true }, excludeFiles: [] };
    assert.equal(isOffered(s, { uri: 'file:///a.py', languageId: 'python' }), true);
    assert.equal(isOffered(s, { uri: 'file:///a.md', languageId: 'markdown' }), false);
    assert.equal(isOffered({ enableLanguages: { markdown: false }, excludeFiles: [] }, { uri: 'file:///a.ts', languageId: 'typescript' }), true);
  });

  it('globs: `**` folders, `*` within a name, braces', () => {
    assert.ok(globToRegExp('**/*.{pem,key}').test('/a/b/c.key'));
    assert.ok(!globToRegExp('src/*.ts').test('src/a/b.ts'));
    assert.ok(globToRegExp('**/build/**').test('/w/build/out/a.js'));
    assert.equal(pathOfUri('file:///w/my%20dir/.env'), '/w/my dir/.env');
  });
});
