// Stop sequences over streamed text: where to cut, and how much text is safe to show before a stop could still match.

export class StopMatcher {
  /** Stops are looked for from character `from` on (e.g. 1: a leading newline is the text, the next one stops). */
  constructor(
    private readonly stops: readonly string[],
    private readonly from = 0,
  ) {}

  /** Index of the earliest complete stop sequence in text, if any. */
  cutAt(text: string): number | undefined {
    let best: number | undefined;
    for (const s of this.stops) {
      const i = s.length ? text.indexOf(s, this.from) : -1;
      if (i >= 0 && (best === undefined || i < best)) best = i;
    }
    return best;
  }

  /** Text without a trailing partial stop sequence or an incomplete UTF-8 character (U+FFFD from a split byte run). */
  safePrefix(text: string): string {
    let end = text.length;
    while (end > 0 && text[end - 1] === '\uFFFD') end--;
    let hold = 0;
    for (const s of this.stops) {
      for (let k = Math.min(s.length - 1, end - this.from); k > hold; k--) {
        if (text.endsWith(s.slice(0, k), end)) {
          hold = k;
          break;
        }
      }
    }
    return text.slice(0, end - hold);
  }
}
