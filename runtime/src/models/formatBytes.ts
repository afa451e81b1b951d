// Byte counts for people: decimal units, as the hub shows sizes.

/** 1536 → "1.5 KB", 3.2e9 → "3.2 GB" (decimal units, as the hub shows sizes). */
export function formatBytes(n: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let i = 0;
  while (n >= 1000 && i < units.length - 1) (n /= 1000), i++;
  return `${i === 0 ? n : n.toFixed(n < 10 ? 1 : 0)} ${units[i]}`;
}
