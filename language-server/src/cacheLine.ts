// The status bar's one line about a document's cache (what the last completion reused, what the last update cost).
import type { DocumentStats } from './protocol.js';

export function describeCache(stats: DocumentStats): string {
  const w = stats.window;
  const windowed = w && w.end - w.start < w.documentTokens ? ` (window ${w.start}–${w.end} of ${w.documentTokens})` : '';
  const none = stats.noCache ? `no cache (${stats.noCache})` : 'no cache';
  const reuse = stats.cachedTokens ? `reused ${stats.lastCompletion?.reusedTokens ?? 0} of ${stats.cachedTokens} cached tokens${windowed}` : none;
  const u = stats.lastUpdate;
  if (!u) return reuse;
  const moved = u.windowMoved ? `, window moved ${u.windowMoved}` : '';
  const how = u.mode === 'full' ? `re-encoded ${u.tokensReencoded}${u.reason ? ` (${u.reason})` : ''}` : `${u.mode} re-encoded ${u.tokensReencoded}, moved ${u.tokensMoved}${moved}`;
  return `${reuse} · ${how} in ${u.ms.toFixed(1)} ms`;
}
