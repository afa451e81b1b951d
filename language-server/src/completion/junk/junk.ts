// Junk that a small model writes and no one should see: special tokens, repeated lines, looping n-grams, a last line
// cut short by the token limit.

/** Special tokens of the FIM families and chat templates, should the tokenizer ever decode one into text. */
const SPECIAL = /<\|[A-Za-z0-9_]+\|>|<(?:fim|FIM)[_-][A-Za-z_]+>|<\/?s>|<(?:PRE|SUF|MID|EOT)>|<(?:pad|unk|mask|eos|bos)>|<(?:file_sep|repo_name|filename|gh_stars|commit_[a-z]+|jupyter_[a-z]+|empty_output|issue_[a-z]+)>/;

/** The text up to the first special token, replacement character (bytes that are no UTF-8) or control character. */
export function cutSpecialTokens(text: string): string {
  const m = SPECIAL.exec(text);
  let end = m ? m.index : text.length;
  const bad = text.slice(0, end).search(/[\uFFFD\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/);
  if (bad >= 0) end = bad;
  return text.slice(0, end);
}

/** Lines of only brackets and punctuation (`}`, `});`) may repeat; other lines may not. */
const STRUCTURAL = /^[\s()[\]{};,.:]*$/;

/**
 * The text up to the first line that repeats an earlier line of it, or the line just above the cursor (`lineAbove`);
 * blank and bracket-only lines are never counted as repeats.
 */
export function cutRepeatedLines(text: string, lineAbove = ''): string {
  const lines = text.split('\n');
  const seen = new Set<string>();
  const above = lineAbove.trim();
  if (above.length >= 4 && !STRUCTURAL.test(above)) seen.add(above);
  for (const [i, line] of lines.entries()) {
    const key = line.trim();
    if (i > 0 && key !== '' && !STRUCTURAL.test(key) && seen.has(key)) return lines.slice(0, i).join('\n');
    if (i > 0 && key !== '' && !STRUCTURAL.test(key)) seen.add(key);
    else if (i === 0 && key.length >= 4 && !STRUCTURAL.test(key)) seen.add(key);
  }
  return text;
}

const TOKEN = /\s+|[A-Za-z0-9_]+|[^\sA-Za-z0-9_]/g;

/**
 * The text up to the first repeat of a looping n-gram: a run of 1 to 8 tokens that holds a word or a string and comes
 * three times in a row (`'b', 'b', 'b'`) is cut after its first time.
 */
export function cutLoops(text: string): string {
  const toks: { t: string; at: number }[] = [];
  for (const m of text.matchAll(TOKEN)) toks.push({ t: /^\s+$/.test(m[0]) ? ' ' : m[0], at: m.index });
  let cut = text.length;
  for (let n = 1; n <= 8; n++) {
    for (let i = 0; i + 3 * n <= toks.length; i++) {
      if (toks[i]!.at >= cut) break;
      const unit = toks.slice(i, i + n).map((x) => x.t);
      if (!unit.some((t) => /[A-Za-z0-9_]/.test(t))) continue;
      let same = true;
      for (let r = 1; r < 3 && same; r++) for (let k = 0; k < n && same; k++) same = toks[i + r * n + k]!.t === unit[k];
      if (same) {
        cut = Math.min(cut, toks[i + n]!.at);
        break;
      }
    }
  }
  return text.slice(0, cut);
}

/**
 * After the token limit the last line is likely cut short: a multi-line text loses it, a one-line text its last
 * partial word.
 */
export function cutTruncatedTail(text: string): string {
  const nl = text.lastIndexOf('\n');
  if (nl >= 0 && text.slice(0, nl).trim() !== '') return text.slice(0, nl);
  return text.replace(/[A-Za-z0-9_]+$/, '');
}
