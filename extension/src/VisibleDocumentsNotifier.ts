// Tells the server which documents are on screen (`splice/visibleDocuments`), debounced, whenever the editors change.
import * as vscode from 'vscode';
import type { VisibleDocumentsParams } from '../../language-server/src/protocol.js';
import { visibleUris } from './visibleUris.js';

export class VisibleDocumentsNotifier implements vscode.Disposable {
  private timer: NodeJS.Timeout | undefined;
  private readonly subscriptions: vscode.Disposable[];

  constructor(
    private readonly send: (params: VisibleDocumentsParams) => void,
    private readonly debounceMs = 100,
  ) {
    this.subscriptions = [vscode.window.onDidChangeActiveTextEditor(() => this.schedule()), vscode.window.onDidChangeVisibleTextEditors(() => this.schedule())];
  }

  /** Sends the current list after `debounceMs` of quiet (a later call restarts the wait). */
  schedule(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.sendNow(), this.debounceMs);
  }

  sendNow(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    const w = vscode.window;
    this.send({ uris: visibleUris(w.activeTextEditor?.document.uri, w.visibleTextEditors.map((e) => e.document.uri)) });
  }

  dispose(): void {
    clearTimeout(this.timer);
    for (const s of this.subscriptions) s.dispose();
  }
}
