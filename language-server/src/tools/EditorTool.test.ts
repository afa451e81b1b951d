// The editor's providers as a tool: asked only where the overlaid text is the open document itself; names filtered.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EditorTool } from './EditorTool.js';

const live = new AbortController().signal;

function tool(docText: string | undefined) {
  const asked: unknown[] = [];
  const t = new EditorTool(
    { sendRequest: async (_m, p) => (asked.push(p), { names: ['push', 'length', 'for each', '"quoted"'] }) },
    (_uri, offset) => (docText === undefined ? undefined : { text: docText, position: { line: 0, character: offset } }),
  );
  return { t, asked };
}

describe('EditorTool', () => {
  it('asks the editor at the document position and keeps identifier names', async () => {
    const { t, asked } = tool('xs.');
    assert.deepEqual(await t.names({ text: 'xs.', offset: 3, uri: 'file:///a.rb' }, live), ['push', 'length']);
    assert.deepEqual(asked, [{ uri: 'file:///a.rb', position: { line: 0, character: 3 } }]);
  });

  it('offers nothing when generated text is overlaid (the editor knows only the document) or the document is not open', async () => {
    const { t, asked } = tool('xs');
    assert.deepEqual(await t.names({ text: 'xs.', offset: 3, uri: 'file:///a.rb' }, live), []);
    assert.deepEqual(await tool(undefined).t.names({ text: 'xs.', offset: 3, uri: 'file:///a.rb' }, live), []);
    assert.equal(asked.length, 0);
  });
});
