// The completion tools an evaluation asks, by language: pyright for Python, the TypeScript service for TS/JS.
import type { CompletionTool } from '../../../runtime/src/index.js';
import { PyrightTool } from '../../../language-server/src/tools/PyrightTool.js';
import { TypeScriptTool } from '../../../language-server/src/tools/TypeScriptTool.js';

export class ToolSet {
  private python: PyrightTool | undefined;
  private typescript: TypeScriptTool | undefined;

  constructor(private readonly root = process.cwd()) {}

  /** The tool for `language`, started on first use; undefined for languages without one. */
  forLanguage(language: string): CompletionTool | undefined {
    if (language === 'python') return (this.python ??= new PyrightTool(this.root));
    if (language === 'typescript' || language === 'javascript') return (this.typescript ??= new TypeScriptTool(this.root));
    return undefined;
  }

  async dispose(): Promise<void> {
    await this.python?.dispose();
  }
}
