// Break characters: the bytes that cannot continue an identifier, where a constrained name is left.

/** ASCII letters, digits, `_` and `$` continue an identifier, and so does every byte of a non-ASCII character. */
export function isBreakByte(b: number): boolean {
  if (b >= 0x80) return false;
  return !((b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5a) || (b >= 0x61 && b <= 0x7a) || b === 0x5f || b === 0x24);
}
