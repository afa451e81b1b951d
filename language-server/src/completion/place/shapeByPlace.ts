// Shapes a raw completion by where the cursor is: one line or a block, without what the line after the cursor already
// holds, and with the auto-closed brackets after the cursor swallowed through the item's range instead of doubled.
import { isClosersOnly, lineState, scanBrackets } from '../text/brackets.js';
import { indentWidth, type Place } from './placeOf.js';

/** What to show: `text` replaces the cursor and the next `replaceSuffix` characters of its line. */
export interface Shaped {
  text: string;
  replaceSuffix: number;
}

/**
 * Cuts `completion` to the place: one line mid-line and at a line's end (or, at a line's end, the next line when the
 * model ends this one), a block's lines at a block start. Mid-line, what the rest of the line already holds is trimmed
 * off the end, and closers of brackets opened before the cursor end the text.
 */
export function shapeByPlace(place: Place, completion: string): string {
  const text = completion.replace(/\r/g, '');
  if (place.kind === 'inline') return trimInline(place, firstLine(text));
  if (place.kind === 'line') {
    const lines = text.split('\n');
    // The next line only when nothing follows the cursor (a line with closers after the cursor is not done).
    if (lines[0]!.trim() !== '' || lines.length === 1 || place.lineSuffix.trim() !== '') return lines[0]!.trimEnd();
    const next = lines.findIndex((l, i) => i > 0 && l.trim() !== '');
    // Not a line dedented below the cursor's: that leaves the block.
    if (next < 0 || indentWidth(lines[next]!) < place.indent) return '';
    return lines.slice(0, next + 1).join('\n').trimEnd();
  }
  return cutBlock(place, text);
}

function firstLine(text: string): string {
  const nl = text.indexOf('\n');
  return nl < 0 ? text : text.slice(0, nl);
}

/** Mid-line: drop what the rest of the line already holds, and stop before closing a bracket opened before the cursor. */
function trimInline(place: Place, line: string): string {
  const suffix = place.lineSuffix;
  const head = suffix.trimStart();
  if (line.trim() === '' || head.startsWith(line.trim())) return '';
  let text = line;
  for (let k = Math.min(text.length, suffix.length); k > 0; k--) {
    const overlap = suffix.slice(0, k);
    if (overlap.trim() !== '' && text.endsWith(overlap)) {
      text = text.slice(0, -k);
      break;
    }
  }
  const { outer } = scanBrackets(text, place.style, lineState(place.linePrefix, place.style));
  if (outer.length) text = text.slice(0, outer[0]);
  return /^\s*$/.test(suffix.slice(0, 1)) ? text.trimEnd() : text;
}

/** A block: its lines until one is dedented below the block (a closing-brace line that the document lacks is kept). */
function cutBlock(place: Place, text: string): string {
  const lines = text.split('\n');
  const out = [lines[0]!];
  const closesBefore = place.opener === '{' && closesAt(place.nextLine, place.indent);
  const suffixCloses = place.lineSuffix.includes('}');
  for (const line of lines.slice(1)) {
    if (line.trim() === '') {
      out.push(line);
      continue;
    }
    const w = indentWidth(line);
    if (w < place.blockIndent) {
      // The line that closes the opener: kept if the document does not close it already (or the closer after the
      // cursor is swallowed by it).
      if (place.opener === '{' && w === place.indent && /^\s*[}\])]/.test(line) && (suffixCloses || !closesBefore)) out.push(line);
      break;
    }
    out.push(line);
  }
  while (out.length > 1 && out.at(-1)!.trim() === '') out.pop();
  return out.join('\n').trimEnd();
}

/** A line at or left of `indent` that starts with a closer: the block is closed there. */
function closesAt(line: string, indent: number): boolean {
  return line.trim() !== '' && indentWidth(line) <= indent && /^\s*[}\])]/.test(line);
}

/**
 * Fits the text to the closers after the cursor (the rest of the line when it holds only closers and quotes): the
 * closers the text itself writes replace those (the item's range covers them), so accepting `x)` at `len(|)` gives
 * `len(x)`. A closer the line does not hold ends the text. Mid-line places keep an empty range.
 */
export function fitClosers(place: Place, text: string): Shaped {
  if (place.kind === 'inline') return { text, replaceSuffix: 0 };
  const { outer } = scanBrackets(text, place.style, lineState(place.linePrefix, place.style));
  const suffix = place.lineSuffix;
  if (outer.length === 0) return { text, replaceSuffix: 0 };
  if (!isClosersOnly(suffix, place.style) || suffix.trim() === '') {
    // Nothing after the cursor on its line: closers close what earlier lines opened; keep them.
    return { text, replaceSuffix: 0 };
  }
  const held = [...suffix].map((c, i) => ({ c, i })).filter((x) => !/\s/.test(x.c));
  let m = 0;
  while (m < outer.length && m < held.length && text[outer[m]!] === held[m]!.c) m++;
  if (m === 0) return { text: text.slice(0, outer[0]).trimEnd(), replaceSuffix: 0 };
  const kept = m < outer.length ? text.slice(0, outer[m]).trimEnd() : text;
  const replaceSuffix = held[m - 1]!.i + 1;
  if (!isSubsequence(suffix.slice(0, replaceSuffix), kept)) return { text: text.slice(0, outer[0]).trimEnd(), replaceSuffix: 0 };
  return { text: kept, replaceSuffix };
}

/** Whether `small`'s characters appear in `big` in order (the editor then shows the replacement as ghost text). */
export function isSubsequence(small: string, big: string): boolean {
  let j = 0;
  for (let i = 0; i < big.length && j < small.length; i++) if (big[i] === small[j]) j++;
  return j === small.length;
}
