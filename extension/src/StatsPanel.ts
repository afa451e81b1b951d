// "Splice: Show Stats": a webview with the server's local counters, refreshed every 2 s while it is visible.
import * as vscode from 'vscode';
import { METRICS_REQUEST, STATS_REQUEST, type DocumentStats, type ServerMetrics } from '../../language-server/src/protocol.js';
import type { ServerSupervisor } from './ServerSupervisor.js';
import { statsHtml } from './statsHtml.js';

export class StatsPanel {
  private panel: vscode.WebviewPanel | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly server: ServerSupervisor,
    private readonly model: () => string | undefined,
  ) {}

  show(): void {
    if (this.panel) return this.panel.reveal();
    const panel = vscode.window.createWebviewPanel('splice.stats', 'Splice Stats', vscode.ViewColumn.Beside, { enableScripts: false });
    this.panel = panel;
    panel.onDidDispose(() => {
      clearInterval(this.timer);
      this.panel = undefined;
    });
    void this.refresh();
    this.timer = setInterval(() => panel.visible && void this.refresh(), 2000);
  }

  private async refresh(): Promise<void> {
    try {
      const [metrics, docs] = await Promise.all([this.server.request<ServerMetrics>(METRICS_REQUEST, {}), this.server.request<DocumentStats[]>(STATS_REQUEST, {})]);
      if (this.panel) this.panel.webview.html = statsHtml(metrics, docs, this.model());
    } catch (err) {
      if (this.panel) this.panel.webview.html = `<p>Splice: no stats (${(err as Error).message.replace(/[<>&]/g, '')})</p>`;
    }
  }
}
