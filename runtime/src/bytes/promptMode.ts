// How a prompt that ends inside a token is conditioned on: naive tokenization, token healing, or exact byte-level covers.

export type PromptMode = 'naive' | 'healing' | 'byte';
export const PROMPT_MODES: readonly PromptMode[] = ['naive', 'healing', 'byte'];
