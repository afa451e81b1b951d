// Starts the Splice language server on stdio (used by `splice lsp --stdio` and by the extension's bundled server).
import { createConnection, ProposedFeatures } from 'vscode-languageserver/node';
import { SpliceServer } from './SpliceServer.js';

export function startStdioServer(): void {
  const connection = createConnection(ProposedFeatures.all, process.stdin, process.stdout);
  // stdout carries JSON-RPC: route stray logging to stderr.
  console.log = console.error;
  new SpliceServer(connection).listen();
}
