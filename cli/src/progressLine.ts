// One line of download progress for a terminal: file, bytes so far of the total, speed and time left.
import { formatBytes, type PullProgress } from '../../runtime/src/index.js';

export function progressLine(p: PullProgress): string {
  const of = p.total !== undefined ? ` / ${formatBytes(p.total)}` : '';
  const pct = p.total ? ` ${Math.floor((100 * p.received) / p.total)}%` : '';
  const eta = p.etaSeconds !== undefined ? `  ETA ${formatDuration(p.etaSeconds)}` : '';
  return `${p.file} (${p.fileIndex + 1}/${p.fileCount})  ${formatBytes(p.received)}${of}${pct}  ${formatBytes(p.bytesPerSecond)}/s${eta}`;
}

/** 75 → "1:15", 3725 → "1:02:05". */
export function formatDuration(seconds: number): string {
  const s = Math.round(seconds);
  const two = (n: number) => String(n).padStart(2, '0');
  return s >= 3600 ? `${Math.floor(s / 3600)}:${two(Math.floor(s / 60) % 60)}:${two(s % 60)}` : `${Math.floor(s / 60)}:${two(s % 60)}`;
}
