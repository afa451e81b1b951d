// The TypeScript tool on real files: members after `.` (lib types, a sibling module from disk), the overlay never
// written, untitled documents, a cancelled call.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, it } from 'node:test';
import { TypeScriptTool } from './TypeScriptTool.js';

function project(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'splice-ts-tool-'));
  fs.writeFileSync(path.join(dir, 'package.json'), '{"name": "p", "type": "module"}');
  fs.writeFileSync(path.join(dir, 'shapes.ts'), 'export class Circle {\n  radius = 1;\n  area(): number { return 3.14 * this.radius ** 2; }\n}\n');
  fs.writeFileSync(path.join(dir, 'main.ts'), 'export {};\n');
  return dir;
}

const live = new AbortController().signal;

describe('TypeScriptTool', () => {
  it('offers the members of a lib type after `.` (array methods)', async () => {
    const dir = project();
    const text = 'const arr = [1, 2, 3];\narr.fil';
    const names = await new TypeScriptTool().names({ text, offset: text.length, uri: pathToFileURL(path.join(dir, 'main.ts')).href }, live);
    assert.ok(names.includes('filter'), names.join(','));
    assert.ok(names.includes('map'));
    assert.ok(!names.includes('arr'));
  });

  it('resolves a sibling module from disk and sees the overlaid text, not the file on disk', async () => {
    const dir = project();
    const main = path.join(dir, 'main.ts');
    const text = "import { Circle } from './shapes.js';\nconst c = new Circle();\nc.";
    const names = await new TypeScriptTool().names({ text, offset: text.length, uri: pathToFileURL(main).href }, live);
    assert.deepEqual([...names].sort(), ['area', 'radius']);
    assert.equal(fs.readFileSync(main, 'utf8'), 'export {};\n');
  });

  it('answers for an untitled document and gives nothing once cancelled', async () => {
    const tool = new TypeScriptTool(os.tmpdir());
    const text = 'const s = "x";\ns.';
    assert.ok((await tool.names({ text, offset: text.length, uri: 'untitled:Untitled-1', languageId: 'typescript' }, live)).includes('toUpperCase'));
    const c = new AbortController();
    c.abort();
    assert.deepEqual(await tool.names({ text: text + ' ', offset: text.length, uri: 'untitled:Untitled-1', languageId: 'typescript' }, c.signal), []);
  });
});
