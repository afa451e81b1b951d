// The latency benchmark's editing session as data: keystrokes, far edits, jumps, a paste and files opened, by offset.
import { seededRandom } from '../../../runtime/src/index.js';
import type { SourceFile } from '../codeCorpus.js';

/** a: typing a function · b: edits far above · c: cursor jumps · d: a paste · e: typing while files open. */
export type Phase = 'type' | 'far-edit' | 'jump' | 'paste' | 'open';

export type Action =
  /** Wait `waitMs`, replace [start, end) with `text`, then request a completion at `complete` if set. */
  | { kind: 'edit'; phase: Phase; waitMs: number; start: number; end: number; text: string; complete?: number }
  /** Request a completion at `at` without an edit (the cursor moved there). */
  | { kind: 'complete'; phase: Phase; at: number }
  | { kind: 'open'; file: SourceFile }
  /** The user pauses until the last request has answered. */
  | { kind: 'settle' };

export interface ScriptOptions {
  language: string;
  keyMs: number;
  quick: boolean;
  /** Code pasted at the cursor in phase d. */
  paste: string;
  /** Files opened during phase e (20; fewer with quick). */
  others: SourceFile[];
  /** Tokens of a text (the model's tokenizer), to place the far edits. */
  countTokens: (text: string) => number;
  seed: number;
}

export interface Script {
  actions: Action[];
  /** Where the cursor was placed in the original text. */
  cursor: number;
  /** Tokens between the far edits and the cursor. */
  farEditTokensAbove: number;
}

/** How far above the cursor the far edits go, at most (near the top in smaller files). */
const FAR_EDIT_TOKENS = 20_000;
/** Where the cursor jumps in phase c, as fractions of the document. */
const JUMPS = [0.1, 0.3, 0.9];

type Line = [depth: number, content: string];

interface Snippets {
  indentUnit: string;
  /** Phase a: a function of 8 lines. */
  fn: Line[];
  /** Phase e: ~20 more keystrokes. */
  more: Line[];
  farComment: string;
}

const PYTHON: Snippets = {
  indentUnit: '    ',
  fn: [
    [0, 'def _scaled_total(items, factor=1.0):'],
    [1, '"""Sum the items that are set, scaled by factor."""'],
    [1, 'total = 0'],
    [1, 'for item in items:'],
    [2, 'if item is None:'],
    [3, 'continue'],
    [2, 'total += item * factor'],
    [1, 'return round(total, 2)'],
  ],
  more: [
    [0, 'count = len(items)'],
    [0, 'size = count'],
  ],
  farComment: '# NOTE: keep this in step with the tests',
};

const BRACES: Snippets = {
  indentUnit: '  ',
  fn: [
    [0, 'function scaledTotal(items, factor = 1) {'],
    [1, 'let total = 0;'],
    [1, 'for (const item of items) {'],
    [2, 'if (Number.isNaN(item)) continue;'],
    [2, 'total += item * factor;'],
    [1, '}'],
    [1, 'return Math.round(total * 100) / 100;'],
    [0, '}'],
  ],
  more: [
    [0, 'const count = 3;'],
    [0, 'let size = 0;'],
  ],
  farComment: '// NOTE: keep this in step with the tests',
};

const indentOf = (line: string) => /^[ \t]*/.exec(line)![0];

/** A statement line inside a body: indented, complete, not a comment, followed by a line of the same block. */
function insideBody(line: string, next: string | undefined, language: string): boolean {
  const t = line.trim();
  if (!t || !next?.trim() || indentOf(line) === '' || indentOf(next) !== indentOf(line)) return false;
  if (/^(#|\/\/|\/\*|\*|@)/.test(t) || /[,([{:\\+\-*/=&|?<>.'"`]$/.test(t) || /^[)\]}.]/.test(next.trim())) return false;
  return language === 'python' || /^(const|let|var|await|return)\s|^this\./.test(t);
}

/** The end of the first line inside a body at or after `fraction` of the text (wrapping around), else of that line. */
export function cursorSpot(text: string, fraction: number, language: string): number {
  const lines = text.split('\n');
  const starts: number[] = [];
  let at = 0;
  for (const l of lines) {
    starts.push(at);
    at += l.length + 1;
  }
  const target = Math.floor(fraction * text.length);
  const from = Math.max(0, starts.findLastIndex((s) => s <= target));
  for (let k = 0; k < lines.length; k++) {
    const i = (from + k) % lines.length;
    if (insideBody(lines[i]!, lines[i + 1], language)) return starts[i]! + lines[i]!.length;
  }
  return starts[from]! + lines[from]!.length;
}

/** Builds the action list while keeping its own copy of the text, so every offset is where the edit lands. */
class ScriptBuilder {
  readonly actions: Action[] = [];
  private readonly random: () => number;
  private readonly snippets: Snippets;
  private readonly baseIndent: string;

  constructor(
    public text: string,
    public cursor: number,
    private readonly opts: ScriptOptions,
  ) {
    this.random = seededRandom(opts.seed);
    this.snippets = opts.language === 'python' ? PYTHON : BRACES;
    this.baseIndent = indentOf(text.slice(text.lastIndexOf('\n', cursor - 1) + 1));
  }

  /** Replaces [start, end) with `text`; the cursor follows text inserted at it and shifts with edits above it. */
  edit(phase: Phase, start: number, end: number, text: string, complete: boolean, waitMs = this.keyWait()): void {
    if (start === this.cursor) this.cursor = start + text.length;
    else if (start < this.cursor) this.cursor += text.length - (end - start);
    this.text = this.text.slice(0, start) + text + this.text.slice(end);
    this.actions.push({ kind: 'edit', phase, waitMs, start, end, text, complete: complete ? this.cursor : undefined });
  }

  /** Types lines at the cursor key by key (Enter inserts the newline and the indentation), pausing after each. */
  typeLines(phase: Phase, lines: Line[], beforeKey: (i: number) => void = () => undefined): number {
    let key = 0;
    for (const [depth, content] of lines) {
      const keys = [`\n${this.baseIndent}${this.snippets.indentUnit.repeat(depth)}`, ...content];
      for (const k of keys) {
        beforeKey(key++);
        this.edit(phase, this.cursor, this.cursor, k, true);
      }
      this.settle();
    }
    return key;
  }

  /** b: a line inserted, another below it, the first deleted, all far above the cursor; then a completion. */
  farEdits(): number {
    const cursorTokens = this.opts.countTokens(this.text.slice(0, this.cursor));
    const target = Math.max(0, cursorTokens - FAR_EDIT_TOKENS);
    const at = this.lineStartAfter(Math.floor((this.cursor * target) / Math.max(1, cursorTokens)));
    const first = `${this.snippets.farComment} (1)\n`;
    this.edit('far-edit', at, at, first, false);
    const below = this.lineStartAfter(at + first.length, 5);
    if (below < this.cursor) this.edit('far-edit', below, below, `${this.snippets.farComment} (2)\n`, false);
    this.edit('far-edit', at, at + first.length, '', false);
    this.complete('far-edit', this.cursor);
    return this.opts.countTokens(this.text.slice(at, this.cursor));
  }

  /** c: completions at three far places, then back at the cursor. */
  jumps(): void {
    for (const f of JUMPS) this.complete('jump', cursorSpot(this.text, f + (this.random() - 0.5) * 0.04, this.opts.language));
    this.complete('jump', this.cursor);
  }

  /** d: real code pasted at the cursor (on a new line), then a completion after it. */
  paste(): void {
    this.edit('paste', this.cursor, this.cursor, `\n${this.opts.paste}`, true);
    this.settle();
  }

  /** e: typing continues at the cursor while the other files are opened, one per keystroke. */
  typeWhileOpening(lines: Line[]): void {
    const files = this.opts.others;
    const keys = this.typeLines('open', lines, (i) => {
      if (i < files.length) this.actions.push({ kind: 'open', file: files[i]! });
    });
    for (const file of files.slice(keys)) this.actions.push({ kind: 'open', file });
  }

  private complete(phase: Phase, at: number): void {
    this.actions.push({ kind: 'complete', phase, at });
    this.settle();
  }

  private settle(): void {
    this.actions.push({ kind: 'settle' });
  }

  /** Realistic typing: the key interval varies around keyMs (0.5x to 1.5x). */
  private keyWait(): number {
    return Math.round(this.opts.keyMs * (0.5 + this.random()));
  }

  /** The start of the `lines`-th line after `offset` (the end of the text if there is none). */
  private lineStartAfter(offset: number, lines = 1): number {
    let at = offset;
    for (let i = 0; i < lines; i++) {
      const nl = this.text.indexOf('\n', at);
      if (nl === -1) return this.text.length;
      at = nl + 1;
    }
    return at;
  }
}

/** Where the user works, as a fraction of the document: late enough that the far edits can be 20k tokens above it in a 25k-token file. */
const CURSOR_AT = 0.85;

/** The same session for every size: type, edit far above, jump, paste, type while opening files. */
export function latencyScript(text: string, opts: ScriptOptions): Script {
  const cursor = cursorSpot(text, CURSOR_AT, opts.language);
  const b = new ScriptBuilder(text, cursor, opts);
  const snippets = opts.language === 'python' ? PYTHON : BRACES;
  b.typeLines('type', opts.quick ? snippets.fn.slice(0, 2) : snippets.fn);
  const farEditTokensAbove = b.farEdits();
  b.jumps();
  b.paste();
  b.typeWhileOpening(opts.quick ? snippets.more.slice(0, 1) : snippets.more);
  return { actions: b.actions, cursor, farEditTokensAbove };
}
