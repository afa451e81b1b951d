// Extension entry: starts the bundled Splice language server, shows its inline completions and its status.
import * as vscode from 'vscode';
import { LanguageClient, TransportKind, type LanguageClientOptions, type ServerOptions } from 'vscode-languageclient/node';
import { STATUS_NOTIFICATION, type SpliceStatus } from '../../language-server/src/protocol.js';
import { readSettings } from './settings.js';
import { StatusBar } from './StatusBar.js';

let client: LanguageClient | undefined;

function createClient(context: vscode.ExtensionContext, log: vscode.LogOutputChannel): LanguageClient {
  const module = context.asAbsolutePath('dist/server.js');
  const serverOptions: ServerOptions = {
    run: { module, transport: TransportKind.stdio },
    debug: { module, transport: TransportKind.stdio, options: { execArgv: ['--inspect=6010'] } },
  };
  const clientOptions: LanguageClientOptions = {
    documentSelector: [{ scheme: 'file' }, { scheme: 'untitled' }],
    initializationOptions: readSettings(),
    synchronize: { configurationSection: 'splice' },
    outputChannel: log,
  };
  return new LanguageClient('splice', 'Splice', serverOptions, clientOptions);
}

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  const log = vscode.window.createOutputChannel('Splice', { log: true });
  const status = new StatusBar();
  context.subscriptions.push(log, status);
  const start = async () => {
    client = createClient(context, log);
    client.onNotification(STATUS_NOTIFICATION, (s: SpliceStatus) => status.show(s));
    await client.start();
  };
  context.subscriptions.push(
    vscode.commands.registerCommand('splice.showLog', () => log.show()),
    vscode.commands.registerCommand('splice.restartServer', async () => {
      await client?.stop();
      await start();
    }),
    vscode.commands.registerCommand('splice.toggle', async () => {
      const c = vscode.workspace.getConfiguration('splice');
      await c.update('enable', !c.get<boolean>('enable', true), vscode.ConfigurationTarget.Global);
    }),
  );
  try {
    await start();
  } catch (err) {
    status.show({ state: 'error', detail: `language server failed to start: ${(err as Error).message}` });
    log.error(`Splice language server failed to start: ${(err as Error).stack ?? String(err)}`);
  }
}

export async function deactivate(): Promise<void> {
  await client?.stop();
  client = undefined;
}
