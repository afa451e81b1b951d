// A small bracket and string scanner: which brackets a piece of text opens and leaves open, and which of its closers
// close something opened before it (in text the scanner did not see). Quotes count as brackets of strings.
import type { LanguageStyle } from './languageStyle.js';

export const OPEN_TO_CLOSE: Record<string, string> = { '(': ')', '[': ']', '{': '}' };
const CLOSERS = new Set([')', ']', '}']);

/** Where the scanner is at the end of some text: inside a string (its quote), and the brackets still open. */
export interface ScanState {
  quote?: string;
  open: string[];
  /** Inside a line or block comment. */
  comment?: 'line' | 'block';
}

export interface ScanResult {
  /** Indices of characters that close a bracket or a string opened before the text. */
  outer: number[];
  /** Indices of brackets opened in the text and not closed in it. */
  unclosed: number[];
  /** Indices of closers that match no open bracket (none open, or another kind open): stray, among `outer`. */
  stray: number[];
  /** The state at the end (to go on scanning). */
  end: ScanState;
  /** The fewest brackets open at any point of the scan (brackets opened before the text included). */
  minDepth: number;
  /** Index of the quote of a string the text opens and leaves open at its end. */
  unclosedQuote?: number;
}

/**
 * Scans `text` from `start` (the state at its beginning, e.g. the scan of the line before the cursor). A line comment
 * runs to the end of its line, a block comment to its end; a backslash escapes the next character inside strings.
 * Strings do not span lines except backtick templates.
 */
export function scanBrackets(text: string, style: LanguageStyle, start: ScanState = { open: [] }): ScanResult {
  let quote = start.quote;
  const quoteOuter = quote !== undefined; // the string was opened before the text
  const stack: { ch: string; at: number }[] = start.open.map((ch) => ({ ch, at: -1 }));
  const outer: number[] = [];
  const stray: number[] = [];
  let quoteStart = quoteOuter ? -1 : 0;
  let minDepth = stack.length;
  let comment = start.comment;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (comment === 'line') {
      if (c === '\n') comment = undefined;
      continue;
    }
    if (comment === 'block') {
      if (style.blockComment && text.startsWith(style.blockComment[1], i)) {
        comment = undefined;
        i += style.blockComment[1].length - 1;
      }
      continue;
    }
    if (quote !== undefined) {
      if (c === '\\') i++;
      else if (c === quote) {
        if (quoteStart === -1) outer.push(i);
        quote = undefined;
      } else if (c === '\n' && quote !== '`') quote = undefined; // an unterminated string ends with its line
      continue;
    }
    if (style.lineComment && text.startsWith(style.lineComment, i)) {
      comment = 'line';
      continue;
    }
    if (style.blockComment && text.startsWith(style.blockComment[0], i)) {
      comment = 'block';
      i += style.blockComment[0].length - 1;
      continue;
    }
    if (style.quotes.includes(c)) {
      quote = c;
      quoteStart = i;
    } else if (c in OPEN_TO_CLOSE) stack.push({ ch: c, at: i });
    else if (CLOSERS.has(c)) {
      const top = stack.at(-1);
      if (top && OPEN_TO_CLOSE[top.ch] === c) {
        stack.pop();
        minDepth = Math.min(minDepth, stack.length);
        if (top.at === -1) outer.push(i);
      } else {
        // Closes something the scanner never saw, or mismatches the open bracket.
        outer.push(i);
        stray.push(i);
      }
    }
  }
  const unclosedQuote = quote !== undefined && quoteStart >= 0 ? { unclosedQuote: quoteStart } : {};
  return { outer, stray, unclosed: stack.filter((s) => s.at >= 0).map((s) => s.at), end: { quote, open: stack.map((s) => s.ch), ...(comment ? { comment } : {}) }, minDepth, ...unclosedQuote };
}

/** The state after a line's text before the cursor: open brackets of that line and whether the cursor is in a string. */
export function lineState(linePrefix: string, style: LanguageStyle): ScanState {
  return scanBrackets(linePrefix, style).end;
}

/** Text that holds only closing brackets, quotes, whitespace and `;` / `,`. */
export function isClosersOnly(text: string, style: LanguageStyle): boolean {
  for (const c of text) if (!CLOSERS.has(c) && !style.quotes.includes(c) && !/\s/.test(c)) return false;
  return true;
}

/** Text of nothing but whitespace: nothing to show. */
export function isBlank(text: string): boolean {
  return text.trim() === '';
}

/** Text of nothing but whitespace, brackets and separators (`})`, `);`): shown only where a grammar says it fits. */
export function isTrivial(text: string): boolean {
  return /^[\s()[\]{}<>;,.:]*$/.test(text);
}

/**
 * Indices of brackets `text` opens that neither it nor the `following` text (the document after it, a few lines of
 * it) closes: `foo(` followed by `  a,\n)` is balanced, `foo(` followed by unrelated lines is not.
 */
export function leftOpen(text: string, style: LanguageStyle, start: ScanState, following: string): number[] {
  const scan = scanBrackets(text, style, start);
  if (scan.unclosed.length === 0) return [];
  const firstDepth = scan.end.open.length - scan.unclosed.length; // the stack index of the text's first open bracket
  const { minDepth } = scanBrackets(following, style, scan.end);
  return scan.unclosed.slice(0, Math.max(0, minDepth - firstDepth));
}
