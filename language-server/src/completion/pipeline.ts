// The completion pipeline: a raw model completion → the item the editor shows (or nothing). Junk out, shaped by the
// cursor's place, checked by syntax where a grammar is loaded, then fitted to the closers after the cursor.
import type { Parser } from 'web-tree-sitter';
import { cutLoops, cutRepeatedLines, cutSpecialTokens, cutTruncatedTail } from './junk/junk.js';
import { placeOf, type Place } from './place/placeOf.js';
import { fitClosers, shapeByPlace, type Shaped } from './place/shapeByPlace.js';
import { blockEndInText, trimToParse, windowAround, type SyntaxWindow } from './syntax/parseCheck.js';
import { isBlank, isTrivial, leftOpen, lineState, scanBrackets } from './text/brackets.js';

export interface ShapeInput {
  text: string;
  offset: number;
  languageId: string;
  completion: string;
  /** Why generation stopped (`max-tokens`: the last line is likely cut short). */
  stopReason?: string;
  /** The language's tree-sitter parser, if loaded; indentation and bracket rules otherwise. */
  parser?: Parser;
}

export interface ShapeOutcome {
  item: Shaped | null;
  place: Place;
  /** Tree-sitter parses run. */
  parses: number;
}

/** Stop sequences that fit the place: one line mid-line and at a line's end (a leading newline may start the next line). */
export function stopsFor(place: Place): { stopSequences: string[]; stopSearchFrom?: number } {
  if (place.kind === 'inline') return { stopSequences: ['\n'] };
  if (place.kind === 'line') return { stopSequences: ['\n'], stopSearchFrom: 1 };
  return { stopSequences: ['\n\n'] };
}

export function shapeCompletion(input: ShapeInput): ShapeOutcome {
  const place = placeOf(input.text, input.offset, input.languageId);
  let parses = 0;
  // Bracket-only items (`})`) are shown only where a grammar found that they fit (the window parses clean with them,
  // or with fewer errors than without); blank ones, and ones that only rewrite the closers already there, never.
  const shows = (item: Shaped, verified: boolean) =>
    !isBlank(item.text) && (verified || !isTrivial(item.text)) && item.text !== input.text.slice(input.offset, input.offset + item.replaceSuffix);
  const done = (item: Shaped | null, verified = false): ShapeOutcome => ({ item: item && shows(item, verified) ? item : null, place, parses });

  let text = cutSpecialTokens(input.completion.replace(/\r/g, ''));
  if (input.stopReason === 'max-tokens') text = cutTruncatedTail(text);
  const lineAbove = lineBefore(input.text, input.offset);
  text = cutLoops(cutRepeatedLines(text, lineAbove));
  text = cutOpenString(place, shapeByPlace(place, text));
  if (text.trim() === '') return done(null);

  const fit = (t: string) => fitClosers(place, t);
  const win = windowAround(input.text, input.offset);
  if (input.parser) {
    if (place.kind === 'block') {
      const end = blockEndInText(input.parser, win, text, fit(text).replaceSuffix);
      parses++;
      if (end !== undefined) text = text.slice(0, end).trimEnd();
    }
    // Where the document is broken across the cursor's line the grammar judges loosely and the bracket rules judge as
    // well; what they cut is judged again (a cut can leave what the grammar rejects), until both agree.
    for (let round = 0; round < MAX_ROUNDS; round++) {
      const r = trimToParse(input.parser, win, text, fit);
      parses += r.parses;
      if (r.text === undefined) return done(null);
      if (!r.loose) return done(fit(r.text), r.fits);
      const balanced = balanceByBrackets(place, win, r.text);
      if (balanced === r.text) return done(fit(balanced));
      if (balanced.trim() === '') return done(null);
      text = balanced;
    }
    return done(null);
  }
  return done(fit(balanceByBrackets(place, win, text)));
}

/** Rounds of the loose grammar check and the bracket rules before a text is given up. */
const MAX_ROUNDS = 3;

/** Lines of the document after the cursor that may close what a completion opens. */
export const FOLLOWING_LINES = 40;

/**
 * Without a grammar's verdict: the text ends before a closer that closes nothing open before the cursor (in the
 * window), and does not leave open a bracket that the document after it does not close (it is cut before the first).
 */
function balanceByBrackets(place: Place, win: SyntaxWindow, text: string): string {
  const state = scanBrackets(win.before, place.style).end;
  const start = state.quote === undefined ? state : lineState(place.linePrefix, place.style);
  const { stray } = scanBrackets(text, place.style, start);
  if (stray.length) text = text.slice(0, stray[0]).trimEnd();
  const following = win.after.split('\n').slice(0, FOLLOWING_LINES).join('\n');
  const open = leftOpen(text, place.style, start, following);
  return open.length ? text.slice(0, open[0]).trimEnd() : text;
}

/**
 * The text without a string it opens on its last line and leaves open (`print(x, 'a', 'b` where a loop was cut): the
 * grammars accept an unterminated string at a line's end. Python's triple quotes, and a quote after a letter (an
 * apostrophe), are left as they are.
 */
function cutOpenString(place: Place, text: string): string {
  const q = scanBrackets(text, place.style, lineState(place.linePrefix, place.style)).unclosedQuote;
  if (q === undefined) return text;
  const quote = text[q]!;
  const line = place.linePrefix + text;
  const at = place.linePrefix.length + q;
  if (line.startsWith(quote.repeat(3), at) || line.slice(Math.max(0, at - 2), at + 1) === quote.repeat(3)) return text;
  // After a letter it is an apostrophe in prose (a docstring or comment the line scan cannot see), not code.
  if (/\w/.test(text[q - 1] ?? place.linePrefix.slice(-1))) return text;
  return text.slice(0, q).trimEnd();
}

/** The line above the cursor's line. */
function lineBefore(text: string, offset: number): string {
  const lineStart = text.lastIndexOf('\n', offset - 1) + 1;
  if (lineStart === 0) return '';
  return text.slice(text.lastIndexOf('\n', lineStart - 2) + 1, lineStart - 1);
}
