// pickerItems: the picker's entries for a model list, the one in use marked, hub sizes as the hub tells them.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ModelList } from '../../language-server/src/protocol.js';
import { formatSize, hubEntries, modelEntries } from './pickerItems.js';

const LIST: ModelList = {
  modelsDir: '/m',
  bundled: { name: 'splice-tiny', dir: '/ext/runtime/models/splice-tiny' },
  installed: [{ id: 'o/a:q4', dir: '/m/o/a-q4', bytes: 786_000_000 }],
  catalog: [{ repo: 'o/a', params: '0.5B', licence: 'apache-2.0', variant: 'q4', note: 'small' }, { repo: 'o/b', params: '3B', licence: 'x', variant: 'q4', note: 'big' }],
};

describe('pickerItems', () => {
  it('lists the bundled model, installed ones (the one in use marked), a folder and the hub', () => {
    const e = modelEntries(LIST, '/m/o/a-q4/');
    assert.deepEqual(e.map((x) => x.action), [{ kind: 'path', modelPath: '' }, { kind: 'path', modelPath: '/m/o/a-q4' }, { kind: 'folder' }, { kind: 'hub' }]);
    assert.equal(e[1]!.description, '786 MB (in use)');
    assert.equal(e[0]!.description, 'bundled, no download');
    assert.equal(modelEntries(LIST, '')[0]!.description, 'bundled, no download (in use)');
  });

  it('lists extra then curated hub models with size, parameters, licence and variant', () => {
    const e = hubEntries(LIST, ['me/mine'], new Map<string, number | string>([['o/a:q4', 786_000_000], ['o/b:q4', 'size unknown (hub unreachable)']]));
    assert.deepEqual(e.map((x) => x.action), [{ kind: 'pull', model: 'me/mine' }, { kind: 'pull', model: 'o/a:q4' }, { kind: 'pull', model: 'o/b:q4' }, { kind: 'other' }]);
    assert.equal(e[0]!.description, 'size: asking the hub… · fp32');
    assert.equal(e[1]!.description, '786 MB · 0.5B · apache-2.0 · q4 · installed');
    assert.equal(e[2]!.description, 'size unknown (hub unreachable) · 3B · x · q4');
  });

  it('formats sizes', () => {
    assert.deepEqual([formatSize(999), formatSize(1500), formatSize(2.5e9)], ['999 B', '1.5 KB', '2.5 GB']);
  });
});
