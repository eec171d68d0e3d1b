import { afterEach, describe, expect, it } from "vitest";
import type { PartnerCenterBackend } from "../../provider/client/partner-center";
import { DEMO_CUSTOMERS, DEMO_SUBSCRIPTIONS } from "../../provider/simulator/demo";
import type { RequestLogEntry } from "../../provider/simulator/service";
import type { SimCustomer, SimState, SimSubscription } from "../../provider/simulator/state";
import { startSimHarness, type SimHarness } from "./harness";

/**
 * Every write × every fault, over real HTTP against the simulator: the write completes, and the
 * simulator's state and request log show it happened exactly once.
 */

const ROCKIT = DEMO_CUSTOMERS.rockit;
const NORTHWIND = DEMO_CUSTOMERS.northwind;

function customer(state: SimState, id: string): SimCustomer {
  const c = state.customers.find((x) => x.id === id);
  if (!c) throw new Error(`no customer ${id}`);
  return c;
}
function subscription(state: SimState, customerId: string, id: string): SimSubscription {
  const s = customer(state, customerId).subscriptions.find((x) => x.id === id);
  if (!s) throw new Error(`no subscription ${id}`);
  return s;
}
/**
 * The MS-RequestIds a write was sent with. One id means every retry was a replay the server
 * answered with its first result instead of running the write again.
 */
function requestIds(log: readonly RequestLogEntry[], method: string, path: RegExp): number {
  return new Set(log.filter((r) => r.method === method && path.test(r.path)).map((r) => r.msRequestId)).size;
}

interface Write {
  readonly name: string;
  readonly method: "PATCH" | "POST";
  /** The request the fault hits. */
  readonly path: RegExp;
  /** Whether the request carries an etag (so a stale-etag fault applies). */
  readonly etag: boolean;
  readonly run: (b: PartnerCenterBackend) => Promise<unknown>;
  /** Checks the state after the write (the write happened once). */
  readonly verify: (before: SimState, after: SimState) => void;
}

const patchOf = (id: string) => new RegExp(`/subscriptions/${id}$`);

const WRITES: readonly Write[] = [
  {
    name: "purchase",
    method: "POST",
    path: /\/carts\/[^/]+\/checkout$/,
    etag: false,
    run: (b) =>
      b.purchase(ROCKIT, { offer: "CFQ7TTC0LFLS:0002", quantity: 2, term: "P1Y", billing: "monthly", friendlyName: "entra-p1", idempotencyKey: "buy-entra-p1" }),
    verify(before, after) {
      const bought = customer(after, ROCKIT).subscriptions.filter((s) => s.friendlyName === "entra-p1");
      expect(bought.map((s) => [s.offerId.split(":").slice(0, 2).join(":"), s.quantity])).toEqual([["CFQ7TTC0LFLS:0002", 2]]);
      expect(customer(after, ROCKIT).orders?.length ?? 0).toBe((customer(before, ROCKIT).orders?.length ?? 0) + 1);
      expect(customer(after, ROCKIT).carts?.length ?? 0).toBe((customer(before, ROCKIT).carts?.length ?? 0) + 1);
    },
  },
  {
    name: "quantity",
    method: "PATCH",
    path: patchOf(DEMO_SUBSCRIPTIONS.appsForBusiness),
    etag: true,
    run: (b) => b.setQuantity(ROCKIT, DEMO_SUBSCRIPTIONS.appsForBusiness, 4),
    verify(before, after) {
      const was = subscription(before, ROCKIT, DEMO_SUBSCRIPTIONS.appsForBusiness);
      const now = subscription(after, ROCKIT, DEMO_SUBSCRIPTIONS.appsForBusiness);
      expect(now.quantity).toBe(4);
      expect(now.seatLots?.length).toBe((was.seatLots?.length ?? 0) + 1);
      expect(now.seatLots?.at(-1)?.quantity).toBe(1);
    },
  },
  {
    name: "auto-renew",
    method: "PATCH",
    path: patchOf(DEMO_SUBSCRIPTIONS.businessBasic),
    etag: true,
    run: (b) => b.setAutoRenew(ROCKIT, DEMO_SUBSCRIPTIONS.businessBasic, false),
    verify(_before, after) {
      expect(subscription(after, ROCKIT, DEMO_SUBSCRIPTIONS.businessBasic).autoRenewEnabled).toBe(false);
    },
  },
  {
    name: "schedule",
    method: "PATCH",
    path: patchOf(DEMO_SUBSCRIPTIONS.teamsEssentials),
    etag: true,
    run: (b) => b.scheduleRenewal(ROCKIT, DEMO_SUBSCRIPTIONS.teamsEssentials, { offer: "CFQ7TTC0JN4R:0002", term: "P1M", billing: "monthly", quantity: 2 }),
    verify(_before, after) {
      const scheduled = subscription(after, ROCKIT, DEMO_SUBSCRIPTIONS.teamsEssentials).scheduledNextTermInstructions;
      expect(scheduled).toMatchObject({ quantity: 2, product: { productId: "CFQ7TTC0JN4R", skuId: "0002", termDuration: "P1M", billingCycle: "monthly" } });
    },
  },
  {
    name: "cancel",
    method: "PATCH",
    path: patchOf(DEMO_SUBSCRIPTIONS.businessBasic),
    etag: true,
    run: (b) => b.cancel(ROCKIT, DEMO_SUBSCRIPTIONS.businessBasic),
    verify(_before, after) {
      expect(subscription(after, ROCKIT, DEMO_SUBSCRIPTIONS.businessBasic).status).toBe("deleted");
    },
  },
  {
    name: "transition",
    method: "POST",
    path: /\/transitions$/,
    etag: false,
    run: (b) => b.transition(NORTHWIND, DEMO_SUBSCRIPTIONS.exchangePlan1, { to: "CFQ7TTC0LH1P:0001", quantity: 10 }),
    verify(before, after) {
      const targets = customer(after, NORTHWIND).subscriptions.filter((s) => s.offerId.startsWith("CFQ7TTC0LH1P:0001:"));
      expect(targets.map((s) => s.quantity)).toEqual([10]);
      expect(customer(after, NORTHWIND).subscriptions.length).toBe(customer(before, NORTHWIND).subscriptions.length + 1);
      expect(customer(after, NORTHWIND).transitions?.length).toBe(1);
    },
  },
];

interface Fault {
  readonly name: string;
  readonly onlyWithEtag?: boolean;
  /** Client timeout for this fault (ms). */
  readonly timeoutMs?: number;
  readonly arm: (h: SimHarness, w: Write) => Promise<void>;
  /** A delay the backend must have waited (ms), when the fault dictates one. */
  readonly waited?: number;
}

const FAULTS: readonly Fault[] = [
  {
    name: "429 with Retry-After",
    arm: (h, w) => h.fault({ method: w.method, path: w.path.source, status: 429, retryAfterSeconds: 1, code: "TooManyRequests", description: "Rate limit is exceeded." }),
    waited: 1000,
  },
  { name: "503", arm: (h, w) => h.fault({ method: w.method, path: w.path.source, status: 503, code: "ServiceUnavailable", description: "Service unavailable." }) },
  {
    name: "connection reset",
    arm: (h, w) => {
      h.proxy.resetNext({ method: w.method, path: w.path, afterCommit: false });
      return Promise.resolve();
    },
  },
  {
    name: "response lost after commit (timeout)",
    timeoutMs: 150,
    arm: (h, w) => h.fault({ method: w.method, path: w.path.source, status: 504, afterCommit: true, latencyMs: 400 }),
  },
  {
    name: "connection reset after commit",
    arm: (h, w) => {
      h.proxy.resetNext({ method: w.method, path: w.path, afterCommit: true });
      return Promise.resolve();
    },
  },
  {
    name: "stale etag",
    onlyWithEtag: true,
    arm: (h, w) => h.fault({ method: w.method, path: w.path.source, status: 400, code: "2055", description: "Etag is no longer valid" }),
  },
];

const CASES = WRITES.flatMap((w) => FAULTS.filter((f) => !f.onlyWithEtag || w.etag).map((f) => [w.name, f.name, w, f] as const));

/** The request log once `done` holds: a request whose answer was lost is logged when the server finishes it. */
async function until(harness: SimHarness, done: (log: readonly RequestLogEntry[]) => boolean): Promise<RequestLogEntry[]> {
  for (let i = 0; ; i++) {
    const log = await harness.requests();
    if (done(log) || i === 100) return log;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

let h: SimHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

/** Against a synchronous simulator, and one whose writes take effect 300 ms later (202, `Started`, `pending`). */
const MODES = [
  ["synchronous", 0],
  ["asynchronous (--async-ms 300)", 300],
] as const;

describe.each(MODES)("fault matrix, %s: every write completes exactly once", (_mode, asyncMs) => {
  it.each(CASES)("%s survives %s", async (_w, _f, write, fault) => {
    h = await startSimHarness({ asyncMs });
    const backend = h.backend(fault.timeoutMs !== undefined ? { timeoutMs: fault.timeoutMs } : {});
    const before = await h.state();
    await fault.arm(h, write);
    await write.run(backend);
    write.verify(before, await h.state());
    // The fault fired (the faulted request reached the server twice, or once after a reset before
    // it), and the attempts of the write shared one request id (a stale etag needs a second one:
    // the body changed).
    const faulted = (log: readonly RequestLogEntry[]) => log.filter((r) => r.method === write.method && write.path.test(r.path));
    const log = await until(h, (l) => faulted(l).length >= (fault.name === "connection reset" ? 1 : 2));
    expect(requestIds(log, write.method, write.path)).toBe(fault.name === "stale etag" ? 2 : 1);
    if (fault.waited !== undefined) expect(h.delays).toContain(fault.waited);
    // The asynchronous run really met 202 Accepted for its PATCH.
    if (asyncMs > 0 && write.method === "PATCH") expect(log.some((r) => r.method === "PATCH" && write.path.test(r.path) && r.status === 202)).toBe(true);
    // Nothing accepted is left pending: the client waited until the write took effect.
    expect((await h.state()).pending ?? []).toEqual([]);
  });
});
