// The status bar item: model, device and busy/idle from the server's `splice/status` (click: the Splice menu), or "Splice down" (click to restart).
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

  private last: SpliceStatus = { state: 'loading' };
  private snoozedMinutes = 0;

  /** The model the server reported last (the stats view's title). */
  get model(): string | undefined {
    return this.last.model;
  }

  /** Shows that completions are snoozed for about `minutes` more (0: not snoozed). */
  setSnoozed(minutes: number): void {
    this.snoozedMinutes = minutes;
    if (!this.isDown) this.show(this.last);
  }

  show(status: SpliceStatus): void {
    this.isDown = false;
    this.last = status;
    const where = status.model ? ` ${status.model} · ${status.device}` : '';
    const label = status.state === 'busy' ? ' …' : status.state === 'error' ? ' error' : status.state === 'disabled' ? ' off' : status.cache?.startsWith('reused') ? ' · cache reused' : '';
    this.item.text = this.snoozedMinutes > 0 ? `$(bell-slash) Splice${where} snoozed` : `${ICONS[status.state]} Splice${where}${label}`;
    this.item.tooltip = [`Splice: ${status.state}${this.snoozedMinutes > 0 ? ` (snoozed, ${this.snoozedMinutes} min left)` : ''}`, status.model && `model: ${status.model}`, status.device && `device: ${status.device}`, status.detail, status.cache && `cache: ${status.cache}`, 'Click for the Splice menu.'].filter(Boolean).join('\n');
    this.item.backgroundColor = status.state === 'error' ? new vscode.ThemeColor('statusBarItem.errorBackground') : undefined;
    this.item.command = 'splice.statusMenu';
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
