// The download notification's line for a `splice/pullProgress`: file, bytes of total, speed, time left; and the percent done.
import type { PullProgressParams } from '../../language-server/src/protocol.js';
import { formatSize } from './pickerItems.js';

export function pullProgressMessage(p: PullProgressParams): string {
  const of = p.total !== undefined ? ` of ${formatSize(p.total)}` : '';
  const eta = p.etaSeconds !== undefined ? ` · ${Math.floor(p.etaSeconds / 60)}:${String(Math.round(p.etaSeconds % 60)).padStart(2, '0')} left` : '';
  return `${p.file} (${p.fileIndex + 1}/${p.fileCount}) · ${formatSize(p.received)}${of} · ${formatSize(p.bytesPerSecond)}/s${eta}`;
}

/** Percent of the whole download done (0 when the total is unknown). */
export function pullPercent(p: PullProgressParams): number {
  return p.total ? Math.min(100, (100 * p.received) / p.total) : 0;
}
