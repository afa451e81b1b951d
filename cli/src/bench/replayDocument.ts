// A document as the latency benchmark's editor holds it: text and version, edits as incremental LSP changes.

/** LSP position: 0-based line and UTF-16 character. */
export interface Position {
  line: number;
  character: number;
}

/** An incremental `didChange` content change: the range is in the text before the edit. */
export interface ContentChange {
  range: { start: Position; end: Position };
  text: string;
}

export class ReplayDocument {
  version = 1;

  constructor(
    readonly uri: string,
    readonly languageId: string,
    public text: string,
  ) {}

  positionAt(offset: number): Position {
    const before = this.text.slice(0, offset);
    let line = 0;
    for (let i = before.indexOf('\n'); i !== -1; i = before.indexOf('\n', i + 1)) line++;
    return { line, character: offset - (before.lastIndexOf('\n') + 1) };
  }

  /** Replaces [start, end) with `text`; returns the change as an editor sends it. */
  edit(start: number, end: number, text: string): ContentChange {
    const change = { range: { start: this.positionAt(start), end: this.positionAt(end) }, text };
    this.text = this.text.slice(0, start) + text + this.text.slice(end);
    this.version++;
    return change;
  }
}
