// The pyright tool against the real child server: stdlib members after `.`, a sibling module from disk, the overlay
// never written, the child killed on dispose and restarted after it dies.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, describe, it } from 'node:test';
import { positionAt, PyrightTool } from './PyrightTool.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'splice-py-tool-'));
fs.writeFileSync(path.join(dir, 'shapes.py'), 'class Circle:\n    def __init__(self):\n        self.radius = 1\n\n    def area(self):\n        return 3.14 * self.radius ** 2\n');
const MAIN = path.join(dir, 'main.py');
fs.writeFileSync(MAIN, '');
const live = new AbortController().signal;

describe('PyrightTool', () => {
  const tool = new PyrightTool(dir);
  after(() => tool.dispose());

  it('positionAt counts lines and UTF-16 characters', () => {
    assert.deepEqual(positionAt('ab\ncd\ne', 5), { line: 1, character: 2 });
    assert.deepEqual(positionAt('x', 0), { line: 0, character: 0 });
  });

  it('offers the members of a stdlib module after `.`', async () => {
    const text = 'import os\nos.pa';
    const names = await tool.names({ text, offset: text.length, uri: pathToFileURL(MAIN).href }, live);
    assert.ok(names.includes('path'), names.join(','));
  });

  it('resolves a sibling module from disk and sees the overlaid text, not the file on disk', async () => {
    const text = 'from shapes import Circle\nc = Circle()\nc.';
    const names = await tool.names({ text, offset: text.length, uri: pathToFileURL(MAIN).href }, live);
    assert.ok(names.includes('area') && names.includes('radius'), names.join(','));
    assert.equal(fs.readFileSync(MAIN, 'utf8'), '');
  });

  it('starts a new child after the old one died', async () => {
    const proc = (tool as unknown as { proc: { child: { kill(): void; once(e: string, f: () => void): void } } }).proc;
    await new Promise<void>((resolve) => (proc.child.once('exit', resolve), proc.child.kill()));
    const text = 'import os\nos.';
    assert.ok((await tool.names({ text, offset: text.length, uri: pathToFileURL(MAIN).href }, live)).includes('getcwd'));
  });
});
