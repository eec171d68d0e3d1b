/**
 * At most `concurrency` tasks in flight per scope (a customer), the rest wait in arrival order.
 *
 * A scope is remembered only while one of its tasks runs or waits: a plan reads thousands of
 * customers once each, and a bound kept per customer for the life of the client would grow
 * with the tenant — and a promise queue that keeps its last entry (p-limit 3's) would keep
 * every customer's last answer, parsed body and all, until the process ends.
 */
export class ScopeLimit {
  private readonly scopes = new Map<string, Scope>();

  constructor(private readonly concurrency: number) {
    if (!(Number.isInteger(concurrency) && concurrency > 0)) throw new TypeError(`concurrency must be a positive integer (got ${concurrency})`);
  }

  /** Runs `task` when its scope has a free slot; settles as the task does. */
  async run<T>(scope: string, task: () => Promise<T>): Promise<T> {
    let s = this.scopes.get(scope);
    if (s === undefined) {
      s = { active: 0, waiting: [] };
      this.scopes.set(scope, s);
    }
    if (s.active < this.concurrency) s.active += 1;
    // A finishing task hands its slot over: `active` stays counted for the waiter it wakes.
    else await new Promise<void>((resolve) => s.waiting.push(resolve));
    try {
      return await task();
    } finally {
      const next = s.waiting.shift();
      if (next !== undefined) next();
      else if (--s.active === 0) this.scopes.delete(scope);
    }
  }

  /** Scopes with a task running or waiting (none once everything settled). */
  get size(): number {
    return this.scopes.size;
  }
}

interface Scope {
  active: number;
  readonly waiting: (() => void)[];
}
