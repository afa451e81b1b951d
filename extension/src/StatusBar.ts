// The status bar item: model, device and busy/idle from the server's `splice/status`, or "Splice down" (click to restart).
import * as vscode from 'vscode';
import type { SpliceStatus } from '../../language-server/src/protocol.js';

const ICONS: Record<SpliceStatus['state'], string> = {
  loading: '$(loading~spin)',
  ready: '$(sparkle)',
  busy: '$(sync~spin)',
  error: '$(error)',
  disabled: '$(circle-slash)',
};

export class StatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('splice.status', vscode.StatusBarAlignment.Right, 100);
  /** True while the item shows the language server as down (until the server reports a status again). */
  isDown = false;

  constructor() {
    this.item.name = 'Splice';
    this.show({ state: 'loading' });
    this.item.show();
  }

  show(status: SpliceStatus): void {
    this.isDown = false;
    const where = status.model ? ` ${status.model} · ${status.device}` : '';
    const label = status.state === 'busy' ? ' …' : status.state === 'error' ? ' error' : status.state === 'disabled' ? ' off' : status.cache?.startsWith('reused') ? ' · cache reused' : '';
    this.item.text = `${ICONS[status.state]} Splice${where}${label}`;
    this.item.tooltip = [`Splice: ${status.state}`, status.model && `model: ${status.model}`, status.device && `device: ${status.device}`, status.detail, status.cache && `cache: ${status.cache}`].filter(Boolean).join('\n');
    this.item.backgroundColor = status.state === 'error' ? new vscode.ThemeColor('statusBarItem.errorBackground') : undefined;
    this.item.command = 'splice.showLog';
  }

  /** The language server is not running: say why; a click restarts it. */
  showDown(reason: string): void {
    this.isDown = true;
    this.item.text = '$(debug-disconnect) Splice down';
    this.item.tooltip = `Splice: the language server is down\n${reason}\nClick to restart it.`;
    this.item.backgroundColor = new vscode.ThemeColor('statusBarItem.errorBackground');
    this.item.command = { command: 'splice.restartServer', title: 'Restart Splice Language Server' };
  }

  dispose(): void {
    this.item.dispose();
  }
}
