// `splice lsp --stdio`: runs the Splice language server on this process's stdin and stdout.
import { startStdioServer } from '../../language-server/src/startServer.js';
import { parse } from './args.js';

export async function runLsp(args: string[]): Promise<void> {
  parse(args, { stdio: { type: 'boolean', default: false } });
  startStdioServer();
}
