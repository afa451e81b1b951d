// The editor's own completion providers as a completion tool (languages without a language service here), asked
// through `splice/completionItems`. The editor only knows the real document, so it is asked only where the overlaid
// text is the document itself (a trigger before anything is generated); elsewhere it offers nothing.
import type { CompletionTool, ToolQuery } from '../../../runtime/src/index.js';
import { COMPLETION_ITEMS_REQUEST, type CompletionItemsParams, type CompletionItemsResult } from '../protocol.js';
import { identifierNames } from './identifierNames.js';

export interface EditorConnection {
  sendRequest(method: string, params: CompletionItemsParams): Promise<CompletionItemsResult | null>;
}

export class EditorTool implements CompletionTool {
  constructor(
    private readonly connection: EditorConnection,
    /** The document's current text and its position at an offset, if the server has it open. */
    private readonly documentAt: (uri: string, offset: number) => { text: string; position: { line: number; character: number } } | undefined,
  ) {}

  async names(q: ToolQuery, signal: AbortSignal): Promise<readonly string[]> {
    const doc = q.uri === undefined ? undefined : this.documentAt(q.uri, q.offset);
    if (!doc || doc.text !== q.text || signal.aborted) return [];
    const r = await this.connection.sendRequest(COMPLETION_ITEMS_REQUEST, { uri: q.uri!, position: doc.position });
    return identifierNames(r?.names ?? []);
  }
}
