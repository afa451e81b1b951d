// The server's completion tool: routes each call by language — the TypeScript service (its worker) for TS/JS, pyright
// (a child process, started on the first Python call) for Python, the editor's providers for everything else.
import type { CompletionTool, ToolQuery } from '../../../runtime/src/index.js';
import type { EditorTool } from './EditorTool.js';
import { PyrightTool } from './PyrightTool.js';
import { TsToolWorkerClient } from './TsToolWorkerClient.js';

const SCRIPT_LANGUAGES = new Set(['typescript', 'typescriptreact', 'javascript', 'javascriptreact']);

export class ToolRouter implements CompletionTool {
  private python: PyrightTool | undefined;
  private script: TsToolWorkerClient | undefined;

  constructor(
    private readonly editor: EditorTool,
    /** The workspace folder (pyright's root); the process's folder when the client named none. */
    private readonly root: () => string,
  ) {}

  names(q: ToolQuery, signal: AbortSignal): Promise<readonly string[]> {
    if (q.languageId === 'python') return (this.python ??= new PyrightTool(this.root())).names(q, signal);
    if (SCRIPT_LANGUAGES.has(q.languageId ?? '')) return (this.script ??= new TsToolWorkerClient()).names(q, signal);
    return this.editor.names(q, signal);
  }

  /** Starts the document's language service and lets it read the document, so the first trigger finds it warm. */
  warm(uri: string, languageId: string, text: string): void {
    if (languageId !== 'python' && !SCRIPT_LANGUAGES.has(languageId)) return;
    this.names({ text, offset: 0, uri, languageId }, new AbortController().signal).catch(() => undefined);
  }

  /** Ends the TypeScript worker and kills pyright. */
  async dispose(): Promise<void> {
    await Promise.all([this.python?.dispose(), this.script?.dispose()]);
  }
}
