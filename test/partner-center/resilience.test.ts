import { readFileSync } from "node:fs";
import { join } from "node:path";
import { inspect } from "node:util";
import { afterEach, describe, expect, it } from "vitest";
import { DEMO_CUSTOMERS, DEMO_SUBSCRIPTIONS, demoState } from "../../provider/simulator/demo";
import type { SimState } from "../../provider/simulator/state";
import { parseDesired } from "../../provider/desired";
import { DEFAULT_RETRY_POLICY } from "../../provider/http/retry";
import { observe } from "../../provider/observe";
import { PLAN_FORMATS, plan, renderPlan } from "../../provider/plan";
import { APP_ONLY, PARTNER, REFRESH_TOKEN, SECRET, SIM_NOW, startSimHarness, type SimHarness } from "./harness";

let h: SimHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

/** `count` customers shaped like the demo's Rockit (4 subscriptions each), with fresh ids. */
function manyCustomers(count: number): SimState {
  const demo = demoState(SIM_NOW);
  const rockit = demo.customers[0];
  if (!rockit) throw new Error("demo tenant without customers");
  const id = (kind: number, n: number) => `00000000-0000-4000-8${kind}00-${String(n).padStart(12, "0")}`;
  const customers = [...Array(count).keys()].map((n) => ({
    ...structuredClone(rockit),
    id: id(1, n),
    companyName: `Customer ${n}`,
    domain: `customer${n}.onmicrosoft.com`,
    subscriptions: rockit.subscriptions.map((s, i) => ({ ...structuredClone(s), id: id(2, n * 10 + i) })),
  }));
  return { ...demo, customers, partner: PARTNER };
}

const tokenRequests = async (harness: SimHarness) => (await harness.requests()).filter((r) => r.method === "POST" && /\/oauth2\/v2\.0\/token$/.test(r.path));

describe("partner-center backend under load and failure", () => {
  it("asks for one token for the reads of 50 customers", async () => {
    h = await startSimHarness({ state: manyCustomers(50) });
    const backend = h.backend();
    const customers = await backend.listCustomers();
    const subscriptions = await Promise.all(customers.map((c) => backend.listSubscriptions(c.id)));
    expect(customers).toHaveLength(50);
    expect(subscriptions.flat()).toHaveLength(200);
    expect(await tokenRequests(h)).toHaveLength(1);
  });

  it("follows links.next and its MS-ContinuationToken through every page of customers", async () => {
    h = await startSimHarness({ state: manyCustomers(5) });
    const customers = await h.backend({ pageSize: 2 }).listCustomers();
    expect(customers.map((c) => c.companyName)).toEqual(["Customer 0", "Customer 1", "Customer 2", "Customer 3", "Customer 4"]);
    expect((await h.requests()).filter((r) => r.path === "/v1/customers").map((r) => r.status)).toEqual([200, 200, 200]);
  });

  it("finishes a throttled run: it slows down to the simulator's rate limit instead of failing", async () => {
    let clock = Date.parse("2026-11-24T08:00:00Z");
    h = await startSimHarness({ state: manyCustomers(3), rateLimitPerMinute: 5, realNow: () => clock });
    const waits: number[] = [];
    // The backend's sleep moves the simulator's real clock: throttling windows pass without waiting.
    const backend = h.backend({
      sleep: (ms) => {
        waits.push(ms);
        clock += ms;
        return Promise.resolve();
      },
    });
    const customers = await backend.listCustomers();
    const reads = await Promise.all(customers.flatMap((c) => [...Array(12).keys()].map(() => backend.listSubscriptions(c.id))));
    expect(reads).toHaveLength(36);
    expect(reads.every((r) => r.length === 4)).toBe(true);
    const log = await h.requests();
    expect(log.filter((r) => r.status === 429).length).toBeGreaterThan(0);
    expect(log.filter((r) => r.status === 200 && r.path.endsWith("/subscriptions"))).toHaveLength(36);
    expect(Math.min(...waits)).toBeGreaterThanOrEqual(1000);
  });

  it("plans the quickstart under a rate limit of 1 request per minute per customer: slower, same plan", async () => {
    const file = join(__dirname, "..", "..", "examples", "quickstart", "licences.yaml");
    const { state: desired } = parseDesired(readFileSync(file, "utf8"), "licences.yaml");
    if (!desired) throw new Error("the quickstart YAML is invalid");
    const planAgainst = async (harness: SimHarness, options: Parameters<SimHarness["backend"]>[0] = {}) => {
      const backend = harness.backend(options);
      return plan(desired, await observe(desired, backend), { now: new Date(SIM_NOW), backend: backend.name });
    };
    h = await startSimHarness();
    const unthrottled = await planAgainst(h);
    await h.close();

    let clock = Date.now();
    h = await startSimHarness({ rateLimitPerMinute: 1, realNow: () => clock });
    const waits: number[] = [];
    const throttled = await planAgainst(h, {
      sleep: (ms) => {
        waits.push(ms);
        clock += ms;
        return Promise.resolve();
      },
    });
    expect(throttled).toEqual(unthrottled);
    expect((await h.requests()).filter((r) => r.status === 429).length).toBeGreaterThan(0);
    expect(waits.length).toBeGreaterThan(0);
  });

  it("gives up with RetryExhausted when throttling never ends, saying what to do", async () => {
    h = await startSimHarness();
    await h.fault({ method: "GET", path: "/subscriptions$", status: 429, retryAfterSeconds: 2, count: 100, code: "TooManyRequests", description: "Rate limit is exceeded. Try again in 2 seconds." });
    const backend = h.backend({ retryPolicy: { ...DEFAULT_RETRY_POLICY, maxThrottledAttempts: 3 }, newId: () => "rid-1" });
    const error = await backend.listSubscriptions(DEMO_CUSTOMERS.rockit).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: "RetryExhausted", attempts: 3 });
    expect((error as Error).message).toBe(
      `gave up after 3 attempts: 429 TooManyRequests Rate limit is exceeded. Try again in 2 seconds; Partner Center is throttling; run again later or with less concurrency (GET /v1/customers/${DEMO_CUSTOMERS.rockit}/subscriptions, MS-RequestId rid-1); the service is throttling or unavailable: run again later, or lower the concurrency`,
    );
    expect(h.delays).toEqual([2000, 2000]);
  });

  it("renews a token the API refuses and repeats the call once", async () => {
    let clock = Date.now();
    h = await startSimHarness({ realNow: () => clock });
    const backend = h.backend();
    await backend.listSubscriptions(DEMO_CUSTOMERS.rockit);
    clock += 2 * 3600_000; // the simulator now sees the cached token as expired; MSAL does not
    expect(await backend.listSubscriptions(DEMO_CUSTOMERS.rockit)).toHaveLength(4);
    expect((await h.requests()).map((r) => r.status)).toEqual([200, 200, 401, 200, 200]);
  });

  it("explains Partner Center's refusals with the request id", async () => {
    h = await startSimHarness();
    let n = 0;
    const backend = h.backend({ newId: () => `rid-${++n}` });
    const late = await backend.setQuantity(DEMO_CUSTOMERS.rockit, DEMO_SUBSCRIPTIONS.appsForBusiness, 1).catch((e: unknown) => e);
    expect(late).toMatchObject({ name: "BackendError", status: 400, code: "800090", requestId: "rid-1" });
    expect((late as Error).message).toMatch(
      new RegExp(
        `^400 800090 .*; the reduction window of these seats has closed \\(seats can be removed only within 7 days of being added\\); schedule the lower quantity for renewal instead \\(renewal\\.quantity\\) \\(PATCH /v1/customers/${DEMO_CUSTOMERS.rockit}/subscriptions/${DEMO_SUBSCRIPTIONS.appsForBusiness}, MS-RequestId rid-1\\)$`,
      ),
    );
    const cancel = await backend.cancel(DEMO_CUSTOMERS.rockit, DEMO_SUBSCRIPTIONS.appsForBusiness).catch((e: unknown) => e);
    expect(cancel).toMatchObject({ code: "900117" });
    expect((cancel as Error).message).toContain("; the cancellation window has closed; end the subscription at term end instead (autoRenew: false)");
    const upgrade = await backend.transition(DEMO_CUSTOMERS.rockit, DEMO_SUBSCRIPTIONS.businessBasic, { to: "CFQ7TTC0LH16:0001", quantity: 1 }).catch((e: unknown) => e);
    expect(upgrade).toMatchObject({ code: "TransitionNotEligible" });
    expect((upgrade as Error).message).toBe(
      `subscription ${DEMO_SUBSCRIPTIONS.businessBasic} cannot be upgraded to CFQ7TTC0LH16:0001: not among its transition eligibilities; pick an upgrade.to the subscription is eligible for`,
    );
  });

  it("buys once when the same purchase is replayed with its idempotency key", async () => {
    h = await startSimHarness();
    const backend = h.backend();
    const request = { offer: "CFQ7TTC0LFLS:0002", quantity: 2, term: "P1Y", billing: "monthly", friendlyName: "entra-p1", idempotencyKey: "replayed-key" } as const;
    const first = await backend.purchase(DEMO_CUSTOMERS.rockit, request);
    const again = await h.backend().purchase(DEMO_CUSTOMERS.rockit, request);
    expect(again.id).toBe(first.id);
    const rockit = (await h.state()).customers.find((c) => c.id === DEMO_CUSTOMERS.rockit);
    expect(rockit?.subscriptions.filter((s) => s.friendlyName === "entra-p1")).toHaveLength(1);
    expect(rockit?.orders).toHaveLength(1);
  });

  it("needs app+user credentials for licence usage", async () => {
    h = await startSimHarness();
    const backend = h.backend({ credentials: APP_ONLY });
    expect(backend.capabilities.licenceUsage).toBe(false);
    await expect(backend.getLicenceUsage(DEMO_CUSTOMERS.rockit)).rejects.toThrow(
      "licence usage (subscribedskus) needs app+user credentials: set SEATPLAN_REFRESH_TOKEN with the app's credentials, or give a delegated SEATPLAN_ACCESS_TOKEN",
    );
  });
});

describe("no credential ever leaks", () => {
  it("keeps the secret, the refresh token and every issued token out of errors, thrown objects and log lines", async () => {
    h = await startSimHarness();
    const backend = h.backend({ retryPolicy: { ...DEFAULT_RETRY_POLICY, maxThrottledAttempts: 2, maxAttempts: 2 } });
    await h.fault({ method: "GET", path: "/subscribedskus$", status: 429, retryAfterSeconds: 1, count: 10 });
    await h.fault({ method: "GET", path: "/transitionEligibilities$", status: 503, count: 10, description: `echo client_secret=${SECRET}&refresh_token=${REFRESH_TOKEN}` });
    const failures = await Promise.all([
      backend.setQuantity(DEMO_CUSTOMERS.rockit, DEMO_SUBSCRIPTIONS.appsForBusiness, 1),
      backend.cancel(DEMO_CUSTOMERS.rockit, DEMO_SUBSCRIPTIONS.appsForBusiness),
      backend.getSubscription(DEMO_CUSTOMERS.rockit, "00000000-0000-4000-8000-000000000000"),
      backend.getLicenceUsage(DEMO_CUSTOMERS.rockit),
      backend.getTransitionEligibilities(DEMO_CUSTOMERS.northwind, DEMO_SUBSCRIPTIONS.exchangePlan1),
      backend.purchase(DEMO_CUSTOMERS.rockit, { offer: "CFQ7TTC0XXXX:0001", quantity: 1, term: "P1Y", billing: "annual", friendlyName: "nope", idempotencyKey: "k" }),
    ].map((p) => p.then(() => null, (e: unknown) => e)));
    // A backend whose secret the token endpoint refuses.
    const refused = h.backend({ credentials: { ...APP_ONLY, clientSecret: `${SECRET}-old` } });
    failures.push(await refused.listCustomers().then(() => null, (e: unknown) => e));

    expect(failures.every((e) => e instanceof Error)).toBe(true);
    expect(h.log.length).toBeGreaterThan(0);
    expect(h.issuedTokens().length).toBeGreaterThan(0);
    const everything = [
      ...failures.flatMap((e) => [String(e), JSON.stringify(e), JSON.stringify(Object.entries(e as object)), inspect(e, { depth: 10, showHidden: true })]),
      ...h.log,
    ].join("\n");
    for (const secret of [SECRET, REFRESH_TOKEN, ...h.issuedTokens()]) expect(everything).not.toContain(secret);
    expect(everything).toContain("[REDACTED]");
  });

  it("keeps them out of the plan in every format", async () => {
    h = await startSimHarness();
    const backend = h.backend();
    const file = join(__dirname, "..", "..", "examples", "quickstart", "licences.yaml");
    const { state: desired } = parseDesired(readFileSync(file, "utf8"), "licences.yaml");
    if (!desired) throw new Error("the quickstart YAML is invalid");
    const planned = plan(desired, await observe(desired, backend), { now: new Date(SIM_NOW), backend: backend.name });
    expect(planned.steps.length).toBeGreaterThan(0);
    const rendered = PLAN_FORMATS.map((format) => renderPlan(planned, format)).join("\n") + JSON.stringify(planned);
    for (const secret of [SECRET, REFRESH_TOKEN, ...h.issuedTokens()]) expect(rendered).not.toContain(secret);
  });
});
