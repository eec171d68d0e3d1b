import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  CUSTOMER,
  customer,
  fault,
  OFFERS,
  patch,
  startTestSimulator,
  state,
  subPath,
  subscription,
  type TestSimulator,
  wireCode,
} from "./helpers";

/**
 * What sits around the rules in Partner Center, over HTTP: carts and idempotent checkout,
 * `MS-RequestId` replay, injected faults, throttling, paging, custom term end dates, licence
 * usage, the catalog and the request log.
 */

const NOW = "2026-06-01T10:00:00Z";
const CARTS = `/v1/customers/${CUSTOMER}/carts`;
const LINE = { id: 0, catalogItemId: OFFERS.basic, quantity: 3, billingCycle: "monthly", termDuration: "P1Y", friendlyName: "basic" };

let sim: TestSimulator;
beforeAll(async () => {
  sim = await startTestSimulator(null);
});
afterAll(async () => {
  await sim.close();
});

const fresh = (): void => sim.load(state(NOW, [customer([subscription({ start: "2026-01-10T10:00:00Z", end: "2027-01-09T00:00:00Z" })])]));
const subscriptions = async () => (await sim.call<{ items: Record<string, unknown>[] }>("GET", `/v1/customers/${CUSTOMER}/subscriptions`)).body.items;

describe("carts and checkout", () => {
  it("checkout buys the cart's lines as new subscriptions with an order", async () => {
    fresh();
    const cart = await sim.call("POST", CARTS, { lineItems: [LINE] });
    expect(cart.status).toBe(201);
    expect(cart.body).toMatchObject({ status: "Active", creationTimestamp: NOW, expirationTimestamp: "2026-06-08T10:00:00Z", lineItems: [{ ...LINE, currencyCode: "EUR" }] });
    const done = await sim.call<{ orders: { id: string; lineItems: { subscriptionId: string }[] }[] }>("POST", `${CARTS}/${cart.body["id"] as string}/checkout`);
    expect(done.status).toBe(201);
    const order = done.body.orders[0];
    const subscriptionId = order?.lineItems[0]?.subscriptionId ?? "";
    expect((await sim.call("GET", subPath(subscriptionId))).body).toMatchObject({
      offerId: OFFERS.basic,
      friendlyName: "basic",
      quantity: 3,
      autoRenewEnabled: true,
      effectiveStartDate: NOW,
      commitmentEndDate: "2027-05-31T00:00:00Z",
      cancellationAllowedUntilDate: "2026-06-08T10:00:00Z",
      refundableQuantity: { totalQuantity: 3, details: [{ quantity: 3, allowedUntilDateTime: "2026-06-08T10:00:00Z" }] },
      orderId: order?.id,
    });
    expect((await sim.call("GET", `/v1/customers/${CUSTOMER}/orders/${order?.id ?? ""}`)).body).toMatchObject({ status: "completed", referenceCustomerId: CUSTOMER });
    expect((await sim.call("GET", `${CARTS}/${cart.body["id"] as string}`)).body["status"]).toBe("Ordered");
  });

  it("checking out an ordered cart again returns the first result and buys nothing", async () => {
    fresh();
    const cart = await sim.call("POST", CARTS, { lineItems: [LINE] });
    const first = await sim.call("POST", `${CARTS}/${cart.body["id"] as string}/checkout`);
    const again = await sim.call("POST", `${CARTS}/${cart.body["id"] as string}/checkout`);
    expect(again.body).toEqual(first.body);
    expect(await subscriptions()).toHaveLength(2);
  });

  it.each`
    line                                                       | code
    ${{ ...LINE, catalogItemId: "CFQ7TTC0LH18:0001:OLD" }}     | ${"10001"}
    ${{ ...LINE, catalogItemId: "NOPE:0001:X" }}               | ${"10001"}
    ${{ ...LINE, termDuration: "P3Y" }}                        | ${"10013"}
    ${{ ...LINE, quantity: 301 }}                              | ${"2002"}
    ${{ ...LINE, customTermEndDate: "2027-03-15T00:00:00Z" }}  | ${"10017"}
  `("refuses a line with $code", async ({ line, code }) => {
    fresh();
    const res = await sim.call("POST", CARTS, { lineItems: [line] });
    expect(res.status).toBe(400);
    expect(res.body["code"]).toBe(wireCode(code));
  });

  it("a cart expires after 7 days", async () => {
    fresh();
    const cart = await sim.call("POST", CARTS, { lineItems: [LINE] });
    await sim.call("POST", "/_sim/clock", { advance: "P8D" });
    const res = await sim.call("POST", `${CARTS}/${cart.body["id"] as string}/checkout`);
    expect(res.body).toEqual(fault("CartExpired", `Cart ${cart.body["id"] as string} expired on 2026-06-08T10:00:00Z; create a new cart`));
  });

  it("a line may co-term with an existing subscription (customTermEndDates)", async () => {
    fresh();
    const dates = await sim.call<{ items: unknown[] }>("GET", `/v1/customers/${CUSTOMER}/subscriptions/customTermEndDates?term_duration=P1Y`);
    expect(dates.body.items).toEqual([
      { allowedCustomTermEndDateType: "calendarMonthAligned", allowedCustomTermEndDate: "2027-05-31T00:00:00Z" },
      { allowedCustomTermEndDateType: "subscriptionAligned", allowedCustomTermEndDate: "2027-01-09T00:00:00Z", cotermSubscriptionIds: ["22222222-2222-4222-8222-222222222222"] },
    ]);
    const cart = await sim.call("POST", CARTS, { lineItems: [{ ...LINE, customTermEndDate: "2027-01-09T00:00:00Z" }] });
    const done = await sim.call<{ orders: { lineItems: { subscriptionId: string }[] }[] }>("POST", `${CARTS}/${cart.body["id"] as string}/checkout`);
    const id = done.body.orders[0]?.lineItems[0]?.subscriptionId ?? "";
    expect((await sim.call("GET", subPath(id))).body["commitmentEndDate"]).toBe("2027-01-09T00:00:00Z");
  });

  it.each`
    term     | query                                                              | expected
    ${"P1M"} | ${""}                                                              | ${["calendarMonthAligned 2026-06-30"]}
    ${"P1Y"} | ${"&target_coterm_subscription_id=22222222-2222-4222-8222-222222222222"} | ${["subscriptionAligned 2027-01-09"]}
    ${"P1M"} | ${"&term_start_date=2026-07-01T00:00:00Z"}                        | ${["calendarMonthAligned 2026-07-31"]}
  `("custom term end dates for a $term term with query $query", async ({ term, query, expected }) => {
    fresh();
    const res = await sim.call<{ items: { allowedCustomTermEndDateType: string; allowedCustomTermEndDate: string }[] }>(
      "GET",
      `/v1/customers/${CUSTOMER}/subscriptions/customTermEndDates?term_duration=${term}${query}`,
    );
    expect(res.body.items.map((d) => `${d.allowedCustomTermEndDateType} ${d.allowedCustomTermEndDate.slice(0, 10)}`)).toEqual(expected);
  });
});

describe("MS-RequestId replay", () => {
  it("checkout replayed with the same MS-RequestId buys once and answers the first response", async () => {
    fresh();
    const cart = await sim.call("POST", CARTS, { lineItems: [LINE] });
    const path = `${CARTS}/${cart.body["id"] as string}/checkout`;
    const first = await sim.call("POST", path, undefined, { "MS-RequestId": "req-checkout-1" });
    const replay = await sim.call("POST", path, undefined, { "MS-RequestId": "req-checkout-1" });
    expect(replay.status).toBe(201);
    expect(replay.body).toEqual(first.body);
    expect(replay.headers.get("ms-requestid")).toBe("req-checkout-1");
    expect(await subscriptions()).toHaveLength(2);
  });

  it("creating a cart replayed with the same MS-RequestId returns the same cart", async () => {
    fresh();
    const first = await sim.call("POST", CARTS, { lineItems: [LINE] }, { "MS-RequestId": "req-cart-1" });
    const again = await sim.call("POST", CARTS, { lineItems: [LINE] }, { "MS-RequestId": "req-cart-1" });
    const other = await sim.call("POST", CARTS, { lineItems: [LINE] }, { "MS-RequestId": "req-cart-2" });
    expect(again.body["id"]).toBe(first.body["id"]);
    expect(other.body["id"]).not.toBe(first.body["id"]);
  });

  it("an afterCommit fault loses the response of a change that was made; the replay answers it without acting again", async () => {
    fresh();
    await sim.call("POST", "/_sim/faults", { method: "PATCH", path: "/subscriptions/", status: 504, count: 1, afterCommit: true });
    const lost = await patch(sim, { quantity: 7 }, undefined, { "MS-RequestId": "req-qty-1" });
    expect(lost.status).toBe(504);
    expect(lost.body).toEqual(fault("504", "Simulated fault (the change was made, the response was lost); retry the request"));
    const retried = await patch(sim, { quantity: 7 }, undefined, { "MS-RequestId": "req-qty-1" });
    expect(retried.status).toBe(200);
    expect(retried.body["quantity"]).toBe(7);
    // One change: one batch of 2 added seats, not two.
    expect(retried.body["refundableQuantity"]).toEqual({ totalQuantity: 2, details: [{ quantity: 2, allowedUntilDateTime: "2026-06-08T10:00:00Z" }] });
  });

  it("a fault before the change changes nothing; the retry acts", async () => {
    fresh();
    await sim.call("POST", "/_sim/faults", { method: "PATCH", path: "/subscriptions/", status: 503, count: 1, retryAfterSeconds: 2 });
    const failed = await patch(sim, { quantity: 7 }, undefined, { "MS-RequestId": "req-qty-2" });
    expect(failed.status).toBe(503);
    expect(failed.headers.get("retry-after")).toBe("2");
    expect((await sim.call("GET", subPath())).body["quantity"]).toBe(5);
    expect((await patch(sim, { quantity: 7 }, undefined, { "MS-RequestId": "req-qty-2" })).body["quantity"]).toBe(7);
  });

  it("faults match method and path, count down, and can be cleared", async () => {
    fresh();
    await sim.call("POST", "/_sim/faults", { method: "GET", path: "^/v1/customers/[^/]+/subscriptions$", status: 500, count: 2 });
    expect((await sim.call("GET", subPath())).status).toBe(200);
    expect((await sim.call("GET", `/v1/customers/${CUSTOMER}/subscriptions`)).status).toBe(500);
    expect((await sim.call("GET", "/_sim/faults")).body).toEqual([{ method: "GET", path: "^/v1/customers/[^/]+/subscriptions$", status: 500, count: 1 }]);
    await sim.call("DELETE", "/_sim/faults");
    expect((await sim.call("GET", `/v1/customers/${CUSTOMER}/subscriptions`)).status).toBe(200);
  });

  it("refuses a malformed fault", async () => {
    const res = await sim.call("POST", "/_sim/faults", { path: "(", status: 503 });
    expect(res.status).toBe(400);
    expect(res.body["description"]).toMatch(/^Invalid fault: path is not a regular expression/);
  });

  it("a request id reused for another operation is refused", async () => {
    fresh();
    await patch(sim, { quantity: 6 }, undefined, { "MS-RequestId": "req-reuse" });
    const res = await sim.call("POST", CARTS, { lineItems: [LINE] }, { "MS-RequestId": "req-reuse" });
    expect(res.body).toEqual(fault("RequestIdReused", `MS-RequestId req-reuse was already used for PATCH ${subPath()}; use a new request id for each operation`));
  });

  it.each`
    after       | buys
    ${"PT23H"}  | ${0}
    ${"PT24H"}  | ${1}
  `("a replay $after later (simulated clock) buys $buys more", async ({ after, buys }) => {
    fresh();
    const cart = await sim.call("POST", CARTS, { lineItems: [LINE] }, { "MS-RequestId": "req-cart-late" });
    await sim.call("POST", `${CARTS}/${cart.body["id"] as string}/checkout`);
    await sim.call("POST", "/_sim/clock", { advance: after });
    const replay = await sim.call("POST", CARTS, { lineItems: [LINE] }, { "MS-RequestId": "req-cart-late" });
    await sim.call("POST", `${CARTS}/${replay.body["id"] as string}/checkout`);
    expect(await subscriptions()).toHaveLength(2 + buys);
  });

  it("keeps the newest replay entries only, so a frozen clock does not grow the state file forever", async () => {
    const capped = await startTestSimulator(state(NOW, [customer([subscription({ start: "2026-01-10T10:00:00Z", end: "2027-01-09T00:00:00Z" })])]), { replayLimit: 3 });
    try {
      for (let i = 1; i <= 5; i++) await patch(capped, { friendlyName: `name-${i}` }, undefined, { "MS-RequestId": `req-${i}` });
      const stored = (JSON.parse(readFileSync(capped.statePath, "utf8")) as { replay: Record<string, unknown> }).replay;
      expect(Object.keys(stored)).toEqual(["req-3", "req-4", "req-5"]);
      const replayed = await patch(capped, { friendlyName: "name-5" }, undefined, { "MS-RequestId": "req-5" });
      expect(replayed.body["friendlyName"]).toBe("name-5");
    } finally {
      await capped.close();
    }
  });
});

describe("request log", () => {
  it("lists method, path, status and request id, oldest first; DELETE clears it", async () => {
    fresh();
    await sim.call("DELETE", "/_sim/requests");
    await sim.call("GET", subPath());
    await sim.call("PATCH", subPath(), { quantity: 400 }, { "MS-RequestId": "r-1" });
    const log = await sim.call<{ method: string; path: string; status: number; msRequestId: string | null; at: string }[]>("GET", "/_sim/requests");
    expect(log.body.map(({ at: _at, ...rest }) => rest)).toEqual([
      { method: "GET", path: subPath(), status: 200, msRequestId: null },
      { method: "PATCH", path: subPath(), status: 400, msRequestId: "r-1" },
    ]);
    await sim.call("DELETE", "/_sim/requests");
    expect((await sim.call("GET", "/_sim/requests")).body).toEqual([]);
  });
});

describe("licence usage and catalog", () => {
  it("subscribedskus reports seats bought and assigned per Graph SKU id (state keys by Graph id, old PRODUCT:SKU keys still read)", async () => {
    const assignedLicenses = { "3b555118-da6a-4418-894f-7df1e2096870": 4, "CFQ7TTC0LFLS:0002": 1 };
    sim.load(state(NOW, [customer([subscription({ start: "2026-01-10T10:00:00Z", end: "2027-01-09T00:00:00Z" })], { assignedLicenses })]));
    const res = await sim.call<{ items: Record<string, unknown>[] }>("GET", `/v1/customers/${CUSTOMER}/subscribedskus`);
    expect(res.body.items.map((i) => [(i["productSku"] as { id: string }).id, i["totalUnits"], i["consumedUnits"], i["availableUnits"]])).toEqual([
      ["078d2b04-f1bd-4111-bbd4-b4b1b354cef4", 0, 1, 0],
      ["3b555118-da6a-4418-894f-7df1e2096870", 5, 4, 1],
    ]);
  });

  it("bills the annualised run rate per subscription (GET /_sim/billing), nothing for what is not active", async () => {
    sim.load(
      state(NOW, [
        customer([
          subscription({ start: "2026-01-10T10:00:00Z", end: "2027-01-09T00:00:00Z" }),
          subscription({ id: "33333333-3333-4333-8333-333333333333", start: "2026-01-10T10:00:00Z", end: "2027-01-09T00:00:00Z", status: "deleted" }),
        ]),
      ]),
    );
    const res = await fetch(`${sim.url}/_sim/billing?customer=${CUSTOMER}`);
    const body = (await res.json()) as { annualRunRate: number; currency: string; subscriptions: { annualRunRate: number }[] };
    // Business Basic P1Y billed monthly at 6.30: 5 seats × 6.30 × 12.
    expect([res.status, body.currency, body.annualRunRate, body.subscriptions.map((s) => s.annualRunRate)]).toEqual([200, "EUR", 378, [378, 0]]);
    const missing = await fetch(`${sim.url}/_sim/billing`);
    expect(missing.status).toBe(400);
  });

  it("serves products, SKUs with seat bounds and availabilities with terms", async () => {
    const skus = await sim.call<{ items: Record<string, unknown>[] }>("GET", "/v1/products/CFQ7TTC0LH18/skus");
    expect(skus.body.items[0]).toMatchObject({ id: "0001", minimumQuantity: 1, maximumQuantity: 300 });
    const e3 = await sim.call("GET", "/v1/products/CFQ7TTC0LFLX/skus/0001");
    expect(e3.body["maximumQuantity"]).toBe(50_000);
    const availability = await sim.call("GET", "/v1/products/CFQ7TTC0LH18/skus/0001/availabilities/SIMAV0000001");
    expect(availability.body).toMatchObject({
      catalogItemId: OFFERS.basic,
      terms: [
        { duration: "P1M", billingCycle: "monthly" },
        { duration: "P1Y", billingCycle: "monthly" },
        { duration: "P1Y", billingCycle: "annual" },
      ],
    });
    const products = await sim.call<{ items: unknown[] }>("GET", "/v1/products?targetView=OnlineServices&country=US");
    expect(products.body.items).toHaveLength(19);
  });
});

describe("throttling: 429 with Retry-After after the per-customer limit (real time)", () => {
  it("answers 429 on request 4 of a 3-per-minute limit, per customer, until the minute is over", async () => {
    let realNow = Date.parse("2026-06-01T10:00:00Z");
    const limited = await startTestSimulator(
      state(NOW, [customer([subscription({ start: "2026-01-10T10:00:00Z", end: "2027-01-09T00:00:00Z" })]), { id: "55555555-5555-4555-8555-555555555555", companyName: "Other", domain: "o", subscriptions: [] }]),
      { rateLimitPerMinute: 3, realNow: () => realNow },
    );
    try {
      for (let i = 0; i < 3; i++) expect((await limited.call("GET", subPath())).status).toBe(200);
      realNow += 17_000;
      const refused = await limited.call("GET", subPath());
      expect(refused.status).toBe(429);
      expect(refused.headers.get("retry-after")).toBe("43");
      expect(refused.body).toEqual({ code: "TooManyRequests", description: "Rate limit is exceeded. Try again in 43 seconds.", statusCode: 429, message: "Rate limit is exceeded. Try again in 43 seconds." });
      expect((await limited.call("GET", "/v1/customers/55555555-5555-4555-8555-555555555555/subscriptions")).status).toBe(200);
      realNow += 43_000;
      expect((await limited.call("GET", subPath())).status).toBe(200);
    } finally {
      await limited.close();
    }
  });
});

describe("--latency-ms", () => {
  it("delays every API and token response, not the admin routes", async () => {
    const delays: number[] = [];
    const slow = await startTestSimulator(state(NOW, [customer([])]), {
      latencyMs: 250,
      sleep: (ms) => {
        delays.push(ms);
        return Promise.resolve();
      },
    });
    try {
      await slow.call("GET", "/v1/customers");
      await slow.call("GET", "/_sim/clock");
      await slow.call("POST", "/t/oauth2/v2.0/token");
      expect(delays).toEqual([250, 250]);
    } finally {
      await slow.close();
    }
  });
});

describe("paging of customers", () => {
  it("follows links.next with the MS-ContinuationToken header until there is no next", async () => {
    const many = Array.from({ length: 5 }, (_, i) => ({ ...customer([]), id: `00000000-0000-4000-8000-00000000000${i}`, companyName: `C${i}` }));
    sim.load(state(NOW, many));
    const names: string[] = [];
    let res = await sim.call<{ items: { companyProfile: { companyName: string } }[]; links: { next?: { uri: string; headers: { key: string; value: string }[] } } }>("GET", "/v1/customers?size=2");
    const pages = [res.body.items.length];
    names.push(...res.body.items.map((c) => c.companyProfile.companyName));
    while (res.body.links.next) {
      const next = res.body.links.next;
      res = await sim.call("GET", next.uri, undefined, Object.fromEntries(next.headers.map((h) => [h.key, h.value])));
      pages.push(res.body.items.length);
      names.push(...res.body.items.map((c) => c.companyProfile.companyName));
    }
    expect(pages).toEqual([2, 2, 1]);
    expect(names).toEqual(["C0", "C1", "C2", "C3", "C4"]);
  });

  it("answers one page without links.next when everything fits (default size 100)", async () => {
    fresh();
    const res = await sim.call<{ totalCount: number; links: Record<string, unknown> }>("GET", "/v1/customers");
    expect(res.body.totalCount).toBe(1);
    expect(res.body.links["next"]).toBeUndefined();
  });

  it("refuses a continuation token it did not issue", async () => {
    const res = await sim.call("GET", "/v1/customers", undefined, { "MS-ContinuationToken": "garbage" });
    expect(res.status).toBe(400);
    expect(res.body["code"]).toBe(wireCode("800002"));
  });
});
