// Answers the server's `splice/completionItems`: the names VS Code's own completion providers offer at a position.
import * as vscode from 'vscode';
import type { CompletionItemsParams, CompletionItemsResult } from '../../language-server/src/protocol.js';

function nameOf(item: vscode.CompletionItem): string {
  if (typeof item.insertText === 'string') return item.insertText;
  return typeof item.label === 'string' ? item.label : item.label.label;
}

export async function completionItems(p: CompletionItemsParams): Promise<CompletionItemsResult> {
  const list = await vscode.commands.executeCommand<vscode.CompletionList | undefined>('vscode.executeCompletionItemProvider', vscode.Uri.parse(p.uri), new vscode.Position(p.position.line, p.position.character));
  return { names: (list?.items ?? []).map(nameOf) };
}
