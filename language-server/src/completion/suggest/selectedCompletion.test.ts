// The suggest widget's selected item: the model sees it inserted, the returned item extends it over its range.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { at } from '../text/cursorFixture.js';
import { itemInDocument, viewWithSelected } from './selectedCompletion.js';

describe('selectedCompletionInfo', () => {
  it('completes as if the selected item were inserted, and returns an item that starts with it and covers its range', () => {
    // The user typed `os.pa`, the widget selects `path`, whose range is `pa`.
    const f = at('import os\nos.pa|\n');
    const start = f.offset - 2;
    const view = viewWithSelected(f.text, f.offset, { start, end: f.offset, text: 'path' });
    assert.equal(view.text, 'import os\nos.path\n');
    assert.equal(view.offset, 'import os\nos.path'.length);
    const item = itemInDocument(view, f.offset, { text: '.join(a, b)', replaceSuffix: 0 });
    assert.deepEqual(item, { insertText: 'path.join(a, b)', start, end: f.offset });
  });

  it('the swallowed closers after the cursor extend the range', () => {
    const f = at('n = len(it|)\n');
    const view = viewWithSelected(f.text, f.offset, { start: f.offset - 2, end: f.offset, text: 'items' });
    assert.equal(view.text, 'n = len(items)\n');
    assert.deepEqual(itemInDocument(view, f.offset, { text: ')', replaceSuffix: 1 }), { insertText: 'items)', start: f.offset - 2, end: f.offset + 1 });
  });

  it('without a selected item the view is the document', () => {
    const f = at('x = |\n');
    assert.deepEqual(viewWithSelected(f.text, f.offset), { text: f.text, offset: f.offset });
    assert.deepEqual(itemInDocument({ text: f.text, offset: f.offset }, f.offset, { text: '1', replaceSuffix: 0 }), { insertText: '1', start: f.offset, end: f.offset });
  });
});
