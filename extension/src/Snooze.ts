// Snoozing completions for a while (this window only): the language client's middleware answers no items until it ends.
import * as vscode from 'vscode';

export class Snooze implements vscode.Disposable {
  private until = 0;
  private timer: NodeJS.Timeout | undefined;
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;

  get active(): boolean {
    return Date.now() < this.until;
  }

  /** Minutes left, rounded up (0 when not snoozed). */
  minutesLeft(): number {
    return this.active ? Math.ceil((this.until - Date.now()) / 60_000) : 0;
  }

  start(minutes: number): void {
    this.until = Date.now() + minutes * 60_000;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.end(), minutes * 60_000);
    this.changed.fire();
  }

  end(): void {
    this.until = 0;
    clearTimeout(this.timer);
    this.changed.fire();
  }

  dispose(): void {
    clearTimeout(this.timer);
    this.changed.dispose();
  }
}
