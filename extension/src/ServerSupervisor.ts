// Runs the language client: starts it, restarts it on demand, and shows a server that is down in the status bar.
import * as vscode from 'vscode';
import { LanguageClient, State, TransportKind, type LanguageClientOptions, type Middleware, type ServerOptions } from 'vscode-languageclient/node';
import { COMPLETION_ITEMS_REQUEST, PULL_PROGRESS_NOTIFICATION, STATUS_NOTIFICATION, type CompletionItemsParams, type PullProgressParams, type SpliceStatus } from '../../language-server/src/protocol.js';
import { completionItems } from './completionItems.js';
import { ServerErrorHandler } from './ServerErrorHandler.js';
import { readSettings } from './settings.js';
import type { StatusBar } from './StatusBar.js';

export class ServerSupervisor implements vscode.Disposable {
  private client: LanguageClient | undefined;
  /** Clients this supervisor is stopping itself: their Stopped state is not "down". */
  private readonly stopping = new WeakSet<LanguageClient>();
  private pending: Promise<void> = Promise.resolve();
  private readonly started = new vscode.EventEmitter<void>();
  /** Fires each time a server (the first one, or a restarted one) is up and initialized. */
  readonly onDidStart = this.started.event;
  private readonly statusEvents = new vscode.EventEmitter<SpliceStatus>();
  /** Every `splice/status` the current server sends. */
  readonly onStatus = this.statusEvents.event;
  private readonly pullEvents = new vscode.EventEmitter<PullProgressParams>();
  /** `splice/pullProgress` while a model downloads. */
  readonly onPullProgress = this.pullEvents.event;

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly log: vscode.LogOutputChannel,
    private readonly status: StatusBar,
    private readonly middleware: Middleware = {},
  ) {}

  /** Sends a request to the running server; fails with a clear message when none runs. */
  async request<R>(method: string, params: unknown, token?: vscode.CancellationToken): Promise<R> {
    const c = this.client;
    if (c?.state !== State.Running) throw new Error('the Splice language server is not running (Splice: Restart Language Server)');
    return c.sendRequest<R>(method, params, token);
  }

  /** Starts a server (one start or restart at a time). */
  start(): Promise<void> {
    return this.serially(() => this.startClient());
  }

  /** Stops the current server, whatever its state (also after the client gave up), and starts a fresh one. */
  restart(): Promise<void> {
    return this.serially(async () => {
      await this.stopClient();
      await this.startClient();
    });
  }

  stop(): Promise<void> {
    return this.serially(() => this.stopClient());
  }

  /** Sends a notification if a server is running; dropped otherwise (the next start sends fresh state). */
  notify<P>(method: string, params: P): void {
    const c = this.client;
    if (c?.state !== State.Running) return;
    c.sendNotification(method, params).catch((err: unknown) => this.log.warn(`splice: ${method} not sent: ${String(err)}`));
  }

  private serially(f: () => Promise<void>): Promise<void> {
    const next = this.pending.then(f, f);
    this.pending = next.catch(() => undefined);
    return next;
  }

  private async startClient(): Promise<void> {
    const handler = new ServerErrorHandler();
    const client = this.createClient(handler);
    this.client = client;
    client.onNotification(STATUS_NOTIFICATION, (s: SpliceStatus) => {
      if (this.client !== client) return;
      this.status.show(s);
      this.statusEvents.fire(s);
    });
    client.onNotification(PULL_PROGRESS_NOTIFICATION, (p: PullProgressParams) => this.pullEvents.fire(p));
    client.onRequest(COMPLETION_ITEMS_REQUEST, (p: CompletionItemsParams) => completionItems(p).catch(() => ({ names: [] })));
    client.onDidChangeState(({ oldState, newState }) => {
      if (this.client !== client || this.stopping.has(client)) return;
      if (newState === State.Running) {
        // Up again: whatever the server reports next replaces "down" (it sends `loading` once initialized).
        if (this.status.isDown) this.status.show({ state: 'loading', detail: 'language server started' });
        this.started.fire();
      } else if (newState === State.StartFailed || (newState === State.Stopped && oldState !== State.Stopped)) {
        this.status.showDown(handler.takeReason() ?? (newState === State.StartFailed ? 'The language server failed to start.' : 'The language server stopped.'));
      }
    });
    this.status.show({ state: 'loading' });
    try {
      await client.start();
    } catch (err) {
      if (this.client === client) this.status.showDown(`The language server failed to start: ${(err as Error).message}`);
      this.log.error(`Splice language server failed to start: ${(err as Error).stack ?? String(err)}`);
    }
  }

  private async stopClient(): Promise<void> {
    const c = this.client;
    this.client = undefined;
    if (!c) return;
    this.stopping.add(c);
    try {
      if (c.state === State.Starting) await c.start().catch(() => undefined); // let an automatic restart finish, then stop it
      if (c.state === State.Running) await c.stop();
    } catch (err) {
      this.log.warn(`splice: stopping the language server: ${String(err)}`);
    }
  }

  private createClient(errorHandler: ServerErrorHandler): LanguageClient {
    const module = this.context.asAbsolutePath('dist/server.js');
    const serverOptions: ServerOptions = {
      run: { module, transport: TransportKind.stdio },
      debug: { module, transport: TransportKind.stdio, options: { execArgv: ['--inspect=6010'] } },
    };
    const clientOptions: LanguageClientOptions = {
      documentSelector: [{ scheme: 'file' }, { scheme: 'untitled' }],
      initializationOptions: readSettings(),
      synchronize: { configurationSection: 'splice' },
      outputChannel: this.log,
      errorHandler,
      middleware: this.middleware,
    };
    return new LanguageClient('splice', 'Splice', serverOptions, clientOptions);
  }

  dispose(): void {
    this.started.dispose();
    this.statusEvents.dispose();
    this.pullEvents.dispose();
  }
}
