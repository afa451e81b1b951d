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

export function fimContext(tokenizer: SpliceTokenizer, text: string, offset: number, budgetTokens: number): FimContext {
  const prefixBudget = Math.floor(budgetTokens * PREFIX_SHARE);
  const prefixText = text.slice(Math.max(0, offset - prefixBudget * CHARS_PER_TOKEN_BOUND), offset);
  const prefixIds = tokenizer.encode(prefixText);
  const keptPrefix = prefixIds.slice(Math.max(0, prefixIds.length - prefixBudget));
  const suffixBudget = budgetTokens - keptPrefix.length;
  const suffixText = text.slice(offset, offset + suffixBudget * CHARS_PER_TOKEN_BOUND);
  const suffixIds = suffixBudget > 0 ? tokenizer.encode(suffixText).slice(0, suffixBudget) : [];
  return { prefixIds: keptPrefix, suffixIds };
}
