// Pyright as a completion tool for Python: `pyright-langserver --stdio` (npm) as a child process, started on first use
// and again after it dies, killed on dispose; the queried document is overlaid with didOpen/didChange (never written).
import { spawn, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  CancellationTokenSource,
  CompletionItemKind,
  CompletionRequest,
  createProtocolConnection,
  type Diagnostic,
  DocumentDiagnosticRequest,
  DidChangeTextDocumentNotification,
  DidCloseTextDocumentNotification,
  DidOpenTextDocumentNotification,
  ExitNotification,
  InitializedNotification,
  InitializeRequest,
  type ProtocolConnection,
  ShutdownRequest,
  StreamMessageReader,
  StreamMessageWriter,
} from 'vscode-languageserver-protocol/node';
import type { CompletionTool, ToolQuery } from '../../../runtime/src/index.js';
import { documentPath } from './documentPath.js';
import { identifierNames } from './identifierNames.js';

/** Documents kept open in pyright at once (the least recently asked is closed beyond this). */
const MAX_OPEN = 2;

/** The line and UTF-16 character of `offset` in `text`. */
export function positionAt(text: string, offset: number): { line: number; character: number } {
  let line = 0;
  let start = 0;
  for (let i = text.indexOf('\n'); i >= 0 && i < offset; i = text.indexOf('\n', i + 1)) {
    line++;
    start = i + 1;
  }
  return { line, character: offset - start };
}

/** Pyright's workspace/configuration answer: open files only; type checking `basic` when checking, else off. */
function configuration(checking: boolean) {
  const analysis = { diagnosticMode: 'openFilesOnly', typeCheckingMode: checking ? 'basic' : 'off', autoImportCompletions: false };
  return (params: { items: { section?: string }[] }): unknown[] => params.items.map((i) => (i.section === 'python.analysis' ? analysis : {}));
}

class PyrightProcess {
  private readonly open = new Map<string, { version: number; text: string }>();
  readonly ready: Promise<void>;
  dead = false;

  constructor(
    readonly child: ChildProcess,
    readonly conn: ProtocolConnection,
    root: string,
    checking: boolean,
  ) {
    child.once('exit', () => (this.dead = true));
    conn.onRequest('workspace/configuration', configuration(checking));
    conn.onRequest('client/registerCapability', () => null);
    conn.onRequest('window/workDoneProgress/create', () => null);
    for (const m of ['window/logMessage', 'window/showMessage', 'textDocument/publishDiagnostics', '$/progress', 'telemetry/event']) conn.onNotification(m, () => undefined);
    conn.listen();
    const rootUri = pathToFileURL(root).href;
    this.ready = conn
      .sendRequest(InitializeRequest.type, {
        processId: process.pid,
        rootUri,
        workspaceFolders: [{ uri: rootUri, name: path.basename(root) }],
        capabilities: { workspace: { configuration: true }, textDocument: { completion: { completionItem: { snippetSupport: false } }, ...(checking ? { diagnostic: {} } : {}) } },
      })
      .then(() => conn.sendNotification(InitializedNotification.type, {}));
  }

  /** Makes pyright's copy of `uri` equal `text`. */
  async show(uri: string, text: string): Promise<void> {
    const doc = this.open.get(uri);
    this.open.delete(uri);
    if (!doc) {
      await this.conn.sendNotification(DidOpenTextDocumentNotification.type, { textDocument: { uri, languageId: 'python', version: 1, text } });
      this.open.set(uri, { version: 1, text });
      for (const old of this.open.keys()) {
        if (this.open.size <= MAX_OPEN) break;
        this.open.delete(old);
        await this.conn.sendNotification(DidCloseTextDocumentNotification.type, { textDocument: { uri: old } });
      }
      return;
    }
    const version = doc.text === text ? doc.version : doc.version + 1;
    if (version !== doc.version) await this.conn.sendNotification(DidChangeTextDocumentNotification.type, { textDocument: { uri, version }, contentChanges: [{ text }] });
    this.open.set(uri, { version, text });
  }
}

export class PyrightTool implements CompletionTool {
  private proc: PyrightProcess | undefined;

  /**
   * `root`: the workspace folder pyright resolves imports in (and where untitled documents are placed); `checking`:
   * basic type checking, for `diagnostics` (evaluations), instead of completions only.
   */
  constructor(
    private readonly root = process.cwd(),
    private readonly checking = false,
  ) {}

  /** Pyright's diagnostics of `text` overlaid on `uri` (pull diagnostics; needs `checking`). */
  async diagnostics(uri: string, text: string): Promise<Diagnostic[]> {
    const proc = this.process();
    await proc.ready;
    await proc.show(uri, text);
    const r = await proc.conn.sendRequest(DocumentDiagnosticRequest.type, { textDocument: { uri } });
    return r.kind === 'full' ? r.items : [];
  }

  async names(q: ToolQuery, signal: AbortSignal): Promise<readonly string[]> {
    const proc = this.process();
    await proc.ready;
    if (signal.aborted) return [];
    const uri = pathToFileURL(documentPath(q.uri, 'python', this.root)).href;
    await proc.show(uri, q.text);
    const cancel = new CancellationTokenSource();
    const onAbort = () => cancel.cancel();
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      const r = await proc.conn.sendRequest(CompletionRequest.type, { textDocument: { uri }, position: positionAt(q.text, q.offset) }, cancel.token);
      const items = Array.isArray(r) ? r : (r?.items ?? []);
      const named = items.filter((i) => i.kind !== CompletionItemKind.Keyword && i.kind !== CompletionItemKind.Snippet);
      return identifierNames(named.map((i) => i.insertText ?? i.label));
    } catch (err) {
      if (signal.aborted) return [];
      throw err;
    } finally {
      signal.removeEventListener('abort', onAbort);
      cancel.dispose();
    }
  }

  /** Shuts the child down (and kills it if it does not exit within a second). */
  async dispose(): Promise<void> {
    const p = this.proc;
    this.proc = undefined;
    if (!p || p.dead) return;
    const exited = new Promise<void>((resolve) => p.child.once('exit', () => resolve()));
    const timeout = new Promise<void>((resolve) => setTimeout(resolve, 1000).unref());
    try {
      await Promise.race([p.conn.sendRequest(ShutdownRequest.type).then(() => p.conn.sendNotification(ExitNotification.type)), timeout]);
    } catch {
      // a dead connection: the kill below ends it
    }
    await Promise.race([exited, timeout]);
    if (!p.dead) p.child.kill('SIGKILL');
    p.conn.dispose();
  }

  /** The running child, started on first use and again after it died. */
  private process(): PyrightProcess {
    if (this.proc && !this.proc.dead) return this.proc;
    this.proc?.conn.dispose();
    const child = spawn(process.execPath, [require.resolve('pyright/langserver.index.js'), '--stdio'], { stdio: ['pipe', 'pipe', 'ignore'], cwd: this.root });
    const conn = createProtocolConnection(new StreamMessageReader(child.stdout!), new StreamMessageWriter(child.stdin!));
    conn.onError(() => undefined);
    this.proc = new PyrightProcess(child, conn, this.root, this.checking);
    this.proc.ready.catch(() => undefined);
    return this.proc;
  }
}
