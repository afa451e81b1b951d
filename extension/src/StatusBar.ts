// The status bar item: model, device and busy/idle, from the server's `splice/status` notifications.
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

  constructor() {
    this.item.name = 'Splice';
    this.item.command = 'splice.showLog';
    this.show({ state: 'loading' });
    this.item.show();
  }

  show(status: SpliceStatus): void {
    const where = status.model ? ` ${status.model} · ${status.device}` : '';
    const label = status.state === 'busy' ? ' …' : status.state === 'error' ? ' error' : status.state === 'disabled' ? ' off' : status.cache?.startsWith('reused') ? ' · cache reused' : '';
    this.item.text = `${ICONS[status.state]} Splice${where}${label}`;
    this.item.tooltip = [`Splice: ${status.state}`, status.model && `model: ${status.model}`, status.device && `device: ${status.device}`, status.detail, status.cache && `cache: ${status.cache}`].filter(Boolean).join('\n');
    this.item.backgroundColor = status.state === 'error' ? new vscode.ThemeColor('statusBarItem.errorBackground') : undefined;
  }

  dispose(): void {
    this.item.dispose();
  }
}
