// Where decoding asks a completion tool: the model's mark (gated by its probability), or rules on the text so far.

/** A trigger: where names are asked for (`site`, a UTF-16 offset in the text so far) and the name's part already typed. */
export interface Trigger {
  site: number;
  typed: string;
}

/** Member access (`.`, `?.`, `->`, `::`) after an expression's end, then maybe the start of a name (not `..`). */
const MEMBER = /(?<=[\w$)\]'"`])(?:\?\.|\.|->|::)([A-Za-z_$][\w$]*)?$/;
/** A name after `import` / `from` at a line's start, or after `from x import`. */
const IMPORT = /(?:^|\n)[ \t]*(?:(?:import|from)[ \t]+|from[ \t]+[\w.]+[ \t]+import[ \t]+(?:\([ \t]*)?)([A-Za-z_][\w]*)?$/;
/** How far back the rules look. */
const TAIL = 400;

/** The rule trigger at the end of `before`, if any. A number's decimal point (`1.`) is no member access. */
export function ruleTrigger(before: string): Trigger | undefined {
  const tail = before.slice(-TAIL);
  const member = MEMBER.exec(tail);
  if (member && /(?:^|[^\w$])\d+$/.test(tail.slice(0, member.index))) return undefined;
  const m = member ?? IMPORT.exec(tail);
  if (!m) return undefined;
  const typed = m[1] ?? '';
  return { site: before.length - typed.length, typed };
}

/** The mark trigger: the name starts where the text ends (after any name part already typed). */
export function markTrigger(before: string): Trigger {
  const typed = /[\w$]*$/.exec(before)![0];
  return { site: before.length - typed.length, typed };
}

/** P(token) under softmax(logits). */
export function probabilityOf(logits: Float32Array, id: number): number {
  let max = -Infinity;
  for (const v of logits) if (v > max) max = v;
  let sum = 0;
  for (const v of logits) sum += Math.exp(v - max);
  return Math.exp(logits[id]! - max) / sum;
}
