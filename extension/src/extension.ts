// Extension entry: starts the bundled Splice language server, shows its inline completions, its status and its outages,
// and the commands around them (model picker, status menu, snooze, stats, hub token).
import * as vscode from 'vscode';
import { ACCEPTED_COMMAND, ACCEPTED_NOTIFICATION, METRICS_REQUEST, VISIBLE_DOCUMENTS_NOTIFICATION, type ServerMetrics, type VisibleDocumentsParams } from '../../language-server/src/protocol.js';
import { ErrorNotifier } from './ErrorNotifier.js';
import { HUB_TOKEN_SECRET, ModelPicker } from './ModelPicker.js';
import { ServerSupervisor } from './ServerSupervisor.js';
import { Snooze } from './Snooze.js';
import { StatsPanel } from './StatsPanel.js';
import { StatusBar } from './StatusBar.js';
import { showStatusMenu } from './StatusMenu.js';
import { VisibleDocumentsNotifier } from './VisibleDocumentsNotifier.js';

let supervisor: ServerSupervisor | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  const log = vscode.window.createOutputChannel('Splice', { log: true });
  const status = new StatusBar();
  const snooze = new Snooze();
  // While snoozed, the client answers inline-completion requests itself with nothing (the server is not asked).
  const server = new ServerSupervisor(context, log, status, { provideInlineCompletionItems: (doc, pos, ctx, token, next) => (snooze.active ? null : next(doc, pos, ctx, token)) });
  supervisor = server;
  const visible = new VisibleDocumentsNotifier((params: VisibleDocumentsParams) => server.notify(VISIBLE_DOCUMENTS_NOTIFICATION, params));
  const errors = new ErrorNotifier();
  const picker = new ModelPicker(server, context.secrets, log);
  const stats = new StatsPanel(server, () => status.model);
  context.subscriptions.push(
    log,
    status,
    snooze,
    server,
    visible,
    server.onDidStart(() => visible.schedule()),
    server.onStatus((s) => errors.onStatus(s)),
    snooze.onDidChange(() => status.setSnoozed(snooze.minutesLeft())),
    vscode.commands.registerCommand('splice.showLog', () => log.show()),
    vscode.commands.registerCommand('splice.restartServer', () => server.restart()),
    vscode.commands.registerCommand('splice.showMetrics', async () => {
      const line = await server.request<ServerMetrics>(METRICS_REQUEST, {}).then(describeMetrics, (err: unknown) => `Splice: ${err instanceof Error ? err.message : String(err)}`);
      log.info(line);
      void vscode.window.showInformationMessage(line);
    }),
    vscode.commands.registerCommand('splice.toggle', async () => {
      const c = vscode.workspace.getConfiguration('splice');
      await c.update('enable', !c.get<boolean>('enable', true), vscode.ConfigurationTarget.Global);
    }),
    vscode.commands.registerCommand('splice.pickModel', () => picker.pick().catch((err: unknown) => vscode.window.showErrorMessage(`Splice: ${(err as Error).message}`))),
    vscode.commands.registerCommand('splice.downloadModel', (model?: string) => (model ? picker.download(model) : picker.pick())),
    vscode.commands.registerCommand('splice.statusMenu', () => showStatusMenu(snooze)),
    vscode.commands.registerCommand('splice.snooze', (minutes?: number) => snooze.start(typeof minutes === 'number' ? minutes : 15)),
    vscode.commands.registerCommand('splice.showStats', () => stats.show()),
    vscode.commands.registerCommand('splice.setHubToken', async () => {
      const token = await vscode.window.showInputBox({ title: 'Splice: Hugging Face token', prompt: 'For gated or private models; kept in VS Code\'s secret storage. Empty: remove it.', password: true, ignoreFocusOut: true });
      if (token === undefined) return;
      await (token.trim() ? context.secrets.store(HUB_TOKEN_SECRET, token.trim()) : context.secrets.delete(HUB_TOKEN_SECRET));
    }),
    vscode.commands.registerCommand(ACCEPTED_COMMAND, () => server.notify(ACCEPTED_NOTIFICATION, {})),
  );
  await server.start();
}

/** One line of the server's counters, as the `Splice: Show Metrics` command shows them. */
function describeMetrics(m: ServerMetrics): string {
  return `Splice metrics: model completions ${m.completions}, from the typed-through cache ${m.reusedCompletions}, below the confidence gate ${m.gatedCompletions}, shown from a fallback sample ${m.fallbackShown}; shaping p50 ${m.shapeMsP50} ms, p95 ${m.shapeMsP95} ms; event-loop max stall ${Math.round(m.eventLoopMaxMs)} ms`;
}

export async function deactivate(): Promise<void> {
  await supervisor?.stop();
  supervisor = undefined;
}
