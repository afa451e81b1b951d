// Extension entry: starts the bundled Splice language server, shows its inline completions, its status and its outages.
import * as vscode from 'vscode';
import { ServerSupervisor } from './ServerSupervisor.js';
import { StatusBar } from './StatusBar.js';

let supervisor: ServerSupervisor | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  const log = vscode.window.createOutputChannel('Splice', { log: true });
  const status = new StatusBar();
  const server = new ServerSupervisor(context, log, status);
  supervisor = server;
  context.subscriptions.push(
    log,
    status,
    server,
    vscode.commands.registerCommand('splice.showLog', () => log.show()),
    vscode.commands.registerCommand('splice.restartServer', () => server.restart()),
    vscode.commands.registerCommand('splice.toggle', async () => {
      const c = vscode.workspace.getConfiguration('splice');
      await c.update('enable', !c.get<boolean>('enable', true), vscode.ConfigurationTarget.Global);
    }),
  );
  await server.start();
}

export async function deactivate(): Promise<void> {
  await supervisor?.stop();
  supervisor = undefined;
}
