// The editor-agnostic completion tool: the names a language service offers at a position of an overlaid text.

/** A position in the document as the tool must see it: prefix + generated-so-far + suffix, the user's file unchanged. */
export interface ToolQuery {
  /** The whole overlaid text. */
  text: string;
  /** The position (UTF-16 offset into `text`) where names are asked for. */
  offset: number;
  /** Where the text comes from (a URI or path), so the tool can resolve imports beside it; may be undefined. */
  uri?: string;
  /** The document's language id (`python`, `typescript`, …), when known. */
  languageId?: string;
}

/**
 * A source of identifiers that are legal at a position (members after `.`, modules after `import`). It must honour
 * `signal` (the caller's time budget or an abort) and may throw; either way the caller decodes freely.
 */
export interface CompletionTool {
  names(query: ToolQuery, signal: AbortSignal): Promise<readonly string[]>;
}
