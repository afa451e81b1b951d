// A spawned `splice lsp --stdio` and the JSON-RPC client the latency benchmark drives it with, as VS Code would.
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import {
  CancellationTokenSource,
  createProtocolConnection,
  DidChangeTextDocumentNotification,
  DidCloseTextDocumentNotification,
  DidOpenTextDocumentNotification,
  ExitNotification,
  InitializedNotification,
  InitializeRequest,
  InlineCompletionRequest,
  type InlineCompletionList,
  type ProtocolConnection,
  ShutdownRequest,
  StreamMessageReader,
  StreamMessageWriter,
} from 'vscode-languageserver-protocol/node';
import { SpliceError } from '../../../runtime/src/index.js';
import { METRICS_REQUEST, STATS_REQUEST, STATUS_NOTIFICATION, type DocumentStats, type ServerMetrics, type SpliceSettings, type SpliceStatus } from '../../../language-server/src/protocol.js';
import type { ContentChange, Position } from './replayDocument.js';

/** Longest wait for the model to load or for one answer before the benchmark gives up. */
const TIMEOUT_MS = 180_000;

/** A completion request in flight: `answer` resolves with the item count, or 'cancelled' once `cancel` was called. */
export interface PendingCompletion {
  sentAt: number;
  answer: Promise<{ items: number; at: number } | 'cancelled'>;
  cancel(): void;
  readonly done: boolean;
}

export class SpliceLspClient {
  /** The `ready` status: the model and device the server runs. */
  ready: SpliceStatus = { state: 'loading' };
  private stderr = '';
  private readonly exited: Promise<never>;

  private constructor(
    private readonly child: ChildProcess,
    private readonly conn: ProtocolConnection,
  ) {
    child.stderr!.on('data', (d) => (this.stderr = (this.stderr + String(d)).slice(-4000)));
    this.exited = new Promise<never>((_, reject) => child.once('exit', (code) => reject(this.failure(`the server exited (code ${code})`))));
    this.exited.catch(() => undefined);
  }

  /** Spawns `node <bin> lsp --stdio`, initializes it with `settings` and waits until the model is loaded. */
  static async start(bin: string, settings: Partial<SpliceSettings>): Promise<SpliceLspClient> {
    const child = spawn(process.execPath, [bin, 'lsp', '--stdio'], { stdio: ['pipe', 'pipe', 'pipe'] });
    const conn = createProtocolConnection(new StreamMessageReader(child.stdout!), new StreamMessageWriter(child.stdin!));
    const client = new SpliceLspClient(child, conn);
    const ready = new Promise<SpliceStatus>((resolve, reject) =>
      conn.onNotification(STATUS_NOTIFICATION, (s: SpliceStatus) => {
        if (s.state === 'ready') resolve(s);
        if (s.state === 'error') reject(client.failure(`the server reported an error: ${s.detail ?? ''}`));
      }),
    );
    conn.listen();
    await client.guard(conn.sendRequest(InitializeRequest.type, { processId: process.pid, rootUri: null, capabilities: {}, initializationOptions: settings }));
    await conn.sendNotification(InitializedNotification.type, {});
    client.ready = await client.guard(ready, 'the model to load');
    return client;
  }

  open(uri: string, languageId: string, text: string): Promise<void> {
    return this.conn.sendNotification(DidOpenTextDocumentNotification.type, { textDocument: { uri, languageId, version: 1, text } });
  }

  change(uri: string, version: number, change: ContentChange): Promise<void> {
    return this.conn.sendNotification(DidChangeTextDocumentNotification.type, { textDocument: { uri, version }, contentChanges: [change] });
  }

  close(uri: string): Promise<void> {
    return this.conn.sendNotification(DidCloseTextDocumentNotification.type, { textDocument: { uri } });
  }

  /** Sends `textDocument/inlineCompletion` (automatic trigger); cancelling sends `$/cancelRequest` if unanswered. */
  complete(uri: string, position: Position): PendingCompletion {
    const source = new CancellationTokenSource();
    let done = false;
    let cancelled = false;
    const sentAt = performance.now();
    const reply = this.conn.sendRequest(InlineCompletionRequest.type, { textDocument: { uri }, position, context: { triggerKind: 2 } }, source.token);
    const answer = this.guard(
      reply.then(
        (r) => ({ items: (r as InlineCompletionList | null)?.items.length ?? 0, at: performance.now() }),
        (err: { code?: number }) => {
          if (cancelled) return { items: 0, at: performance.now() };
          throw err;
        },
      ),
      'a completion',
    ).then((r) => {
      done = true;
      return cancelled ? ('cancelled' as const) : r;
    });
    const cancel = () => {
      if (done || cancelled) return;
      cancelled = true;
      source.cancel();
    };
    return { sentAt, answer, cancel, get done() { return done || cancelled; } };
  }

  async stats(uri: string): Promise<DocumentStats | undefined> {
    const all = await this.guard(this.conn.sendRequest(STATS_REQUEST, { uri }) as Promise<DocumentStats[]>);
    return all[0];
  }

  metrics(reset = false): Promise<ServerMetrics> {
    return this.guard(this.conn.sendRequest(METRICS_REQUEST, { reset }) as Promise<ServerMetrics>);
  }

  /** The child's peak resident set (VmHWM) from /proc, in bytes; 0 where /proc is not available. */
  peakRssFromProc(): number {
    try {
      const m = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${this.child.pid}/status`, 'utf8'));
      return m ? Number(m[1]) * 1024 : 0;
    } catch {
      return 0;
    }
  }

  /** Shutdown and exit, as an editor closes; the process is killed if it does not exit promptly. */
  async stop(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exit = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    const kill = setTimeout(() => this.child.kill(), 5000);
    try {
      const shutdown = this.conn.sendRequest(ShutdownRequest.type).then(() => this.conn.sendNotification(ExitNotification.type));
      await Promise.race([shutdown.catch(() => undefined), exit]);
      await exit;
    } finally {
      clearTimeout(kill);
      this.conn.dispose();
    }
  }

  /** `p`, failing with the server's stderr when the server dies or `p` takes longer than TIMEOUT_MS. */
  private guard<T>(p: Promise<T>, what = 'an answer'): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(this.failure(`timed out waiting for ${what}`)), TIMEOUT_MS)));
    return Promise.race([p, this.exited, timeout]).finally(() => clearTimeout(timer));
  }

  private failure(message: string): SpliceError {
    return new SpliceError('inference', `splice lsp: ${message}${this.stderr ? `; server stderr:\n${this.stderr.trim()}` : ''}`);
  }
}
