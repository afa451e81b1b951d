// The stats view's page from `splice/metrics` and `splice/stats` (local numbers only): acceptance rate, a latency
// histogram, cache reuse per document.
import type { DocumentStats, ServerMetrics } from '../../language-server/src/protocol.js';

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const pct = (a: number, b: number) => (b > 0 ? `${Math.round((100 * a) / b)}%` : '—');

export function statsHtml(m: ServerMetrics, docs: DocumentStats[], model: string | undefined): string {
  return `<!DOCTYPE html><html><head><meta charset="utf-8"><meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline';">
<style>body{font-family:var(--vscode-font-family);color:var(--vscode-foreground);padding:0 16px}table{border-collapse:collapse}td,th{padding:2px 10px 2px 0;text-align:left}
.bar{background:var(--vscode-charts-blue,#3794ff);height:12px;display:inline-block}.big{font-size:1.6em;font-weight:600}.muted{opacity:.7}</style></head><body>
<h2>Splice stats${model ? ` — ${esc(model)}` : ''}</h2>
<p class="muted">Counted by the language server in this window since it started; nothing leaves this machine.</p>
${acceptance(m)}${latency(m)}${reuse(m, docs)}
</body></html>`;
}

function acceptance(m: ServerMetrics): string {
  return `<h3>Acceptance</h3><p><span class="big" id="acceptance">${pct(m.accepted, m.shown)}</span> accepted — ${m.accepted} of ${m.shown} completions shown</p>`;
}

function latency(m: ServerMetrics): string {
  const max = Math.max(1, ...m.latencyHistogram.map((b) => b.count));
  let lower = 0;
  const rows = m.latencyHistogram.map((b) => {
    const label = b.upToMs === null ? `> ${lower} ms` : `${lower}–${b.upToMs} ms`;
    lower = b.upToMs ?? lower;
    return `<tr><td>${label}</td><td><span class="bar" style="width:${Math.round((200 * b.count) / max)}px"></span> ${b.count}</td></tr>`;
  });
  return `<h3>Latency (request → completion shown)</h3><p>p50 ${m.latencyMsP50} ms · p95 ${m.latencyMsP95} ms</p><table id="latency">${rows.join('')}</table>`;
}

function reuse(m: ServerMetrics, docs: DocumentStats[]): string {
  const rows = docs
    .filter((d) => d.lastCompletion)
    .map((d) => {
      const c = d.lastCompletion!;
      return `<tr><td>${esc(d.uri.split('/').pop() ?? d.uri)}</td><td>${d.cachedTokens}</td><td>${c.reusedTokens}</td><td>${c.encodedTokens}</td><td>${d.lastUpdate ? esc(d.lastUpdate.mode) : '—'}</td></tr>`;
    });
  const perCompletion = m.completions > 0 ? (m.encodedTokens / m.completions).toFixed(1) : '—';
  return `<h3>Cache reuse</h3><p>${m.completions} model completions encoded ${perCompletion} tokens each on average; ${m.reusedCompletions} answered from the typed-through cache with no model call; ${m.gatedCompletions} held back by the confidence gate; ${m.fallbackShown} shown from a fallback sample.</p>
<table id="documents"><tr><th>document</th><th>cached tokens</th><th>reused (last)</th><th>encoded (last)</th><th>last update</th></tr>${rows.join('') || '<tr><td colspan="5" class="muted">no completions yet</td></tr>'}</table>`;
}
