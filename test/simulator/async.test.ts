import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startSimulatorServer } from "../../provider/simulator/server";
import {
  counterIds,
  CUSTOMER,
  customer,
  fault,
  OFFERS,
  OTHER_SUB,
  state,
  startTestSimulator,
  SUB,
  subPath,
  subscription,
  type SubscriptionFixture,
  type TestSimulator,
} from "./helpers";

/**
 * `--async-ms`: writes are accepted now and take effect later, as Partner Center's long-running
 * operations (a PATCH answered 202 + Location, a transition `Started`, an order `pending`).
 * The simulator's real clock is a variable here, so "later" is exact and no test waits.
 */

const NOW = "2026-06-01T00:00:00Z";
const ASYNC_MS = 300;
/** Bought 2026-05-30: its seats are still removable (window until 2026-06-06). */
const FRESH: SubscriptionFixture = { start: "2026-05-30T10:00:00Z", end: "2027-05-29T00:00:00Z", quantity: 5 };
/** Exchange Online (Plan 1), 10 seats, window long closed: an upgrade source. */
const SOURCE: SubscriptionFixture = { offerId: OFFERS.exchange1, start: "2026-01-10T10:00:00Z", end: "2027-01-09T00:00:00Z", quantity: 10 };

let real = Date.parse("2026-12-01T12:00:00Z");
let sim: TestSimulator;
beforeAll(async () => {
  sim = await startTestSimulator(null, { asyncMs: ASYNC_MS, realNow: () => real });
});
afterAll(async () => {
  await sim.close();
});
beforeEach(() => {
  real += 3_600_000;
});

const get = async (id: string = SUB): Promise<Record<string, unknown>> => (await sim.call("GET", subPath(id))).body;

describe("a PATCH while the change is pending", () => {
  it("answers 202 with Location, reads show the old state until it takes effect, then the new one", async () => {
    sim.load(state(NOW, [customer([subscription(FRESH)])]));
    const before = await get();
    const res = await sim.call("PATCH", subPath(), { ...before, quantity: 8 });
    expect(res.status).toBe(202);
    expect(res.headers.get("location")).toBe(subPath());
    expect(res.body).toBeNull();

    real += ASYNC_MS - 1;
    expect(await get()).toEqual(before);
    real += 1;
    const after = await get();
    expect(after["quantity"]).toBe(8);
    expect((after["attributes"] as { etag: string }).etag).not.toBe((before["attributes"] as { etag: string }).etag);
  });

  it("refuses another write to the subscription with 409 800082 until then", async () => {
    sim.load(state(NOW, [customer([subscription(FRESH)])]));
    const before = await get();
    expect((await sim.call("PATCH", subPath(), { ...before, quantity: 8 })).status).toBe(202);
    const again = await sim.call("PATCH", subPath(), { ...before, autoRenewEnabled: false });
    expect(again.status).toBe(409);
    expect(again.headers.get("retry-after")).toBe("1");
    expect(again.body).toEqual(
      fault(
        "800082",
        `Subscription is not ready to be updated. Try again after sometime: a change to subscription ${SUB} accepted at ${new Date(real).toISOString()} is still being applied; GET the subscription until it shows the change`,
      ),
    );
    const upgrade = await sim.call("POST", `${subPath()}/transitions`, { toCatalogItemId: OFFERS.standard, quantity: 1, transitionType: "transition_only" });
    expect(upgrade.status).toBe(409);

    real += ASYNC_MS;
    const current = await get();
    expect(current["quantity"]).toBe(8);
    const later = await sim.call("PATCH", subPath(), { ...current, autoRenewEnabled: false });
    expect(later.status).toBe(202);
  });

  it("a PATCH that changes nothing answers 200 at once", async () => {
    sim.load(state(NOW, [customer([subscription(FRESH)])]));
    const before = await get();
    const res = await sim.call("PATCH", subPath(), before);
    expect(res.status).toBe(200);
    expect(res.body).toEqual(before);
  });

  it("a refused change is refused at once, not accepted", async () => {
    sim.load(state(NOW, [customer([subscription({ ...FRESH, start: "2026-01-10T10:00:00Z", end: "2027-01-09T00:00:00Z" })])]));
    const res = await sim.call("PATCH", subPath(), { ...(await get()), quantity: 4 });
    expect(res.status).toBe(400);
    expect((res.body as { code: number }).code).toBe(800090);
    expect((await sim.call("GET", "/_sim/pending")).body).toEqual([]);
  });

  it("a replay of the MS-RequestId answers the same 202 and accepts nothing twice", async () => {
    sim.load(state(NOW, [customer([subscription(FRESH)])]));
    const body = { ...(await get()), quantity: 9 };
    const first = await sim.call("PATCH", subPath(), body, { "MS-RequestId": "req-async-1" });
    const replay = await sim.call("PATCH", subPath(), body, { "MS-RequestId": "req-async-1" });
    expect([first.status, replay.status]).toEqual([202, 202]);
    expect(replay.headers.get("location")).toBe(subPath());
    expect((await sim.call<unknown[]>("GET", "/_sim/pending")).body).toHaveLength(1);
  });

  it("survives a restart: the file holds the pending change, the first request after it is due applies it", async () => {
    sim.load(state(NOW, [customer([subscription(FRESH)])]));
    expect((await sim.call("PATCH", subPath(), { ...(await get()), quantity: 7 })).status).toBe(202);
    const restarted = await startSimulatorServer({ statePath: sim.statePath, rateLimitPerMinute: 0, realNow: () => real + ASYNC_MS });
    try {
      const res = await fetch(`${restarted.url}${subPath()}`);
      expect(((await res.json()) as { quantity: number }).quantity).toBe(7);
    } finally {
      await restarted.close();
    }
  });
});

describe("a transition while it runs", () => {
  it("answers Started with the new subscription's id, which appears with Completed", async () => {
    sim.load(state(NOW, [customer([subscription(SOURCE)])]));
    const res = await sim.call("POST", `${subPath()}/transitions`, { toCatalogItemId: OFFERS.exchange2, quantity: 4, transitionType: "transition_only" });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: "started", quantity: 4, fromSubscriptionId: SUB, events: [{ name: "Conversion", status: "Started" }] });
    const operationId = res.body["operationId"] as string;
    const newId = res.body["toSubscriptionId"] as string;
    const history = (): Promise<{ status: number; body: { items: { status: string; events: { status: string }[] }[] } }> =>
      sim.call("GET", `${subPath()}/transitions?operationId=${operationId}`);

    expect((await history()).body.items.map((t) => t.events.map((e) => e.status))).toEqual([["Started"]]);
    expect((await sim.call("GET", subPath(newId))).status).toBe(404);
    expect((await get())["quantity"]).toBe(10);
    const busy = await sim.call("POST", `${subPath()}/transitions`, { toCatalogItemId: OFFERS.exchange2, quantity: 1, transitionType: "transition_only" });
    expect([busy.status, (busy.body as { code: number }).code]).toEqual([409, 900109]);

    real += ASYNC_MS;
    expect((await history()).body.items.map((t) => [t.status, t.events.map((e) => e.status)])).toEqual([["completed", ["Started", "Completed"]]]);
    expect(await sim.call("GET", subPath(newId))).toMatchObject({ status: 200, body: { quantity: 4, offerId: OFFERS.exchange2 } });
    expect((await get())["quantity"]).toBe(6);
  });

  it("into an existing subscription holds that one too", async () => {
    const into: SubscriptionFixture = { id: OTHER_SUB, offerId: OFFERS.exchange2, start: "2026-03-01T00:00:00Z", end: "2027-02-28T00:00:00Z", quantity: 3 };
    sim.load(state(NOW, [customer([subscription(SOURCE), subscription(into)])]));
    const res = await sim.call("POST", `${subPath()}/transitions`, { toCatalogItemId: OFFERS.exchange2, toSubscriptionId: OTHER_SUB, quantity: 10, transitionType: "transition_only" });
    expect(res.body).toMatchObject({ status: "started", toSubscriptionId: OTHER_SUB });
    const target = await get(OTHER_SUB);
    expect((await sim.call("PATCH", subPath(OTHER_SUB), { ...target, friendlyName: "renamed" })).status).toBe(409);
    real += ASYNC_MS;
    expect((await get(OTHER_SUB))["quantity"]).toBe(13);
  });
});

describe("an order while it is provisioned", () => {
  const line = { catalogItemId: OFFERS.basic, quantity: 3, billingCycle: "monthly", termDuration: "P1M" };

  it("checkout answers pending orders without subscription ids; the order, its provisioning status and subscriptions?order_id= resolve them", async () => {
    sim.load(state(NOW, [customer([])]));
    const cart = await sim.call("POST", `/v1/customers/${CUSTOMER}/carts`, { lineItems: [line] });
    const checkout = await sim.call<{ orders: { id: string; status: string; lineItems: Record<string, unknown>[] }[] }>(
      "POST",
      `/v1/customers/${CUSTOMER}/carts/${cart.body["id"] as string}/checkout`,
    );
    expect(checkout.status).toBe(201);
    const order = checkout.body.orders[0];
    expect(order?.status).toBe("pending");
    expect(order?.lineItems[0]).not.toHaveProperty("subscriptionId");
    const orderPath = `/v1/customers/${CUSTOMER}/orders/${order?.id ?? ""}`;
    const byOrder = `/v1/customers/${CUSTOMER}/subscriptions?order_id=${order?.id ?? ""}`;
    expect((await sim.call("GET", `${orderPath}/provisioningstatus`)).body["items"]).toEqual([
      {
        lineItemNumber: 0,
        status: "PrefulfillmentPending",
        quantityProvisioningInformation: [{ quantity: 3, status: "PrefulfillmentPending" }],
        attributes: { objectType: "OrderLineItemProvisioningStatus" },
      },
    ]);
    expect((await sim.call("GET", byOrder)).body["items"]).toEqual([]);

    real += ASYNC_MS;
    const done = await sim.call<{ status: string; lineItems: { subscriptionId: string }[] }>("GET", orderPath);
    expect(done.body.status).toBe("completed");
    const subscriptionId = done.body.lineItems[0]?.subscriptionId;
    expect(subscriptionId).toMatch(/^00000000-/);
    expect((await sim.call("GET", `${orderPath}/provisioningstatus`)).body["items"]).toMatchObject([{ lineItemNumber: 0, status: "fulfilled" }]);
    expect((await sim.call<{ items: { id: string }[] }>("GET", byOrder)).body.items.map((s) => s.id)).toEqual([subscriptionId]);
  });

  it("a repeated checkout answers the first (pending) result and buys nothing twice", async () => {
    sim.load(state(NOW, [customer([])]));
    const cart = await sim.call("POST", `/v1/customers/${CUSTOMER}/carts`, { lineItems: [line] });
    const path = `/v1/customers/${CUSTOMER}/carts/${cart.body["id"] as string}/checkout`;
    const first = await sim.call("POST", path);
    const second = await sim.call("POST", path);
    expect(second.body).toEqual(first.body);
    real += ASYNC_MS;
    expect((await sim.call<{ items: unknown[] }>("GET", `/v1/customers/${CUSTOMER}/subscriptions`)).body.items).toHaveLength(1);
  });

  it("POST /_sim/settle applies every pending write now", async () => {
    sim.load(state(NOW, [customer([subscription(FRESH)])]));
    expect((await sim.call("PATCH", subPath(), { ...(await get()), quantity: 6 })).status).toBe(202);
    expect((await sim.call("POST", "/_sim/settle")).body).toEqual({ applied: 1 });
    expect((await get())["quantity"]).toBe(6);
  });
});

describe("synchronous (the default)", () => {
  it("answers 200 with the change made and completed transitions and orders", async () => {
    const s = await startTestSimulator(state(NOW, [customer([subscription(FRESH), subscription({ ...SOURCE, id: OTHER_SUB })])]), { newId: counterIds() });
    try {
      const current = (await s.call("GET", subPath())).body;
      expect(await s.call("PATCH", subPath(), { ...current, quantity: 6 })).toMatchObject({ status: 200, body: { quantity: 6 } });
      const t = await s.call("POST", `${subPath(OTHER_SUB)}/transitions`, { toCatalogItemId: OFFERS.exchange2, quantity: 2, transitionType: "transition_only" });
      expect(t.body).toMatchObject({ status: "completed", events: [{ status: "Completed" }] });
      const order = await s.call("POST", `/v1/customers/${CUSTOMER}/orders`, { lineItems: [{ offerId: OFFERS.basic, quantity: 1, lineItemNumber: 0 }], billingCycle: "monthly" });
      expect(order.body).toMatchObject({ status: "completed", lineItems: [{ subscriptionId: expect.stringMatching(/^00000000-/) as unknown }] });
    } finally {
      await s.close();
    }
  });
});
