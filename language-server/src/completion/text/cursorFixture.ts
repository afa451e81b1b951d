// Test support: `|` marks the cursor in a fixture string.

export interface Fixture {
  text: string;
  offset: number;
}

export function at(marked: string): Fixture {
  const offset = marked.indexOf('|');
  if (offset < 0 || marked.indexOf('|', offset + 1) >= 0) throw new Error(`a fixture needs exactly one "|": ${JSON.stringify(marked)}`);
  return { text: marked.slice(0, offset) + marked.slice(offset + 1), offset };
}
