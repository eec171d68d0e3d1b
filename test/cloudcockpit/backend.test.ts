import { afterEach, describe, expect, it } from "vitest";
import type { CloudCockpitBackend } from "../../provider/client/cloudcockpit/backend";
import { isBackendError } from "../../provider/domain/errors";
import type { DesiredState, PurchaseRequest } from "../../provider/domain/types";
import { observe } from "../../provider/observe";
import { plan } from "../../provider/plan";
import { ccSubscriptionId } from "../../provider/simulator/cloudcockpit/facade";
import { DEMO_CUSTOMERS, DEMO_SUBSCRIPTIONS } from "../../provider/simulator/demo";
import { ccCalls, PARTNER, startCcHarness, type CcHarness } from "./harness";

/**
 * The cloudcockpit backend against the simulator's `/cloudcockpit` facade over real HTTP, real
 * MSAL against the facade's token route: what it reads, how an asynchronous write converges,
 * what each fault leads to (every write sent once), and that the secret never shows.
 */

const ROCKIT = DEMO_CUSTOMERS.rockit;
const NORTHWIND = DEMO_CUSTOMERS.northwind;
const BASIC = ccSubscriptionId(DEMO_SUBSCRIPTIONS.businessBasic);
const EXCHANGE = ccSubscriptionId(DEMO_SUBSCRIPTIONS.exchangePlan1);
const PLAN_2 = "CFQ7TTC0LH1P:0001";
const realSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

let h: CcHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const ENTRA: PurchaseRequest = { offer: "CFQ7TTC0LFLS:0002", quantity: 5, term: "P1Y", billing: "annual", friendlyName: "entra-id-p1", idempotencyKey: "test-entra-1" };

describe("reads", () => {
  it("finds the customer by ProviderCustomerId and lists its subscriptions in one call, without detail reads", async () => {
    h = await startCcHarness();
    const backend = h.backend();
    const subs = await backend.listSubscriptions(ROCKIT);
    expect(subs.map((s) => s.id)).toContain(BASIC);
    const basic = subs.find((s) => s.id === BASIC);
    expect(basic).toMatchObject({ customerId: ROCKIT, offer: "CFQ7TTC0LH18:0001", quantity: 5, term: "P1Y", billing: "monthly", autoRenew: true, status: "active" });
    // Seat batches are not exposed: every seat until cancellationAllowedUntil.
    expect(basic?.refundableLots).toEqual([{ quantity: 5, allowedUntil: basic?.cancellationAllowedUntil }]);
    await backend.listSubscriptions(ROCKIT);
    const calls = ccCalls(await h.requests());
    expect(calls.filter((c) => c.includes("/v1/customers ")).length).toBe(1);
    expect(calls.filter((c) => /\/subscriptions \d/.test(c)).length).toBe(2);
    expect(calls.filter((c) => /\/subscriptions\/[^ ]+ /.test(c))).toEqual([]);
    // Every request carried an X-Correlation-Id (the simulator logs it).
    expect((await h.requests()).filter((r) => r.path.startsWith("/cloudcockpit/v1")).every((r) => r.msRequestId !== null)).toBe(true);
  });

  it("reads the detail views only to find a Partner Center id the YAML names, and matches it", async () => {
    h = await startCcHarness();
    const backend = h.backend();
    const desired: DesiredState = {
      version: 1,
      file: "l.yaml",
      policy: { reductions: "block", removed: "release" },
      customers: [
        {
          key: "rockit",
          tenantId: ROCKIT,
          subscriptions: [
            { customer: "rockit", key: "apps", id: DEMO_SUBSCRIPTIONS.appsForBusiness, offer: "CFQ7TTC0LH1G:0001", term: "P1Y", billing: "annual", quantity: 3, autoRenew: true, status: "active", friendlyName: "apps-for-business" },
          ],
        },
      ],
    };
    const observation = await observe(desired, backend);
    const apps = observation.customers["rockit"]?.subscriptions.find((s) => s.providerSubscriptionId === DEMO_SUBSCRIPTIONS.appsForBusiness);
    expect(apps?.id).toBe(ccSubscriptionId(DEMO_SUBSCRIPTIONS.appsForBusiness));
    const planned = plan(desired, observation, { now: new Date(await backend.now()), backend: backend.name, capabilities: backend.capabilities });
    expect(planned.summary).toMatchObject({ unchanged: 1, blocked: 0 });
    const details = ccCalls(await h.requests()).filter((c) => /\/subscriptions\/[^ ]+ /.test(c));
    expect(details.length).toBeGreaterThan(0);
    expect(details.length).toBeLessThanOrEqual(observation.customers["rockit"]?.subscriptions.length ?? 0);
  });

  it("names the tenant and what to check when no customer has that ProviderCustomerId", async () => {
    h = await startCcHarness();
    const e: unknown = await h.backend().listSubscriptions("00000000-0000-4000-8000-000000000000").catch((x: unknown) => x);
    expect(isBackendError(e) && e.code).toBe("CustomerNotFound");
    expect((e as Error).message).toContain("no CloudCockpit customer of portal portal.example has ProviderCustomerId 00000000-0000-4000-8000-000000000000");
  });
});

describe("asynchronous writes", () => {
  it("a PATCH answered 202 is re-read until it shows, with a progress line per read, and sent once", async () => {
    h = await startCcHarness({ asyncMs: 150 });
    const backend = h.backend({ sleep: realSleep, convergence: { intervalMs: 40, maxReads: 50 } });
    const operation = "0f0e0d0c-0b0a-4908-8706-050403020100";
    const after = await backend.setQuantity(ROCKIT, BASIC, 4, { requestId: operation });
    expect(after.quantity).toBe(4);
    // One X-Correlation-Id for the operation: its read, its PATCH and every re-read.
    const mine = (await h.requests()).filter((r) => r.path.startsWith("/cloudcockpit/v1") && r.msRequestId === operation);
    expect(mine.map((r) => r.method)).toEqual(["GET", "PATCH", ...mine.slice(2).map(() => "GET")]);
    expect(mine.length).toBeGreaterThan(3);
    expect(h.log.filter((l) => l.includes("waiting for CloudCockpit to apply it")).length).toBeGreaterThan(0);
    expect(h.log.some((l) => l.includes("quantity 4 on subscription") && l.includes("applied"))).toBe(true);
    expect(ccCalls(await h.requests(), "PATCH")).toEqual([`PATCH /v1/customers/${await customerOf(h, ROCKIT)}/subscriptions/${BASIC} 202`]);
  });

  it("gives up after its bound without resending, naming the correlation id", async () => {
    h = await startCcHarness({ asyncMs: 60_000 });
    const backend = h.backend({ convergence: { intervalMs: 1, maxReads: 3 } });
    const e: unknown = await backend.setAutoRenew(ROCKIT, BASIC, false, { requestId: "11111111-2222-4333-8444-555555555555" }).catch((x: unknown) => x);
    expect(isBackendError(e) && e.code).toBe("StillPending");
    expect((e as Error).message).toContain("was sent once but CloudCockpit does not show it after 3 reads (X-Correlation-Id 11111111-2222-4333-8444-555555555555)");
    expect(ccCalls(await h.requests(), "PATCH")).toHaveLength(1);
  });

  it("an order is placed once and its subscription found by the order id; a replay finds it without ordering again", async () => {
    h = await startCcHarness({ asyncMs: 100 });
    const backend = h.backend({ sleep: realSleep, convergence: { intervalMs: 30, maxReads: 50 } });
    const bought = await backend.purchase(NORTHWIND, ENTRA);
    expect(bought).toMatchObject({ offer: ENTRA.offer, quantity: 5, friendlyName: "entra-id-p1" });
    const again = await h.backend().purchase(NORTHWIND, ENTRA);
    expect(again.id).toBe(bought.id);
    expect(ccCalls(await h.requests(), "POST")).toEqual(["POST /v1/Orders 200"]);
    expect((await h.backend().listSubscriptions(NORTHWIND)).filter((s) => s.friendlyName === "entra-id-p1")).toHaveLength(1);
  });

  it("with the simulator's --async-ms underneath, a PATCH, an order and an upgrade converge, each sent once", async () => {
    h = await startCcHarness({ serviceAsyncMs: 150 });
    const backend = h.backend({ sleep: realSleep, convergence: { intervalMs: 40, maxReads: 50 } });
    expect((await backend.setQuantity(ROCKIT, BASIC, 4)).quantity).toBe(4);
    expect((await backend.purchase(NORTHWIND, ENTRA)).quantity).toBe(5);
    const upgraded = await backend.transition(NORTHWIND, EXCHANGE, { to: PLAN_2, quantity: 10 });
    expect([upgraded.source.quantity, upgraded.target.quantity]).toEqual([0, 10]);
    const writes = ccCalls(await h.requests()).filter((c) => !c.startsWith("GET"));
    expect(writes.map((c) => c.replace(/\/v1\/customers\/[^/]+\/subscriptions\/[^/ ]+/, "/v1/customers/C/subscriptions/S"))).toEqual([
      "PATCH /v1/customers/C/subscriptions/S 202",
      "POST /v1/Orders 200",
      "POST /v1/customers/C/subscriptions/S/upgrade 202",
    ]);
    expect(h.log.filter((l) => l.includes("waiting for CloudCockpit to apply it")).length).toBeGreaterThan(0);
  });

  it("an upgrade is posted once and followed until the source is empty and the target shows", async () => {
    h = await startCcHarness({ asyncMs: 100 });
    const backend = h.backend({ sleep: realSleep, convergence: { intervalMs: 30, maxReads: 50 } });
    const result = await backend.transition(NORTHWIND, EXCHANGE, { to: PLAN_2, quantity: 10 });
    expect([result.source.quantity, result.target.offer, result.target.quantity]).toEqual([0, PLAN_2, 10]);
    expect(ccCalls(await h.requests(), "POST").filter((c) => c.includes("/upgrade"))).toHaveLength(1);
  });
});

async function customerOf(harness: CcHarness, tenant: string): Promise<string> {
  const res = await fetch(`${harness.sim.url}/cloudcockpit/v1/customers?searchField=ProviderCustomerId&searchValue=${tenant}`, {
    headers: { "X-Tenant": "portal.example", Authorization: `Bearer ${harness.issuedTokens()[0] ?? ""}` },
  });
  const body = (await res.json()) as { items: { id: string }[] };
  return body.items[0]?.id ?? "";
}

type Write = "patch" | "delete" | "upgrade" | "order";
const WRITES: Record<Write, { inner: { method: string; path: string }; outer: RegExp; run: (b: CloudCockpitBackend) => Promise<unknown>; applied: (h: CcHarness) => Promise<boolean> }> = {
  patch: {
    inner: { method: "PATCH", path: "/subscriptions/[^/]+$" },
    outer: /\/cloudcockpit\/v1\/customers\/[^/]+\/subscriptions\/[^/]+$/,
    run: (b) => b.setQuantity(ROCKIT, BASIC, 4),
    applied: async (x) => (await x.backend().getSubscription(ROCKIT, BASIC)).quantity === 4,
  },
  delete: {
    inner: { method: "PATCH", path: "/subscriptions/[^/]+$" },
    outer: /\/cloudcockpit\/v1\/customers\/[^/]+\/subscriptions\/[^/]+$/,
    run: (b) => b.cancel(ROCKIT, BASIC),
    applied: async (x) => (await x.backend().getSubscription(ROCKIT, BASIC)).status === "deleted",
  },
  upgrade: {
    inner: { method: "POST", path: "/transitions$" },
    outer: /\/upgrade$/,
    run: (b) => b.transition(NORTHWIND, EXCHANGE, { to: PLAN_2, quantity: 10 }),
    applied: async (x) => (await x.backend().getSubscription(NORTHWIND, EXCHANGE)).quantity === 0,
  },
  order: {
    inner: { method: "POST", path: "/checkout$" },
    outer: /\/cloudcockpit\/v1\/Orders$/,
    run: (b) => b.purchase(NORTHWIND, ENTRA),
    applied: async (x) => (await x.backend().listSubscriptions(NORTHWIND)).some((s) => s.friendlyName === "entra-id-p1"),
  },
};
const OUTER_METHOD: Record<Write, string> = { patch: "PATCH", delete: "DELETE", upgrade: "POST", order: "POST" };

/**
 * How many times the change itself happened (Partner Center writes underneath the facade): the
 * successful ones, plus those whose answer a fault replaced after the change was made.
 */
async function effects(x: CcHarness, write: Write, lostAnswers = false): Promise<number> {
  // An order's effect is its subscription (the portal may read its checkout again).
  if (write === "order") return (await x.state()).customers.flatMap((c) => c.subscriptions).filter((s) => s.friendlyName === ENTRA.friendlyName).length;
  const inner = WRITES[write].inner;
  return (await x.requests()).filter(
    (r) => r.method === inner.method && r.path.startsWith("/v1/") && new RegExp(inner.path).test(r.path) && (r.status < 300 || (lostAnswers && r.status === 503)),
  ).length;
}

describe("fault matrix: each write is sent once, and applied at most once", () => {
  const writes = Object.keys(WRITES) as Write[];
  it.each(writes)("%s: 429 with Retry-After is waited out (refused, so sent again) and applied once", async (write) => {
    h = await startCcHarness();
    await h.fault({ ...WRITES[write].inner, status: 429, retryAfterSeconds: 1 });
    await WRITES[write].run(h.backend());
    expect(await WRITES[write].applied(h)).toBe(true);
    expect(await effects(h, write)).toBe(1);
    expect(h.delays).toContain(1000);
  });

  it.each(writes)("%s: a lost response (503 after the change) is not resent; the re-read finds it applied", async (write) => {
    h = await startCcHarness();
    await h.fault({ ...WRITES[write].inner, status: 503, afterCommit: true });
    await WRITES[write].run(h.backend());
    expect(await WRITES[write].applied(h)).toBe(true);
    expect(await effects(h, write, true)).toBe(1);
    expect(ccCalls(await h.requests(), OUTER_METHOD[write]).filter((c) => WRITES[write].outer.test(`/cloudcockpit${c.split(" ")[1] ?? ""}`))).toHaveLength(1);
  });

  it.each(writes)("%s: a connection reset after the change is not resent; the re-read finds it applied", async (write) => {
    h = await startCcHarness();
    h.proxy.resetNext({ method: OUTER_METHOD[write], path: WRITES[write].outer, afterCommit: true });
    await WRITES[write].run(h.backend());
    expect(await WRITES[write].applied(h)).toBe(true);
    expect(await effects(h, write)).toBe(1);
  });

  it.each(writes)("%s: a 503 that changed nothing is not resent either: bounded reads, then an error that says so", async (write) => {
    h = await startCcHarness();
    await h.fault({ ...WRITES[write].inner, status: 503 });
    const e: unknown = await WRITES[write].run(h.backend()).catch((x: unknown) => x);
    expect(isBackendError(e) && e.code).toBe("StillPending");
    expect((e as Error).message).toContain("it is not resent automatically");
    expect(await WRITES[write].applied(h)).toBe(false);
    expect(await effects(h, write)).toBe(0);
  });

  it.each(writes)("%s: a reset before the request arrived is not resent either", async (write) => {
    h = await startCcHarness();
    h.proxy.resetNext({ method: OUTER_METHOD[write], path: WRITES[write].outer, afterCommit: false });
    const e: unknown = await WRITES[write].run(h.backend()).catch((x: unknown) => x);
    expect(isBackendError(e) && e.code).toBe("StillPending");
    expect(await effects(h, write)).toBe(0);
  });

  it("409 while another change of the subscription runs: waited out, decided again, applied once", async () => {
    // Long enough that the second write meets the first still pending on a loaded machine.
    h = await startCcHarness({ asyncMs: 3_000 });
    const backend = h.backend({ sleep: realSleep, convergence: { intervalMs: 100, maxReads: 100 } });
    const first = backend.setAutoRenew(ROCKIT, BASIC, false);
    // The second write starts once the first is accepted and still invisible (bounded wait).
    for (let i = 0; i < 200 && ccCalls(await h.requests(), "PATCH").length === 0; i++) await realSleep(10);
    const second = await backend.setQuantity(ROCKIT, BASIC, 4);
    await first;
    expect(second).toMatchObject({ quantity: 4, autoRenew: false });
    const patches = ccCalls(await h.requests(), "PATCH").map((c) => c.split(" ")[2]);
    expect(patches).toContain("409");
    expect(patches.filter((s) => s === "202")).toHaveLength(2);
    expect(h.log.some((l) => l.includes("409: another change of the subscription is still running"))).toBe(true);
  });
});

describe("secrets", () => {
  it("a fake client secret never shows in errors, logs or plans; nor do the tokens issued", async () => {
    h = await startCcHarness();
    const wrong = "fake-secret-WRONG-9f8e7d";
    const refused: unknown = await h
      .backend({ credentials: { kind: "app", clientId: PARTNER.clientId, clientSecret: wrong } })
      .listSubscriptions(ROCKIT)
      .catch((x: unknown) => x);
    expect(isBackendError(refused) && refused.code).toBe("invalid_client");
    expect((refused as Error).message).toContain("check the API Access's client id and secret");

    const backend = h.backend();
    await h.fault({ method: "PATCH", path: "/subscriptions/[^/]+$", status: 400, description: `refused ${PARTNER.clientSecret}` });
    const failed: unknown = await backend.setQuantity(ROCKIT, BASIC, 4).catch((x: unknown) => x);
    expect(isBackendError(failed)).toBe(true);
    const desired: DesiredState = { version: 1, file: "l.yaml", policy: { reductions: "block", removed: "release" }, customers: [{ key: "rockit", tenantId: ROCKIT, subscriptions: [] }] };
    const planned = plan(desired, await observe(desired, backend), { now: new Date(), backend: backend.name, capabilities: backend.capabilities });

    const tokens = h.issuedTokens();
    expect(tokens.length).toBeGreaterThan(0);
    const everything = [String(refused), (refused as Error).message, String(failed), (failed as Error).message, ...h.log, JSON.stringify(planned)].join("\n");
    for (const secret of [PARTNER.clientSecret, wrong, ...tokens]) expect(everything).not.toContain(secret);
    expect(everything).toContain("[REDACTED]");
  });
});
