/**
 * Partner Center's throttle: at most `limitPerMinute` requests per customer in a minute of REAL
 * time (the simulated clock jumps by days in tests; throttling is about load, not commerce).
 * Fixed one-minute windows per key; `realNow` is injected so tests need no waiting.
 */
export class RateLimiter {
  private readonly windows = new Map<string, { start: number; count: number }>();

  constructor(
    readonly limitPerMinute: number,
    private readonly realNow: () => number,
  ) {}

  /** Count one request for `key`; when over the limit, the seconds until the window resets. */
  take(key: string): { ok: true } | { ok: false; retryAfterSeconds: number } {
    if (this.limitPerMinute <= 0) return { ok: true };
    const now = this.realNow();
    let window = this.windows.get(key);
    if (!window || now - window.start >= 60_000) {
      window = { start: now, count: 0 };
      this.windows.set(key, window);
    }
    if (window.count >= this.limitPerMinute) {
      return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil((window.start + 60_000 - now) / 1000)) };
    }
    window.count += 1;
    return { ok: true };
  }
}
