// The LanguageClient's error handler: restarts a crashed server within a RestartBudget, then gives up, saying why.
import { CloseAction, ErrorAction, type CloseHandlerResult, type ErrorHandler, type ErrorHandlerResult, type Message } from 'vscode-languageclient/node';
import { RestartBudget } from './RestartBudget.js';

/** Connection errors (failed reads or writes) tolerated in a row before the client shuts the server down. */
const MAX_CONNECTION_ERRORS = 3;

export class ServerErrorHandler implements ErrorHandler {
  private why: string | undefined;

  constructor(private readonly budget = new RestartBudget()) {}

  /** Why the server went down last (set before the client reports the Stopped state), once. */
  takeReason(): string | undefined {
    const why = this.why;
    this.why = undefined;
    return why;
  }

  error(error: Error, _message: Message | undefined, count: number | undefined): ErrorHandlerResult {
    if (count !== undefined && count <= MAX_CONNECTION_ERRORS) return { action: ErrorAction.Continue };
    this.why = `The connection to the language server kept failing (${error.message}); it was shut down.`;
    return { action: ErrorAction.Shutdown, handled: true };
  }

  closed(): CloseHandlerResult {
    const minutes = Math.round(this.budget.windowMs / 60_000);
    if (this.budget.tryRestart()) {
      this.why = `The language server exited; restarting it (restart ${this.budget.used()} of ${this.budget.max} allowed in ${minutes} minutes).`;
      return { action: CloseAction.Restart, handled: true };
    }
    this.why = `The language server exited ${this.budget.max + 1} times in ${minutes} minutes; it was not restarted again. See "Splice: Show Log".`;
    return { action: CloseAction.DoNotRestart, message: `Splice: ${this.why} Click "Splice down" in the status bar to restart it.` };
  }
}
