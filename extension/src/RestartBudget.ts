// How many automatic server restarts are allowed: at most `max` within a sliding window of `windowMs`.

export class RestartBudget {
  private readonly restarts: number[] = [];

  constructor(
    readonly max = 4,
    readonly windowMs = 3 * 60 * 1000,
  ) {}

  /** Records a crash at `now`; true when one more restart fits the budget (and counts it), false to give up. */
  tryRestart(now = Date.now()): boolean {
    while (this.restarts.length > 0 && now - this.restarts[0]! > this.windowMs) this.restarts.shift();
    if (this.restarts.length >= this.max) return false;
    this.restarts.push(now);
    return true;
  }

  /** Restarts counted in the window ending at `now`. */
  used(now = Date.now()): number {
    return this.restarts.filter((t) => now - t <= this.windowMs).length;
  }
}
