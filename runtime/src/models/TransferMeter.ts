// Download speed over the last few seconds and the time left at that speed.

export class TransferMeter {
  private readonly samples: { t: number; bytes: number }[] = [];

  constructor(private readonly windowMs = 5000) {}

  /** Records the running total of bytes received at time `t` (ms). */
  add(bytes: number, t = Date.now()): void {
    this.samples.push({ t, bytes });
    while (this.samples.length > 2 && t - this.samples[0]!.t > this.windowMs) this.samples.shift();
  }

  /** Bytes per second over the window (0 until two samples span some time). */
  bytesPerSecond(): number {
    const first = this.samples[0];
    const last = this.samples.at(-1);
    if (!first || !last || last.t <= first.t) return 0;
    return ((last.bytes - first.bytes) * 1000) / (last.t - first.t);
  }

  /** Seconds until `total` at the current speed; undefined while the speed is unknown. */
  etaSeconds(total: number): number | undefined {
    const speed = this.bytesPerSecond();
    const done = this.samples.at(-1)?.bytes ?? 0;
    return speed > 0 ? Math.max(0, (total - done) / speed) : undefined;
  }
}
