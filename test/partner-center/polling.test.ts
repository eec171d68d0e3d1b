import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { PartnerCenterBackend } from "../../provider/client/partner-center";
import { builtInCatalogData } from "../../provider/simulator/catalog";
import { startScriptServer, type Reply, type ScriptServer } from "../http/script-server";

/**
 * Partner Center finishes transitions and shows new orders' subscriptions asynchronously; the
 * simulator does both at once. A scripted server plays the slow Partner Center here.
 */
const C = "c0000000-0000-4000-8000-000000000001";
const SOURCE = "50000000-0000-4000-8000-000000000001";
const TARGET = "70000000-0000-4000-8000-000000000001";

const subscription = (id: string, offerId: string) => ({
  id,
  offerId,
  offerName: "Exchange Online",
  friendlyName: id === SOURCE ? "exchange" : "exchange-plan-2",
  quantity: 10,
  status: "active",
  autoRenewEnabled: true,
  termDuration: "P1Y",
  billingCycle: "annual",
  effectiveStartDate: "2026-05-07T00:00:00Z",
  commitmentEndDate: "2027-05-06T00:00:00Z",
  productType: { id: "OnlineServicesNCE", displayName: "OnlineServicesNCE" },
  attributes: { objectType: "Subscription", etag: "e1" },
});
const collection = (items: unknown[]) => ({ totalCount: items.length, items, attributes: { objectType: "Collection" } });
const eligible = collection([
  { catalogItemId: "CFQ7TTC0LH1P:0001:AV2", title: "Exchange Online (Plan 2)", quantity: 10, eligibilities: [{ isEligible: true, transitionType: "transition_only", errors: [] }], attributes: { objectType: "TransitionEligibility" } },
]);

let server: ScriptServer;
let backends: PartnerCenterBackend[] = [];
beforeAll(async () => {
  server = await startScriptServer();
});
afterAll(async () => {
  await server.close();
});
afterEach(async () => {
  await Promise.all(backends.map((b) => b.close()));
  backends = [];
  server.seen.length = 0;
});

function backend(delays: number[]): PartnerCenterBackend {
  const b = new PartnerCenterBackend({
    endpoint: server.url,
    credentials: { kind: "token", accessToken: "given-token" },
    priceList: builtInCatalogData(),
    polling: { intervalMs: 250, maxPolls: 3 },
    sleep: (ms) => {
      delays.push(ms);
      return Promise.resolve();
    },
  });
  backends.push(b);
  return b;
}

/** Routes the transition calls; `states` are the statuses successive polls see. */
function transitionServer(states: readonly string[], failure?: string): void {
  let polls = 0;
  server.route((method, url): Reply => {
    const path = url.split("?")[0] ?? "";
    if (path.endsWith("/transitionEligibilities")) return { status: 200, body: eligible };
    if (method === "POST" && path.endsWith("/transitions")) return { status: 200, body: { operationId: "op-1", toCatalogItemId: "CFQ7TTC0LH1P:0001:AV2", quantity: 10, transitionType: "transition_only", status: "pending" } };
    if (method === "GET" && path.endsWith("/transitions")) {
      const status = states[Math.min(polls++, states.length - 1)] ?? "pending";
      const errors = failure && status === "failed" ? [{ code: 0, description: failure }] : [];
      return { status: 200, body: collection([{ operationId: "op-1", toCatalogItemId: "CFQ7TTC0LH1P:0001:AV2", toSubscriptionId: TARGET, quantity: 10, transitionType: "transition_only", status, events: [{ name: "Conversion", status, timestamp: "2026-11-23T10:00:00Z", errors }] }]) };
    }
    if (path.endsWith(`/subscriptions/${SOURCE}`)) return { status: 200, body: subscription(SOURCE, "CFQ7TTC0LH16:0001:AV1") };
    if (path.endsWith(`/subscriptions/${TARGET}`)) return { status: 200, body: subscription(TARGET, "CFQ7TTC0LH1P:0001:AV2") };
    return { status: 404, body: { code: "NotFound", description: `no route ${method} ${path}` } };
  });
}

describe("waiting for Partner Center's asynchronous results", () => {
  it("polls a transition until it completes, then reads both subscriptions", async () => {
    transitionServer(["pending", "running", "completed"]);
    const delays: number[] = [];
    const result = await backend(delays).transition(C, SOURCE, { to: "CFQ7TTC0LH1P:0001", quantity: 10 });
    expect([result.source.id, result.target.id, result.target.offer]).toEqual([SOURCE, TARGET, "CFQ7TTC0LH1P:0001"]);
    expect(delays).toEqual([250, 250]);
    expect(server.seen.filter((r) => r.method === "GET" && r.url.includes("/transitions?operationId=op-1"))).toHaveLength(3);
  });

  it("stops polling after the bound and says what to do", async () => {
    transitionServer(["pending"]);
    const error = await backend([]).transition(C, SOURCE, { to: "CFQ7TTC0LH1P:0001", quantity: 10 }).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: "BackendError", code: "StillPending", status: 504 });
    expect((error as Error).message).toBe(
      "the transition op-1 is still running; check it in Partner Center, then run again (the plan will see the upgrade once it completes) (after 3 reads)",
    );
  });

  it("reports a failed transition with Partner Center's reasons", async () => {
    transitionServer(["running", "failed"], "Subscription cannot be transitioned because there are conflicting services.");
    await expect(backend([]).transition(C, SOURCE, { to: "CFQ7TTC0LH1P:0001", quantity: 10 })).rejects.toThrow(
      "the transition op-1 failed: Subscription cannot be transitioned because there are conflicting services.",
    );
  });

  it("never takes another transition of the subscription for the one it started", async () => {
    const OTHER = "70000000-0000-4000-8000-000000000002";
    const older = { operationId: "op-0", toCatalogItemId: "CFQ7TTC0LH1P:0001:AV2", toSubscriptionId: OTHER, quantity: 1, transitionType: "transition_only", status: "completed" };
    let polls = 0;
    server.route((method, url): Reply => {
      const path = url.split("?")[0] ?? "";
      if (path.endsWith("/transitionEligibilities")) return { status: 200, body: eligible };
      if (method === "POST" && path.endsWith("/transitions")) return { status: 200, body: { operationId: "op-1", toCatalogItemId: "CFQ7TTC0LH1P:0001:AV2", quantity: 10, transitionType: "transition_only", status: "pending" } };
      if (method === "GET" && path.endsWith("/transitions")) {
        // The history lists the new operation only from the second read on.
        const mine = { operationId: "op-1", toCatalogItemId: "CFQ7TTC0LH1P:0001:AV2", toSubscriptionId: TARGET, quantity: 10, transitionType: "transition_only", status: "completed" };
        return { status: 200, body: collection(++polls < 2 ? [older] : [older, mine]) };
      }
      if (path.endsWith(`/subscriptions/${SOURCE}`)) return { status: 200, body: subscription(SOURCE, "CFQ7TTC0LH16:0001:AV1") };
      if (path.endsWith(`/subscriptions/${TARGET}`)) return { status: 200, body: subscription(TARGET, "CFQ7TTC0LH1P:0001:AV2") };
      if (path.endsWith(`/subscriptions/${OTHER}`)) return { status: 200, body: subscription(OTHER, "CFQ7TTC0LH1P:0001:AV2") };
      return { status: 404, body: { code: "NotFound", description: `no route ${method} ${path}` } };
    });
    const delays: number[] = [];
    const result = await backend(delays).transition(C, SOURCE, { to: "CFQ7TTC0LH1P:0001", quantity: 10 });
    expect(result.target.id).toBe(TARGET);
    expect(delays).toEqual([250]);
  });

  it("takes a checkout answer without orderErrors (the documented shape) as the purchase it is", async () => {
    server.route((method, url): Reply => {
      const path = url.split("?")[0] ?? "";
      if (method === "POST" && path.endsWith("/carts")) return { status: 201, body: { id: "cart-1", status: "Active", lineItems: [{ id: 0, catalogItemId: "CFQ7TTC0LH1P:0001:AV2", quantity: 10, billingCycle: "annual", termDuration: "P1Y" }] } };
      if (path.endsWith("/checkout")) {
        return { status: 201, body: { orders: [{ id: "o-1", lineItems: [{ lineItemNumber: 0, offerId: "CFQ7TTC0LH1P:0001:AV2", subscriptionId: TARGET, quantity: 10 }] }], attributes: { objectType: "CartCheckoutResult" } } };
      }
      if (path.endsWith(`/subscriptions/${TARGET}`)) return { status: 200, body: subscription(TARGET, "CFQ7TTC0LH1P:0001:AV2") };
      return { status: 404, body: { code: "NotFound", description: `no route ${method} ${path}` } };
    });
    const request = { offer: "CFQ7TTC0LH1P:0001", availabilityId: "AV2", quantity: 10, term: "P1Y", billing: "annual", friendlyName: "exchange-plan-2", idempotencyKey: "k-2" } as const;
    const bought = await backend([]).purchase(C, request);
    expect(bought.id).toBe(TARGET);
  });

  it("reports a checkout that answers with order errors only", async () => {
    server.route((method, url): Reply => {
      const path = url.split("?")[0] ?? "";
      if (method === "POST" && path.endsWith("/carts")) return { status: 201, body: { id: "cart-1", status: "Active", lineItems: [{ id: 0, catalogItemId: "CFQ7TTC0LH1P:0001:AV2", quantity: 10, billingCycle: "annual", termDuration: "P1Y" }] } };
      if (path.endsWith("/checkout")) return { status: 201, body: { orderErrors: [{ orderGroupId: "0", code: "800010", description: "Inventory not available" }] } };
      return { status: 404, body: { code: "NotFound", description: `no route ${method} ${path}` } };
    });
    const request = { offer: "CFQ7TTC0LH1P:0001", availabilityId: "AV2", quantity: 10, term: "P1Y", billing: "annual", friendlyName: "exchange-plan-2", idempotencyKey: "k-3" } as const;
    const error = await backend([]).purchase(C, request).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: "BackendError", code: "800010", status: 400 });
    expect((error as Error).message).toMatch(/^the checkout of CFQ7TTC0LH1P:0001 failed: 800010 Inventory not available \(MS-RequestId [0-9a-f-]{36}\)$/);
  });

  it("waits for a new order's subscription to appear", async () => {
    let reads = 0;
    server.route((method, url): Reply => {
      const path = url.split("?")[0] ?? "";
      if (path.endsWith("/availabilities")) {
        return { status: 200, body: collection([{ id: "AV2", productId: "CFQ7TTC0LH1P", skuId: "0001", catalogItemId: "CFQ7TTC0LH1P:0001:AV2", isPurchasable: true, terms: [{ id: "t", duration: "P1Y", description: "", billingCycle: "annual" }] }]) };
      }
      if (method === "POST" && path.endsWith("/carts")) return { status: 201, body: { id: "cart-1", status: "Active", lineItems: [{ id: 0, catalogItemId: "CFQ7TTC0LH1P:0001:AV2", quantity: 10, billingCycle: "annual", termDuration: "P1Y" }] } };
      if (path.endsWith("/checkout")) return { status: 201, body: { orders: [{ id: "o-1", lineItems: [{ lineItemNumber: 0, offerId: "CFQ7TTC0LH1P:0001:AV2", subscriptionId: TARGET, quantity: 10 }] }], orderErrors: [] } };
      if (path.endsWith(`/subscriptions/${TARGET}`)) {
        return ++reads < 3 ? { status: 404, body: { code: "20003", description: "Subscription not found" } } : { status: 200, body: subscription(TARGET, "CFQ7TTC0LH1P:0001:AV2") };
      }
      return { status: 404, body: { code: "NotFound", description: `no route ${method} ${path}` } };
    });
    const delays: number[] = [];
    const bought = await backend(delays).purchase(C, { offer: "CFQ7TTC0LH1P:0001", quantity: 10, term: "P1Y", billing: "annual", friendlyName: "exchange-plan-2", idempotencyKey: "k-1" });
    expect(bought.id).toBe(TARGET);
    expect(delays).toEqual([250, 250]);
    expect(server.seen.find((r) => r.url.endsWith("/carts"))?.body).toBe(
      '{"lineItems":[{"id":0,"catalogItemId":"CFQ7TTC0LH1P:0001:AV2","friendlyName":"exchange-plan-2","quantity":10,"billingCycle":"annual","termDuration":"P1Y"}]}',
    );
  });
});
