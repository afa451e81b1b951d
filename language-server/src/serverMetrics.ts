// The server process's health for `splice/metrics`: event-loop stalls, memory, and what completions encoded.
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';
import type { MetricsParams, ServerMetrics } from './protocol.js';

/** Sampling interval of the event-loop delay histogram; a sample is this interval plus the stall, if any. */
const RESOLUTION_MS = 10;

const NS_PER_MS = 1e6;
const SHAPE_SAMPLES = 1000;
/** Upper edges of the latency histogram's buckets, ms (one more bucket holds the rest). */
export const LATENCY_BUCKETS_MS = [25, 50, 100, 200, 400, 800, 1600];

/** Nearest-rank percentile (0 for no samples), rounded to 0.01 ms. */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const v = sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
  return Math.round(v * 100) / 100;
}

/** Counts per LATENCY_BUCKETS_MS bucket (a value equal to an edge falls in that edge's bucket), then the rest. */
export function histogram(values: number[]): { upToMs: number | null; count: number }[] {
  const edges = [...LATENCY_BUCKETS_MS, null];
  const counts = edges.map(() => 0);
  for (const v of values) {
    const i = LATENCY_BUCKETS_MS.findIndex((e) => v <= e);
    counts[i === -1 ? edges.length - 1 : i]!++;
  }
  return edges.map((upToMs, i) => ({ upToMs, count: counts[i]! }));
}

export class ServerMetricsMonitor {
  private readonly loop: IntervalHistogram = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
  private completions = 0;
  private encodedTokens = 0;
  private reusedCompletions = 0;
  private gatedCompletions = 0;
  private fallbackShown = 0;
  /** The pipeline's time per model completion, ms (the last SHAPE_SAMPLES). */
  private shapeMs: number[] = [];
  private shown = 0;
  private accepted = 0;
  /** Request-to-answer time of answers with an item, ms (the last SHAPE_SAMPLES). */
  private latencyMs: number[] = [];

  /** Starts measuring (the histogram's timer does not keep the process alive). */
  constructor() {
    this.loop.enable();
  }

  /** One completion ran and encoded `encodedTokens` tokens (lastCompletion.encodedTokens). */
  countCompletion(encodedTokens: number): void {
    this.completions++;
    this.encodedTokens += encodedTokens;
  }

  /** A request answered from the typed-through cache. */
  countReuse(): void {
    this.reusedCompletions++;
  }

  /** A completion below the confidence gate, not shown. */
  countGated(): void {
    this.gatedCompletions++;
  }

  /** An answer whose item came from a fallback sample (the greedy completion showed nothing). */
  countFallbackShown(): void {
    this.fallbackShown++;
  }

  /** The completion pipeline took `ms` on one model completion. */
  countShape(ms: number): void {
    this.shapeMs.push(ms);
    if (this.shapeMs.length > SHAPE_SAMPLES) this.shapeMs.splice(0, this.shapeMs.length - SHAPE_SAMPLES);
  }

  /** A completion was answered with an item after `ms` (model or typed-through cache). */
  countShown(ms: number): void {
    this.shown++;
    this.latencyMs.push(ms);
    if (this.latencyMs.length > SHAPE_SAMPLES) this.latencyMs.splice(0, this.latencyMs.length - SHAPE_SAMPLES);
  }

  /** The user accepted a shown completion. */
  countAccepted(): void {
    this.accepted++;
  }

  /** The metrics since start or the last reset; event-loop delays are stalls beyond the sampling interval. */
  snapshot(): ServerMetrics {
    const stall = (ns: number) => (this.loop.count === 0 ? 0 : Math.max(0, ns / NS_PER_MS - RESOLUTION_MS));
    return {
      eventLoopMaxMs: stall(this.loop.max),
      eventLoopP99Ms: stall(this.loop.percentile(99)),
      rssBytes: process.memoryUsage().rss,
      rssPeakBytes: process.resourceUsage().maxRSS * 1024, // KiB
      completions: this.completions,
      encodedTokens: this.encodedTokens,
      reusedCompletions: this.reusedCompletions,
      gatedCompletions: this.gatedCompletions,
      fallbackShown: this.fallbackShown,
      shapeMsP50: percentile(this.shapeMs, 50),
      shapeMsP95: percentile(this.shapeMs, 95),
      shown: this.shown,
      accepted: this.accepted,
      latencyHistogram: histogram(this.latencyMs),
      latencyMsP50: percentile(this.latencyMs, 50),
      latencyMsP95: percentile(this.latencyMs, 95),
    };
  }

  /** Answers a `splice/metrics` request; with `reset`, a new window starts after the answer is taken. */
  request(params?: MetricsParams): ServerMetrics {
    const metrics = this.snapshot();
    if (params?.reset) this.reset();
    return metrics;
  }

  /** Restarts the histogram and the counters (the RSS peak is the process's own and cannot be reset). */
  reset(): void {
    this.loop.reset();
    this.completions = 0;
    this.encodedTokens = 0;
    this.reusedCompletions = 0;
    this.gatedCompletions = 0;
    this.fallbackShown = 0;
    this.shapeMs = [];
    this.shown = 0;
    this.accepted = 0;
    this.latencyMs = [];
  }
}
