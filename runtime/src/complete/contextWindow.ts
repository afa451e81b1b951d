// Cuts the text around the cursor to what fits the model's context, keeping the nearest prefix and suffix tokens.
import type { SpliceTokenizer } from '../tokenizer/SpliceTokenizer.js';

export interface FimContext {
  prefixIds: number[];
  suffixIds: number[];
}

/** Characters looked at per token budgeted: bounds tokenization work on huge files. */
const CHARS_PER_TOKEN_BOUND = 8;
/** Share of the budget given to the prefix; the rest goes to the suffix. */
const PREFIX_SHARE = 0.75;

/**
 * The last prefix tokens and first suffix tokens around `offset` within `budgetTokens`; the prefix gets
 * `prefixTokens` (default: 75% of the budget), the suffix what is left.
 */
export function fimContext(tokenizer: SpliceTokenizer, text: string, offset: number, budgetTokens: number, prefixTokens?: number): FimContext {
  const prefixBudget = Math.min(budgetTokens, prefixTokens ?? Math.floor(budgetTokens * PREFIX_SHARE));
  const prefixText = text.slice(Math.max(0, offset - prefixBudget * CHARS_PER_TOKEN_BOUND), offset);
  const prefixIds = tokenizer.encode(prefixText);
  const keptPrefix = prefixIds.slice(Math.max(0, prefixIds.length - prefixBudget));
  return { prefixIds: keptPrefix, suffixIds: suffixTokens(tokenizer, text, offset, budgetTokens - keptPrefix.length) };
}

/** The first `budgetTokens` tokens of the text after the cursor. */
export function suffixTokens(tokenizer: SpliceTokenizer, text: string, offset: number, budgetTokens: number): number[] {
  if (budgetTokens <= 0) return [];
  return tokenizer.encode(text.slice(offset, offset + budgetTokens * CHARS_PER_TOKEN_BOUND)).slice(0, budgetTokens);
}
