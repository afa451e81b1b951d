// Turns a server error status (a model that does not load, a device that fails) into one notification with actions
// that fix it: Pick Model, Open Settings, Show Log, Restart. The same error is not shown twice in a row.
import * as vscode from 'vscode';
import type { SpliceStatus } from '../../language-server/src/protocol.js';

export const ERROR_ACTIONS = ['Pick Model', 'Open Settings', 'Show Log', 'Restart'] as const;

const COMMANDS: Record<(typeof ERROR_ACTIONS)[number], () => Thenable<unknown>> = {
  'Pick Model': () => vscode.commands.executeCommand('splice.pickModel'),
  'Open Settings': () => vscode.commands.executeCommand('workbench.action.openSettings', '@ext:splice-dev.splice'),
  'Show Log': () => vscode.commands.executeCommand('splice.showLog'),
  Restart: () => vscode.commands.executeCommand('splice.restartServer'),
};

export class ErrorNotifier {
  private shown: string | undefined;

  /** Called with every status; notifies once per new error, forgets it when the server is fine again. */
  onStatus(s: SpliceStatus): void {
    if (s.state === 'ready' || s.state === 'disabled') this.shown = undefined;
    if (s.state !== 'error' || !s.detail || s.detail === this.shown) return;
    this.shown = s.detail;
    void vscode.window.showErrorMessage(`Splice: ${s.detail}`, ...ERROR_ACTIONS).then((action) => action && COMMANDS[action]());
  }
}
