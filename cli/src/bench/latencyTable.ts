// The readable output of `splice bench latency`: one line per size and mode, then the ratios, and per-completion lines.
import type { CacheMode, CompletionSample, LatencyRow, ModeResult } from './latencyBench.js';

const COLUMNS = ['tokens', 'mode', 'p50_ms', 'p95_ms', 'p50_open', 'p95_open', 'stall_ms', 'reenc_mean', 'reenc_max', 'generated', 'first_tok_p50', 'first_tok_p95', 'rss_mb', 'completions', 'with_items'];

export function latencyHeader(model: string, device: string, keyMs: number): string {
  return `model ${model} · device ${device} · ${keyMs} ms between keys\n${COLUMNS.join('\t')}\n`;
}

function modeLine(tokens: number, mode: CacheMode, r: ModeResult): string {
  const cells = [tokens, mode, r.p50_ms, r.p95_ms, r.p50_while_open_ms, r.p95_while_open_ms, r.max_stall_ms, r.reencoded_per_completion.mean, r.reencoded_per_completion.max, r.generated_per_completion, r.first_token_p50_ms, r.first_token_p95_ms, r.peak_rss_mb, r.completions, r.with_items];
  return `${cells.join('\t')}\n`;
}

export function latencyRowLines(row: LatencyRow): string {
  const ratios = `${row.tokens}\tratio_p50 ${row.ratio_p50}\tratio_p95 ${row.ratio_p95}\t(far edits ${row.far_edit_tokens_above} tokens above the cursor)\n`;
  return modeLine(row.tokens, 'pie', row.pie) + modeLine(row.tokens, 'none', row.none) + ratios;
}

/** A --details line: one answered completion. */
export function sampleLine(tokens: number, mode: CacheMode, s: CompletionSample): string {
  return `completion\t${tokens}\t${mode}\t${s.phase}\t${s.ms.toFixed(1)} ms\titems ${s.items}\tencoded ${s.encodedTokens}\tgenerated ${s.generatedTokens}\tfirst token ${s.firstTokenMs} ms\n`;
}
