// Test support for the LSP suites: `splice lsp --stdio` as a child process behind a real JSON-RPC client.
import { spawn, type ChildProcess } from 'node:child_process';
import {
  type CancellationToken,
  createProtocolConnection,
  DidChangeConfigurationNotification,
  DidChangeTextDocumentNotification,
  DidCloseTextDocumentNotification,
  DidOpenTextDocumentNotification,
  ExitNotification,
  InitializedNotification,
  InitializeRequest,
  type InitializeResult,
  InlineCompletionRequest,
  type InlineCompletionContext,
  type InlineCompletionList,
  type Position,
  type ProtocolConnection,
  ShutdownRequest,
  StreamMessageReader,
  StreamMessageWriter,
  type TextDocumentContentChangeEvent,
} from 'vscode-languageserver-protocol/node';
import { SPLICE_BIN } from '../repoRoot.js';
import { METRICS_REQUEST, STATS_REQUEST, STATUS_NOTIFICATION, type DocumentStats, type ServerMetrics, type SpliceSettings, type SpliceStatus } from './serverFacts.js';

export interface ServerExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** One `splice lsp --stdio` process and a JSON-RPC connection to it, with the statuses it sent and its stderr. */
export class LspServer {
  readonly process: ChildProcess;
  readonly conn: ProtocolConnection;
  /** Every `splice/status` notification, in order. */
  readonly statuses: SpliceStatus[] = [];
  stderr = '';
  /** Set when the process exits (the 'exit' event); undefined while it runs. */
  exit: ServerExit | undefined;
  /** Resolves when the process exits. */
  readonly exited: Promise<ServerExit>;
  private readonly versions = new Map<string, number>();

  private constructor() {
    this.process = spawn(process.execPath, [SPLICE_BIN, 'lsp', '--stdio'], { stdio: ['pipe', 'pipe', 'pipe'] });
    this.process.stderr!.on('data', (d) => (this.stderr += String(d)));
    this.exited = new Promise((resolve) =>
      this.process.once('exit', (code, signal) => {
        this.exit = { code, signal };
        resolve(this.exit);
      }),
    );
    this.conn = createProtocolConnection(new StreamMessageReader(this.process.stdout!), new StreamMessageWriter(this.process.stdin!));
    this.conn.onNotification(STATUS_NOTIFICATION, (s: SpliceStatus) => {
      this.statuses.push(s);
    });
    // Pending requests are only rejected when the connection is disposed: do it once the process's pipes closed.
    this.process.once('close', () => this.conn.dispose());
    this.conn.listen();
  }

  static start(): LspServer {
    return new LspServer();
  }

  /** `initialize` with these settings as initializationOptions, then `initialized`. */
  async initialize(settings: Partial<SpliceSettings>): Promise<InitializeResult> {
    const result = await this.conn.sendRequest(InitializeRequest.type, { processId: process.pid, rootUri: null, capabilities: {}, initializationOptions: settings });
    await this.conn.sendNotification(InitializedNotification.type, {});
    return result;
  }

  /** `workspace/didChangeConfiguration` with `{settings: {splice: settings}}`. */
  configure(settings: Partial<SpliceSettings>): Promise<void> {
    return this.send('didChangeConfiguration', () => this.conn.sendNotification(DidChangeConfigurationNotification.type, { settings: { splice: settings } }));
  }

  open(uri: string, text: string, languageId = 'python'): Promise<void> {
    this.versions.set(uri, 1);
    return this.send('didOpen', () => this.conn.sendNotification(DidOpenTextDocumentNotification.type, { textDocument: { uri, languageId, version: 1, text } }));
  }

  change(uri: string, contentChanges: TextDocumentContentChangeEvent[]): Promise<void> {
    const version = (this.versions.get(uri) ?? 1) + 1;
    this.versions.set(uri, version);
    return this.send('didChange', () => this.conn.sendNotification(DidChangeTextDocumentNotification.type, { textDocument: { uri, version }, contentChanges }));
  }

  /** An incremental didChange inserting `text` at `at`. */
  insert(uri: string, at: Position, text: string): Promise<void> {
    return this.change(uri, [{ range: { start: at, end: at }, text }]);
  }

  close(uri: string): Promise<void> {
    this.versions.delete(uri);
    return this.send('didClose', () => this.conn.sendNotification(DidCloseTextDocumentNotification.type, { textDocument: { uri } }));
  }

  complete(uri: string, position: Position, token?: CancellationToken, context: InlineCompletionContext = { triggerKind: 2 }): Promise<InlineCompletionList | null> {
    return this.send('textDocument/inlineCompletion', () => this.conn.sendRequest(InlineCompletionRequest.type, { textDocument: { uri }, position, context }, token) as Promise<InlineCompletionList | null>);
  }

  metrics(reset = false): Promise<ServerMetrics> {
    return this.send(METRICS_REQUEST, () => this.conn.sendRequest(METRICS_REQUEST, { reset }));
  }

  stats(uri?: string): Promise<DocumentStats[]> {
    return this.send(STATS_REQUEST, () => this.conn.sendRequest(STATS_REQUEST, uri === undefined ? {} : { uri }));
  }

  get lastStatus(): SpliceStatus | undefined {
    return this.statuses.at(-1);
  }

  /** Polls `f` until it returns a value; fails early, with the server's stderr, if the server exits. */
  async waitFor<T>(what: string, f: () => T | undefined | Promise<T | undefined>, ms = 20000): Promise<T> {
    const end = Date.now() + ms;
    for (;;) {
      const v = await f();
      if (v !== undefined) return v;
      if (this.exit) throw new Error(`waiting for ${what}: the server exited (${this.describeExit()}); stderr:\n${this.stderrTail()}`);
      if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}; statuses: ${JSON.stringify(this.statuses.slice(-5))}; server stderr:\n${this.stderrTail()}`);
      await sleep(20);
    }
  }

  /** The first status from index `since` on that satisfies `test`. */
  waitForStatus(what: string, test: (s: SpliceStatus) => boolean, since = 0, ms = 20000): Promise<SpliceStatus> {
    return this.waitFor(`status ${what}`, () => this.statuses.slice(since).find(test), ms);
  }

  /**
   * Sends a message; a request resolves with its answer or fails as soon as the server exits (instead of hanging on a
   * dead pipe), with an error that says so and shows the server's stderr.
   */
  private async send<T>(what: string, f: () => Promise<T>): Promise<T> {
    const exited = () => new Error(`${what}: the server exited (${this.describeExit()}); stderr:\n${this.stderrTail()}`);
    if (this.exit) throw exited();
    try {
      return await Promise.race([
        f(),
        this.exited.then(() => {
          throw exited();
        }),
      ]);
    } catch (err) {
      throw this.exit ? exited() : err;
    }
  }

  describeExit(): string {
    return this.exit ? `code ${this.exit.code}, signal ${this.exit.signal}` : 'running';
  }

  stderrTail(chars = 4000): string {
    return this.stderr.slice(-chars);
  }

  /** `shutdown` then `exit`; resolves with how the process ended. */
  async shutdown(): Promise<ServerExit> {
    await this.conn.sendRequest(ShutdownRequest.type);
    await this.conn.sendNotification(ExitNotification.type);
    return this.exited;
  }

  dispose(): void {
    this.conn.dispose();
    if (this.process.exitCode === null && this.process.signalCode === null) this.process.kill();
  }
}
