// The server process's health for `splice/metrics`: event-loop stalls, memory, and what completions encoded.
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';
import type { MetricsParams, ServerMetrics } from './protocol.js';

/** Sampling interval of the event-loop delay histogram; a sample is this interval plus the stall, if any. */
const RESOLUTION_MS = 10;

const NS_PER_MS = 1e6;

export class ServerMetricsMonitor {
  private readonly loop: IntervalHistogram = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
  private completions = 0;
  private encodedTokens = 0;

  /** Starts measuring (the histogram's timer does not keep the process alive). */
  constructor() {
    this.loop.enable();
  }

  /** One completion ran and encoded `encodedTokens` tokens (lastCompletion.encodedTokens). */
  countCompletion(encodedTokens: number): void {
    this.completions++;
    this.encodedTokens += encodedTokens;
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
  }
}
