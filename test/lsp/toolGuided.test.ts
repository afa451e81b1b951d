// Tool-guided completions over LSP with the bundled model: after `os.pa` (pyright, a child of the server) and
// `arr.fil` (the TypeScript service in its worker) the item completes a member that exists; off, nothing is asked.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { PyrightTool } from '../../language-server/src/tools/PyrightTool.js';
import { TypeScriptTool } from '../../language-server/src/tools/TypeScriptTool.js';
import { LspServer } from './lspHarness.js';

const DIR = fs.mkdtempSync(path.join(os.tmpdir(), 'splice-toolguided-'));
const live = new AbortController().signal;

/** The identifier the completed text ends up with at the cursor: what was typed plus the item's leading name part. */
function completedName(typed: string, insertText: string): string {
  return typed + /^[\w$]*/.exec(insertText)![0];
}

describe('tool-guided completions over LSP (splice-tiny, cpu)', () => {
  let lsp: LspServer;
  before(async () => {
    lsp = LspServer.start();
    await lsp.initialize({ device: 'cpu', maxTokens: 12, debounceMs: 0, toolGuided: true });
    await lsp.waitFor('ready status', () => lsp.statuses.find((s) => s.state === 'ready'), 60_000);
  });
  after(() => lsp.dispose());

  /**
   * The name completed at `position` of `text` opened as a new document. The service starts in the server on the first
   * didOpen (a call over its budget means free decoding), so while it warms up the same text is opened again under a
   * new name (greedy decoding: the same answer unless the tool answered in time; a new document, so no reused item),
   * until the name is one of `names` or 40 s passed; the last name is returned for the assertion.
   */
  async function guidedName(file: string, languageId: string, text: string, position: { line: number; character: number }, typed: string, names: readonly string[]): Promise<string> {
    let name = '';
    const end = Date.now() + 40_000;
    for (let n = 0; Date.now() < end; n++) {
      const uri = pathToFileURL(file.replace(/(\.\w+)$/, `${n}$1`)).href;
      await lsp.open(uri, text, languageId);
      await new Promise((r) => setTimeout(r, 1000));
      const item = (await lsp.complete(uri, position))?.items[0];
      name = completedName(typed, String(item?.insertText ?? ''));
      if (names.includes(name)) break;
    }
    return name;
  }

  it('Python: after `os.pa` the completion spells a member of os that pyright offers', async () => {
    const file = path.join(DIR, 'main.py');
    const text = 'import os\n\nroot = os.pa';
    const uri = pathToFileURL(file).href;
    const oracle = new PyrightTool(DIR);
    try {
      const names = await oracle.names({ text, offset: text.length, uri }, live);
      const name = await guidedName(file, 'python', text, { line: 2, character: 12 }, 'pa', names);
      assert.ok(names.includes(name), `${name} is not among ${names.join(',')}`);
    } finally {
      await oracle.dispose();
    }
  });

  it('TypeScript: after `arr.fil` the completion spells an array member', async () => {
    const file = path.join(DIR, 'main.ts');
    const text = 'const arr = [1, 2, 3];\nconst evens = arr.fil';
    const uri = pathToFileURL(file).href;
    const names = await new TypeScriptTool(DIR).names({ text, offset: text.length, uri }, live);
    const name = await guidedName(file, 'typescript', text, { line: 1, character: 21 }, 'fil', names);
    assert.ok(names.includes(name), `${name} is not among ${names.join(',')}`);
  });
});
