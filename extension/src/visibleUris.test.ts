// visibleUris: active document first, then the other visible ones, file and untitled only, no duplicates.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { visibleUris, type UriLike } from './visibleUris.js';

const uri = (s: string): UriLike => ({ scheme: s.slice(0, s.indexOf(':')), toString: () => s });

describe('visibleUris', () => {
  it('puts the active document first, keeps file and untitled, drops other schemes and duplicates', () => {
    const a = uri('file:///a.py');
    const got = visibleUris(a, [uri('output:extension-output'), uri('untitled:Untitled-1'), a, uri('git:/a.py'), uri('file:///b.ts')]);
    assert.deepEqual(got, ['file:///a.py', 'untitled:Untitled-1', 'file:///b.ts']);
  });

  it('without an active editor lists the visible ones in order', () => {
    assert.deepEqual(visibleUris(undefined, [uri('file:///b.ts'), uri('file:///a.py')]), ['file:///b.ts', 'file:///a.py']);
    assert.deepEqual(visibleUris(uri('vscode-settings:/x'), []), []);
  });
});
