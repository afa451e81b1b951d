// How a language marks blocks and comments, as far as completion shaping needs to know.

export interface LanguageStyle {
  /** Characters that, ending a line, open a block (`:` in Python, `{` in C-like languages). */
  openers: string[];
  /** Line comment start, if any (brackets in comments are not counted). */
  lineComment?: string;
  /** Block comment delimiters, if any. */
  blockComment?: [string, string];
  /** Quote characters that delimit strings. */
  quotes: string;
}

const PYTHON: LanguageStyle = { openers: [':'], lineComment: '#', quotes: `"'` };
const C_LIKE: LanguageStyle = { openers: ['{'], lineComment: '//', blockComment: ['/*', '*/'], quotes: `"'\`` };
const OTHER: LanguageStyle = { openers: ['{', ':'], quotes: `"'\`` };

const C_LIKE_IDS = new Set(['javascript', 'javascriptreact', 'typescript', 'typescriptreact', 'java', 'c', 'cpp', 'csharp', 'go', 'rust', 'php', 'swift', 'kotlin', 'scala', 'dart', 'css', 'scss', 'less', 'json', 'jsonc']);

export function styleOf(languageId: string): LanguageStyle {
  if (languageId === 'python') return PYTHON;
  return C_LIKE_IDS.has(languageId) ? C_LIKE : OTHER;
}
