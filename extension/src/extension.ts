// Extension entry: starts the bundled Splice language server, shows its inline completions, its status and its outages.
import * as vscode from 'vscode';
import { METRICS_REQUEST, VISIBLE_DOCUMENTS_NOTIFICATION, type ServerMetrics, type VisibleDocumentsParams } from '../../language-server/src/protocol.js';
import { ServerSupervisor } from './ServerSupervisor.js';
import { StatusBar } from './StatusBar.js';
import { VisibleDocumentsNotifier } from './VisibleDocumentsNotifier.js';

let supervisor: ServerSupervisor | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  const log = vscode.window.createOutputChannel('Splice', { log: true });
  const status = new StatusBar();
  const server = new ServerSupervisor(context, log, status);
  supervisor = server;
  const visible = new VisibleDocumentsNotifier((params: VisibleDocumentsParams) => server.notify(VISIBLE_DOCUMENTS_NOTIFICATION, params));
  context.subscriptions.push(
    log,
    status,
    server,
    visible,
    server.onDidStart(() => visible.schedule()),
    vscode.commands.registerCommand('splice.showLog', () => log.show()),
    vscode.commands.registerCommand('splice.restartServer', () => server.restart()),
    vscode.commands.registerCommand('splice.showMetrics', async () => {
      const m = await server.request<ServerMetrics>(METRICS_REQUEST);
      const line = m ? describeMetrics(m) : 'Splice: the language server is not running';
      log.info(line);
      void vscode.window.showInformationMessage(line);
    }),
    vscode.commands.registerCommand('splice.toggle', async () => {
      const c = vscode.workspace.getConfiguration('splice');
      await c.update('enable', !c.get<boolean>('enable', true), vscode.ConfigurationTarget.Global);
    }),
  );
  await server.start();
}

/** One line of the server's counters, as the `Splice: Show Metrics` command shows them. */
function describeMetrics(m: ServerMetrics): string {
  return `Splice metrics: model completions ${m.completions}, from the typed-through cache ${m.reusedCompletions}, below the confidence gate ${m.gatedCompletions}; shaping p50 ${m.shapeMsP50} ms, p95 ${m.shapeMsP95} ms; event-loop max stall ${Math.round(m.eventLoopMaxMs)} ms`;
}

export async function deactivate(): Promise<void> {
  await supervisor?.stop();
  supervisor = undefined;
}
