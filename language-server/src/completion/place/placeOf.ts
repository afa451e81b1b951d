// Where the cursor is, as far as the shape of a completion goes: in the middle of a line, at the end of one, or where a
// block starts (an empty line, or a line ending in a block opener).
import { isClosersOnly, lineState } from '../text/brackets.js';
import { styleOf, type LanguageStyle } from '../text/languageStyle.js';

export type PlaceKind =
  /** Text other than closers follows the cursor on its line: one line, and nothing the line already holds. */
  | 'inline'
  /** The end of a non-empty line (closers may follow): one line (the next one if the model ends this one). */
  | 'line'
  /** An empty line or a line ending in a block opener: several lines, up to the block's end. */
  | 'block';

export interface Place {
  kind: PlaceKind;
  style: LanguageStyle;
  /** The cursor line's text before and after the cursor. */
  linePrefix: string;
  lineSuffix: string;
  /** The cursor line's indentation, in columns. */
  indent: number;
  /** A block: completion lines indented less than this end it. */
  blockIndent: number;
  /** The block opener the line ends with (block places on a non-empty line). */
  opener?: string;
  /** The first non-blank line after the cursor's line (to tell whether a block is already closed). */
  nextLine: string;
}

export const TAB_WIDTH = 4;

/** Width in columns of a line's leading whitespace. */
export function indentWidth(line: string): number {
  let w = 0;
  for (const c of line) {
    if (c === ' ') w++;
    else if (c === '\t') w += TAB_WIDTH - (w % TAB_WIDTH);
    else break;
  }
  return w;
}

export function placeOf(text: string, offset: number, languageId: string): Place {
  const style = styleOf(languageId);
  const lineStart = text.lastIndexOf('\n', offset - 1) + 1;
  let lineEnd = text.indexOf('\n', offset);
  if (lineEnd < 0) lineEnd = text.length;
  const linePrefix = text.slice(lineStart, offset);
  const lineSuffix = text.slice(offset, lineEnd).replace(/\r$/, '');
  const indent = indentWidth(linePrefix);
  const nextLine = text.slice(lineEnd + 1).split('\n').find((l) => l.trim() !== '') ?? '';
  const base = { style, linePrefix, lineSuffix, indent, nextLine };
  if (!isClosersOnly(lineSuffix, style)) return { ...base, kind: 'inline', blockIndent: indent };
  const before = linePrefix.trimEnd();
  if (before === '') return { ...base, kind: 'block', blockIndent: indentWidth(linePrefix + 'x') };
  const opener = style.openers.find((o) => before.endsWith(o));
  // A `:` inside brackets is a slice or a dict entry, not a block.
  const state = lineState(before.slice(0, -1), style);
  if (opener && state.quote === undefined && (opener !== ':' || state.open.length === 0)) return { ...base, kind: 'block', blockIndent: indent + 1, opener };
  return { ...base, kind: 'line', blockIndent: indent };
}
