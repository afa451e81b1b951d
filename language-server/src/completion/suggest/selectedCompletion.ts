// VS Code's suggest widget: while it is open, the ghost text must extend its selected item. The completion is asked
// for as if that item's text were already inserted over its range, and the item returned starts with that text and
// covers the range.

export interface Selected {
  /** Offsets in the document of the range the selected suggestion replaces, and its text. */
  start: number;
  end: number;
  text: string;
}

/** The document as the model sees it: the selected item's text put over its range, the cursor after it. */
export interface CompletionView {
  text: string;
  offset: number;
  selected?: Selected;
}

export function viewWithSelected(text: string, offset: number, selected?: Selected): CompletionView {
  if (!selected || selected.start > offset || selected.end < selected.start) return { text, offset };
  return { text: text.slice(0, selected.start) + selected.text + text.slice(selected.end), offset: selected.start + selected.text.length, selected };
}

/**
 * The item in document terms: from a completion shaped in the view (`text` replacing `replaceSuffix` characters
 * after the view's cursor) to insert text and a replaced range [start, end) of the document.
 */
export function itemInDocument(view: CompletionView, offset: number, shaped: { text: string; replaceSuffix: number }): { insertText: string; start: number; end: number } {
  if (!view.selected) return { insertText: shaped.text, start: offset, end: offset + shaped.replaceSuffix };
  const { start, end, text } = view.selected;
  return { insertText: text + shaped.text, start, end: Math.max(end, offset) + shaped.replaceSuffix };
}
