// The confidence gate: a completion the model was unsure of from its first token is not shown (`splice.minConfidence`).

/** The model's probabilities for a completion, as the runtime reports them (natural logs). */
export interface GateInput {
  firstTokenLogprob: number;
}

/**
 * Whether a completion may be shown: the gate is off at 0, a completion without a confidence (nothing generated)
 * passes, and otherwise its first token's probability must reach `minConfidence`.
 */
export function passesGate(confidence: GateInput | undefined, minConfidence: number): boolean {
  if (!(minConfidence > 0) || confidence === undefined) return true;
  return Math.exp(confidence.firstTokenLogprob) >= minConfidence;
}
