// The status bar item's menu: enable/disable, snooze, this language on/off, pick model, stats, log, restart.
import * as vscode from 'vscode';
import type { Snooze } from './Snooze.js';

type Item = vscode.QuickPickItem & { run?: () => Thenable<unknown> | void };

export async function showStatusMenu(snooze: Snooze): Promise<void> {
  const c = vscode.workspace.getConfiguration('splice');
  const enabled = c.get<boolean>('enable', true);
  // The editor's language, also while a webview (the stats view) or a panel has the focus.
  const languageId = (vscode.window.activeTextEditor ?? vscode.window.visibleTextEditors[0])?.document.languageId;
  const languages = c.get<Record<string, boolean>>('enableLanguages', { '*': true });
  const languageOn = languageId ? (languages[languageId] ?? languages['*'] ?? true) : undefined;
  const items: Item[] = [
    { label: enabled ? '$(circle-slash) Disable completions' : '$(check) Enable completions', run: () => c.update('enable', !enabled, vscode.ConfigurationTarget.Global) },
    snooze.active
      ? { label: '$(bell) Resume completions', description: `snoozed, ${snooze.minutesLeft()} min left`, run: () => snooze.end() }
      : { label: '$(bell-slash) Snooze completions…', description: 'this window, for a while', run: () => pickSnooze(snooze) },
    ...(languageId && languageOn !== undefined
      ? [{ label: languageOn ? `$(eye-closed) Disable for ${languageId}` : `$(eye) Enable for ${languageId}`, run: () => c.update('enableLanguages', { ...languages, [languageId]: !languageOn }, vscode.ConfigurationTarget.Global) }]
      : []),
    { label: '', kind: vscode.QuickPickItemKind.Separator },
    { label: '$(symbol-class) Pick model…', run: () => vscode.commands.executeCommand('splice.pickModel') },
    { label: '$(graph) Show stats', run: () => vscode.commands.executeCommand('splice.showStats') },
    { label: '$(output) Show log', run: () => vscode.commands.executeCommand('splice.showLog') },
    { label: '$(debug-restart) Restart language server', run: () => vscode.commands.executeCommand('splice.restartServer') },
    { label: '$(gear) Settings', run: () => vscode.commands.executeCommand('workbench.action.openSettings', '@ext:splice-dev.splice') },
  ];
  const choice = await vscode.window.showQuickPick(items, { title: 'Splice' });
  await choice?.run?.();
}

async function pickSnooze(snooze: Snooze): Promise<void> {
  const choice = await vscode.window.showQuickPick(['5 minutes', '15 minutes', '1 hour', '4 hours'].map((label) => ({ label })), { title: 'Splice: snooze completions for' });
  if (!choice) return;
  const [n, unit] = choice.label.split(' ');
  snooze.start(Number(n) * (unit!.startsWith('hour') ? 60 : 1));
}
