// `splice bench latency`: replays an editing session over LSP against `splice lsp --stdio`, PIE vs no cache, per size.
import type { SpliceTokenizer } from '../../../runtime/src/index.js';
import type { SpliceSettings } from '../../../language-server/src/protocol.js';
import { benchUri, documentOfTokens, otherFiles, pasteText, type LatencyCorpus } from './latencyInputs.js';
import { latencyScript, type Action, type Phase, type Script } from './latencyScript.js';
import { SpliceLspClient, type PendingCompletion } from './lspClient.js';
import { ReplayDocument } from './replayDocument.js';
import { mean, percentile, round } from './stats.js';

export type CacheMode = SpliceSettings['cacheMode'];
export const MODES: readonly CacheMode[] = ['pie', 'none'];

const SEED = 17;
const PASTE_CHARS = 40 * 1024;
const OPENED_FILES = 20;
const OPENED_FILES_QUICK = 5;

/** One answered completion request: keystroke (request sent) to answer. */
export interface CompletionSample {
  phase: Phase;
  ms: number;
  items: number;
  /** lastCompletion.encodedTokens, generatedTokens and firstTokenMs from splice/stats right after the answer. */
  encodedTokens: number;
  generatedTokens: number;
  firstTokenMs: number;
}

export interface ModeResult {
  p50_ms: number;
  p95_ms: number;
  p50_while_open_ms: number;
  p95_while_open_ms: number;
  max_stall_ms: number;
  reencoded_per_completion: { mean: number; max: number };
  /** Tokens generated per completion (decoding, not the cache, dominates a small model's time). */
  generated_per_completion: number;
  /** The server's time from taking the request to the first generated token (cache update and prompt), p50/p95. */
  first_token_p50_ms: number;
  first_token_p95_ms: number;
  peak_rss_mb: number;
  completions: number;
  with_items: number;
  /** Requests sent, and those cancelled by the next keystroke before they answered. */
  requests: number;
  cancelled: number;
}

export interface LatencyRow {
  tokens: number;
  language: string;
  far_edit_tokens_above: number;
  pie: ModeResult;
  none: ModeResult;
  ratio_p50: number;
  ratio_p95: number;
}

export interface LatencyReport {
  model: string;
  device: string;
  key_ms: number;
  quick: boolean;
  sizes: LatencyRow[];
}

export interface LatencyOptions {
  /** bin/splice.js, spawned as `node <bin> lsp --stdio`. */
  bin: string;
  settings: Partial<SpliceSettings>;
  sizes: number[];
  keyMs: number;
  quick: boolean;
  corpus: LatencyCorpus;
  tokenizer: SpliceTokenizer;
  onSample?: (tokens: number, mode: CacheMode, sample: CompletionSample) => void;
  onRow?: (row: LatencyRow) => void;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Plays the actions as an editor would, one request in flight at a time; keeps the answered ones. */
class Replay {
  readonly samples: CompletionSample[] = [];
  requests = 0;
  cancelled = 0;
  private opened = 0;
  private pending: { request: PendingCompletion; recorded: Promise<void> } | undefined;
  private readonly recorded: Promise<void>[] = [];

  constructor(
    private readonly client: SpliceLspClient,
    private readonly doc: ReplayDocument,
    private readonly onSample: (s: CompletionSample) => void,
  ) {}

  async run(actions: Action[]): Promise<void> {
    for (const a of actions) await this.step(a);
    await this.settle();
    await Promise.all(this.recorded);
  }

  private async step(a: Action): Promise<void> {
    if (a.kind === 'edit') {
      await sleep(a.waitMs);
      const change = this.doc.edit(a.start, a.end, a.text);
      await this.client.change(this.doc.uri, this.doc.version, change);
      if (a.complete !== undefined) this.request(a.phase, a.complete);
    } else if (a.kind === 'complete') this.request(a.phase, a.at);
    else if (a.kind === 'open') await this.client.open(benchUri(`open/${this.opened++}`, a.file.language), a.file.language, a.file.text);
    else await this.settle();
  }

  /** A new request cancels the previous one if it has not answered (as VS Code does). */
  private request(phase: Phase, at: number): void {
    if (this.pending && !this.pending.request.done) {
      this.pending.request.cancel();
      this.cancelled++;
    }
    const request = this.client.complete(this.doc.uri, this.doc.positionAt(at));
    this.requests++;
    const recorded = request.answer.then(async (r) => {
      if (r === 'cancelled') return;
      const stats = await this.client.stats(this.doc.uri);
      const last = stats?.lastCompletion;
      const sample = { phase, ms: r.at - request.sentAt, items: r.items, encodedTokens: last?.encodedTokens ?? 0, generatedTokens: last?.generatedTokens ?? 0, firstTokenMs: last?.firstTokenMs ?? 0 };
      this.samples.push(sample);
      this.onSample(sample);
    });
    recorded.catch(() => undefined); // awaited in run(); failures surface there
    this.recorded.push(recorded);
    this.pending = { request, recorded };
  }

  private async settle(): Promise<void> {
    await this.pending?.recorded;
  }
}

function summarize(replay: Replay, stallMs: number, peakRssBytes: number): ModeResult {
  const ms = replay.samples.map((s) => s.ms);
  const open = replay.samples.filter((s) => s.phase === 'open').map((s) => s.ms);
  const encoded = replay.samples.map((s) => s.encodedTokens);
  return {
    p50_ms: round(percentile(ms, 50)),
    p95_ms: round(percentile(ms, 95)),
    p50_while_open_ms: round(percentile(open, 50)),
    p95_while_open_ms: round(percentile(open, 95)),
    max_stall_ms: round(stallMs),
    reencoded_per_completion: { mean: round(mean(encoded), 1), max: Math.max(0, ...encoded) },
    generated_per_completion: round(mean(replay.samples.map((s) => s.generatedTokens)), 1),
    first_token_p50_ms: round(percentile(replay.samples.map((s) => s.firstTokenMs), 50)),
    first_token_p95_ms: round(percentile(replay.samples.map((s) => s.firstTokenMs), 95)),
    peak_rss_mb: round(peakRssBytes / 2 ** 20, 1),
    completions: replay.samples.length,
    with_items: replay.samples.filter((s) => s.items > 0).length,
    requests: replay.requests,
    cancelled: replay.cancelled,
  };
}

/** One completion on a scratch document, so that one-time model start-up costs stay out of the measurement. */
async function warmUp(client: SpliceLspClient, text: string, languageId: string): Promise<void> {
  const uri = benchUri('warm-up', languageId);
  const scratch = text.split('\n').slice(0, 30).join('\n');
  await client.open(uri, languageId, scratch);
  await client.complete(uri, new ReplayDocument(uri, languageId, scratch).positionAt(scratch.length)).answer;
  await client.close(uri);
}

/** A fresh server in `mode`: warm-up, metrics reset, the replay, then its metrics. */
async function measureMode(o: LatencyOptions, mode: CacheMode, doc: ReplayDocument, script: Script, onSample: (s: CompletionSample) => void) {
  const client = await SpliceLspClient.start(o.bin, { ...o.settings, cacheMode: mode });
  try {
    await warmUp(client, doc.text, doc.languageId);
    await client.metrics(true);
    await client.open(doc.uri, doc.languageId, doc.text);
    const replay = new Replay(client, doc, onSample);
    await replay.run(script.actions);
    const metrics = await client.metrics();
    const result = summarize(replay, metrics.eventLoopMaxMs, metrics.rssPeakBytes || client.peakRssFromProc());
    return { result, ready: client.ready };
  } finally {
    await client.stop();
  }
}

/** Every size, PIE then the no-cache baseline, each in a fresh server process; ratios are pie / none. */
export async function benchLatency(o: LatencyOptions): Promise<LatencyReport> {
  const report: LatencyReport = { model: '', device: '', key_ms: o.keyMs, quick: o.quick, sizes: [] };
  const { language } = o.corpus;
  for (const size of o.sizes) {
    const doc = documentOfTokens(o.tokenizer, o.corpus, size);
    const script = latencyScript(doc.text, {
      language,
      keyMs: o.keyMs,
      quick: o.quick,
      paste: pasteText(o.corpus, doc.text.length, PASTE_CHARS),
      others: otherFiles(o.corpus, o.quick ? OPENED_FILES_QUICK : OPENED_FILES, SEED),
      countTokens: (t) => o.tokenizer.encode(t).length,
      seed: SEED,
    });
    const results: Partial<Record<CacheMode, ModeResult>> = {};
    for (const mode of MODES) {
      const replayDoc = new ReplayDocument(benchUri(`latency-${doc.tokens}`, language), language, doc.text);
      const { result, ready } = await measureMode(o, mode, replayDoc, script, (s) => o.onSample?.(doc.tokens, mode, s));
      results[mode] = result;
      report.model = ready.model ?? '';
      report.device = ready.device ?? '';
    }
    const pie = results.pie!;
    const none = results.none!;
    const row: LatencyRow = { tokens: doc.tokens, language, far_edit_tokens_above: script.farEditTokensAbove, pie, none, ratio_p50: ratio(pie.p50_ms, none.p50_ms), ratio_p95: ratio(pie.p95_ms, none.p95_ms) };
    report.sizes.push(row);
    o.onRow?.(row);
  }
  return report;
}

function ratio(a: number, b: number): number {
  return b > 0 ? round(a / b, 3) : 0;
}
