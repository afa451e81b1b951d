// Static validity of a generated body, checked in place: syntax errors, undefined names and missing members that the
// checker (pyright for Python, the TypeScript checker for TS/JS) reports inside the body only.
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { PyrightTool } from '../../../language-server/src/tools/PyrightTool.js';
import { TypeScriptTool } from '../../../language-server/src/tools/TypeScriptTool.js';

/** Pyright rules counted (plus rule-less errors: syntax). */
const PYRIGHT_RULES = new Set(['reportUndefinedVariable', 'reportAttributeAccessIssue']);
/** TypeScript codes counted (plus every syntactic error): cannot find name, property does not exist, no such export. */
const TS_CODES = new Set([2304, 2552, 2339, 2551, 2305, 2724, 2614]);

export class StaticChecker {
  private python: PyrightTool | undefined;
  private script: TypeScriptTool | undefined;

  constructor(private readonly root = process.cwd()) {}

  /** The counted errors inside text[start, end) of the document `file` (absolute path) holding `text`. */
  async errorsIn(file: string, language: string, text: string, start: number, end: number): Promise<string[]> {
    if (language === 'python') {
      this.python ??= new PyrightTool(this.root, true);
      const [from, to] = [lineOf(text, start), lineOf(text, Math.max(start, end - 1))];
      const diags = await this.python.diagnostics(pathToFileURL(file).href, text);
      return diags.filter((d) => d.severity === 1 && (d.code === undefined || PYRIGHT_RULES.has(String(d.code))) && d.range.start.line >= from && d.range.start.line <= to).map((d) => `${d.code ?? 'syntax'}: ${d.message}`);
    }
    this.script ??= new TypeScriptTool(this.root, true);
    const diags = this.script.diagnostics(pathToFileURL(path.resolve(file)).href, language, text);
    return diags
      .filter((d) => d.start !== undefined && d.start >= start && d.start < end && (d.category === 1 && (TS_CODES.has(d.code) || d.code < 2000)))
      .map((d) => `TS${d.code}: ${typeof d.messageText === 'string' ? d.messageText : d.messageText.messageText}`);
  }

  async dispose(): Promise<void> {
    await this.python?.dispose();
  }
}

function lineOf(text: string, offset: number): number {
  let n = 0;
  for (let i = text.indexOf('\n'); i >= 0 && i < offset; i = text.indexOf('\n', i + 1)) n++;
  return n;
}
