// The TypeScript language service in-process as a completion tool for TS/JS: the workspace from disk, the queried
// document overlaid in memory (never written), one warm service per project root.
import * as fs from 'node:fs';
import * as path from 'node:path';
import ts from 'typescript5';
import type { CompletionTool, ToolQuery } from '../../../runtime/src/index.js';
import { documentPath } from './documentPath.js';
import { identifierNames } from './identifierNames.js';

const OPTIONS: ts.CompilerOptions = {
  target: ts.ScriptTarget.ES2022,
  module: ts.ModuleKind.NodeNext,
  moduleResolution: ts.ModuleResolutionKind.NodeNext,
  allowJs: true,
  checkJs: false,
  jsx: ts.JsxEmit.Preserve,
  esModuleInterop: true,
  skipLibCheck: true,
  noEmit: true,
};

/** The folder whose tsconfig.json (or package.json) is nearest above `file`, else the file's folder. */
export function projectRoot(file: string): string {
  for (let dir = path.dirname(file); ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, 'tsconfig.json')) || fs.existsSync(path.join(dir, 'package.json'))) return dir;
    if (path.dirname(dir) === dir) return path.dirname(file);
  }
}

/** One language service over one project: disk files, plus overlays for the documents asked about. */
class ProjectService {
  private readonly overlays = new Map<string, { text: string; version: number }>();
  private signal: AbortSignal | undefined;
  readonly service: ts.LanguageService;

  constructor(
    readonly root: string,
    checking: boolean,
  ) {
    const options = checking ? { ...OPTIONS, checkJs: true } : OPTIONS;
    const host: ts.LanguageServiceHost = {
      getCompilationSettings: () => options,
      getScriptFileNames: () => [...this.overlays.keys()],
      getScriptVersion: (f) => String(this.overlays.get(f)?.version ?? 0),
      getScriptSnapshot: (f) => {
        const o = this.overlays.get(f);
        if (o) return ts.ScriptSnapshot.fromString(o.text);
        const text = ts.sys.readFile(f);
        return text === undefined ? undefined : ts.ScriptSnapshot.fromString(text);
      },
      getCurrentDirectory: () => root,
      getDefaultLibFileName: (o) => ts.getDefaultLibFilePath(o),
      fileExists: (f) => this.overlays.has(f) || ts.sys.fileExists(f),
      readFile: (f) => this.overlays.get(f)?.text ?? ts.sys.readFile(f),
      readDirectory: ts.sys.readDirectory,
      directoryExists: ts.sys.directoryExists,
      getDirectories: ts.sys.getDirectories,
      getCancellationToken: () => ({ isCancellationRequested: () => this.signal?.aborted ?? false }),
    };
    this.service = ts.createLanguageService(host, ts.createDocumentRegistry());
  }

  private show(file: string, text: string): void {
    const o = this.overlays.get(file);
    if (!o || o.text !== text) this.overlays.set(file, { text, version: (o?.version ?? 0) + 1 });
  }

  /** The syntactic and semantic diagnostics of `text` laid over `file`. */
  diagnostics(file: string, text: string): ts.Diagnostic[] {
    this.show(file, text);
    return [...this.service.getSyntacticDiagnostics(file), ...this.service.getSemanticDiagnostics(file)];
  }

  /** The names offered at `offset` of `text` laid over `file`. */
  names(file: string, text: string, offset: number, signal: AbortSignal): string[] {
    if (signal.aborted) return [];
    this.show(file, text);
    this.signal = signal;
    try {
      const info = this.service.getCompletionsAtPosition(file, offset, { includeCompletionsWithInsertText: false, includeCompletionsForModuleExports: false });
      if (!info) return [];
      // In JS files without types, TS also lists every word of the file (kind "warning"): those are no evidence.
      return identifierNames(info.entries.filter((e) => e.kind !== ts.ScriptElementKind.warning).map((e) => e.name));
    } catch (err) {
      if (err instanceof ts.OperationCanceledException) return [];
      throw err;
    } finally {
      this.signal = undefined;
    }
  }
}

export class TypeScriptTool implements CompletionTool {
  private readonly projects = new Map<string, ProjectService>();

  /** `root`: where untitled documents are placed (default the process's folder); `checking`: JS files type-checked too (evaluations). */
  constructor(
    private readonly root = process.cwd(),
    private readonly checking = false,
  ) {}

  async names(q: ToolQuery, signal: AbortSignal): Promise<readonly string[]> {
    const { project, file } = this.projectOf(q.uri, q.languageId);
    return project.names(file, q.text, q.offset, signal);
  }

  /** The TypeScript checker's diagnostics of `text` overlaid on the document `uri`. */
  diagnostics(uri: string, languageId: string, text: string): ts.Diagnostic[] {
    const { project, file } = this.projectOf(uri, languageId);
    return project.diagnostics(file, text);
  }

  private projectOf(uri: string | undefined, languageId: string | undefined): { project: ProjectService; file: string } {
    const file = documentPath(uri, languageId ?? 'typescript', this.root).split(path.sep).join('/');
    const root = projectRoot(file);
    let project = this.projects.get(root);
    if (!project) this.projects.set(root, (project = new ProjectService(root, this.checking)));
    return { project, file };
  }
}
