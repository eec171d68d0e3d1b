import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { PartnerCenterBackend } from "../../provider/client/partner-center";
import { builtInCatalogData } from "../../provider/simulator/catalog";
import { DEMO_CUSTOMERS, DEMO_SUBSCRIPTIONS } from "../../provider/simulator/demo";
import { type Reply, type ScriptServer, startScriptServer } from "../http/script-server";
import { startSimHarness } from "./harness";

/**
 * The client against Partner Center's slow answers (reference-2026 §1–3), played by a scripted
 * server over real HTTP: a PATCH answered 202 Accepted with a Location, a change still pending
 * (409 800082), a stale etag (2055), a checkout whose order is `pending` without subscription
 * ids, a transition whose events say `"Started "` in Microsoft's own casing, a body with a BOM.
 * Every write is sent once (or re-derived from a fresh read), every wait is bounded.
 */
const C = "c0000000-0000-4000-8000-000000000001";
const S = "50000000-0000-4000-8000-000000000001";
const NEW = "70000000-0000-4000-8000-000000000001";
const SUB_PATH = `/v1/customers/${C}/subscriptions/${S}`;

const subscription = (id: string, quantity: number, etag: string) => ({
  id,
  offerId: "CFQ7TTC0LH18:0001:AV1",
  offerName: "Microsoft 365 Business Basic",
  friendlyName: "basic",
  quantity,
  status: "active",
  autoRenewEnabled: true,
  termDuration: "P1Y",
  billingCycle: "monthly",
  effectiveStartDate: "2026-05-07T00:00:00Z",
  commitmentEndDate: "2027-05-06T00:00:00Z",
  productType: { id: "OnlineServicesNCE", displayName: "OnlineServicesNCE" },
  attributes: { objectType: "Subscription", etag },
});
const collection = (items: unknown[]) => ({ totalCount: items.length, items, attributes: { objectType: "Collection" } });
const notFound = (method: string, path: string): Reply => ({ status: 404, body: { code: "NotFound", description: `no route ${method} ${path}` } });

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

function client(delays: number[] = [], maxPolls = 4): PartnerCenterBackend {
  const b = new PartnerCenterBackend({
    endpoint: server.url,
    credentials: { kind: "token", accessToken: "given-token" },
    priceList: builtInCatalogData(),
    polling: { intervalMs: 100, maxPolls },
    sleep: (ms) => {
      delays.push(ms);
      return Promise.resolve();
    },
  });
  backends.push(b);
  return b;
}

const patches = () => server.seen.filter((r) => r.method === "PATCH");

describe("a change answered 202 Accepted", () => {
  it("is followed at its Location until it shows, and sent once", async () => {
    let reads = 0;
    server.route((method, url): Reply => {
      const path = url.split("?")[0] ?? "";
      if (method === "PATCH") return { status: 202, headers: { location: `/v1/customers/${C}/subscriptions/${S}` }, body: subscription(S, 5, "e1") };
      // Before the PATCH and twice after it the old state shows; the change lands on the third poll.
      if (method === "GET" && path === SUB_PATH) return ++reads <= 3 ? { status: 200, body: subscription(S, 5, "e1") } : { status: 200, body: subscription(S, 9, "e2") };
      return notFound(method, path);
    });
    const delays: number[] = [];
    const after = await client(delays).setQuantity(C, S, 9, { requestId: "req-9" });
    expect(after.quantity).toBe(9);
    expect(patches().map((r) => [r.headers["ms-requestid"], JSON.parse(r.body).quantity, r.headers["if-match"]])).toEqual([["req-9", 9, "e1"]]);
    expect(delays).toEqual([100, 100, 100]);
  });

  it("gives up after the bound, saying what it waits for, without writing again", async () => {
    server.route((method, url): Reply => {
      const path = url.split("?")[0] ?? "";
      if (method === "PATCH") return { status: 202, headers: { location: SUB_PATH } };
      if (method === "GET" && path === SUB_PATH) return { status: 200, body: subscription(S, 5, "e1") };
      return notFound(method, path);
    });
    const error = await client([], 3).setQuantity(C, S, 9, { requestId: "req-slow" }).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: "BackendError", code: "StillPending", status: 504 });
    expect((error as Error).message).toBe(
      `the change to subscription ${S} was accepted (202, MS-RequestId req-slow) but does not show yet; check it in Partner Center, then run again (a re-plan shows what is left) (after 3 reads)`,
    );
    expect(patches()).toHaveLength(1);
  });
});

describe("a change refused with 409 800082 (another change still pending)", () => {
  it("waits and re-reads; when the wanted state has arrived, nothing more is sent", async () => {
    let reads = 0;
    server.route((method, url): Reply => {
      const path = url.split("?")[0] ?? "";
      if (method === "PATCH") return { status: 409, body: { code: 800082, description: "Subscription is not ready to be updated. Try again after sometime", data: [], source: "PartnerFD" } };
      if (method === "GET" && path === SUB_PATH) return ++reads === 1 ? { status: 200, body: subscription(S, 5, "e1") } : { status: 200, body: subscription(S, 9, "e2") };
      return notFound(method, path);
    });
    const delays: number[] = [];
    const after = await client(delays).setQuantity(C, S, 9, { requestId: "req-a" });
    expect(after.quantity).toBe(9);
    expect(patches()).toHaveLength(1);
    expect(delays).toEqual([100]);
  });

  it("writes again only from a fresh read, under a request id of its own, and never the old body", async () => {
    let reads = 0;
    let patched = 0;
    server.route((method, url): Reply => {
      const path = url.split("?")[0] ?? "";
      if (method === "PATCH") {
        return ++patched === 1 ? { status: 409, body: { code: 800082, description: "Subscription is not ready to be updated.", data: [], source: "PartnerFD" } } : { status: 200, body: subscription(S, 9, "e3") };
      }
      // Someone else's pending change landed meanwhile: the renamed subscription, new etag.
      if (method === "GET" && path === SUB_PATH) return ++reads === 1 ? { status: 200, body: subscription(S, 5, "e1") } : { status: 200, body: { ...subscription(S, 5, "e2"), friendlyName: "renamed" } };
      return notFound(method, path);
    });
    const after = await client().setQuantity(C, S, 9, { requestId: "req-b" });
    expect(after.quantity).toBe(9);
    const sent = patches().map((r) => ({ id: r.headers["ms-requestid"], etag: r.headers["if-match"], name: (JSON.parse(r.body) as { friendlyName: string }).friendlyName }));
    expect(sent[0]).toEqual({ id: "req-b", etag: "e1", name: "basic" });
    expect(sent[1]?.etag).toBe("e2");
    expect(sent[1]?.name).toBe("renamed");
    expect(sent[1]?.id).not.toBe("req-b");
  });

  it("stops after the bound with the code and what to do", async () => {
    server.route((method, url): Reply => {
      const path = url.split("?")[0] ?? "";
      if (method === "PATCH") return { status: 409, body: { code: 800082, description: "Subscription is not ready to be updated.", data: [], source: "PartnerFD" } };
      if (method === "GET" && path === SUB_PATH) return { status: 200, body: subscription(S, 5, "e1") };
      return notFound(method, path);
    });
    const error = await client([], 3).setQuantity(C, S, 9).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: "BackendError", code: "800082", status: 409 });
    expect((error as Error).message).toMatch(/still not ready to be updated after 3 tries .*run again once Partner Center shows that change/);
    expect(patches()).toHaveLength(3);
  });
});

describe("a stale etag (400 2055)", () => {
  it("is re-read and the change made once more from the fresh state", async () => {
    let reads = 0;
    let patched = 0;
    server.route((method, url): Reply => {
      const path = url.split("?")[0] ?? "";
      if (method === "PATCH") return ++patched === 1 ? { status: 400, body: { code: 2055, description: "Etag is no longer valid" } } : { status: 200, body: subscription(S, 9, "e3") };
      if (method === "GET" && path === SUB_PATH) return { status: 200, body: subscription(S, 5, ++reads === 1 ? "e1" : "e2") };
      return notFound(method, path);
    });
    expect((await client().setQuantity(C, S, 9, { requestId: "req-c" })).quantity).toBe(9);
    expect(patches().map((r) => r.headers["if-match"])).toEqual(["e1", "e2"]);
  });
});

describe("a checkout whose order is pending", () => {
  const cart: Reply = { status: 201, body: { id: "cart-1", status: "Active", lineItems: [{ id: 0, catalogItemId: "CFQ7TTC0LH18:0001:AV1", quantity: 3, billingCycle: "monthly", termDuration: "P1Y" }] } };
  const pendingOrder = { id: "o-1", status: "pending", lineItems: [{ lineItemNumber: 0, offerId: "CFQ7TTC0LH18:0001:AV1", quantity: 3 }] };
  const request = { offer: "CFQ7TTC0LH18:0001", availabilityId: "AV1", quantity: 3, term: "P1Y", billing: "monthly", friendlyName: "basic", idempotencyKey: "k-pending" } as const;

  it("is followed through the order and the subscriptions filed under it, checked out once", async () => {
    let orderReads = 0;
    server.route((method, url): Reply => {
      const path = url.split("?")[0] ?? "";
      if (method === "POST" && path.endsWith("/carts")) return cart;
      if (path.endsWith("/checkout")) return { status: 201, body: { orders: [pendingOrder] } };
      if (method === "GET" && path.endsWith("/orders/o-1")) return { status: 200, body: { ...pendingOrder, status: ++orderReads < 3 ? "pending" : "Pending " } };
      if (method === "GET" && path.endsWith("/subscriptions") && url.includes("order_id=o-1")) return { status: 200, body: collection(orderReads < 2 ? [] : [subscription(NEW, 3, "n1")]) };
      if (method === "GET" && path.endsWith(`/subscriptions/${NEW}`)) return { status: 200, body: subscription(NEW, 3, "n1") };
      return notFound(method, path);
    });
    const bought = await client().purchase(C, request);
    expect(bought.id).toBe(NEW);
    expect(server.seen.filter((r) => r.url.endsWith("/checkout"))).toHaveLength(1);
    expect(server.seen.filter((r) => r.url.includes("/orders/o-1")).length).toBeLessThanOrEqual(4);
  });

  it("takes the subscription id from the order once it names it", async () => {
    server.route((method, url): Reply => {
      const path = url.split("?")[0] ?? "";
      if (method === "POST" && path.endsWith("/carts")) return cart;
      if (path.endsWith("/checkout")) return { status: 201, body: { orders: [pendingOrder] } };
      if (method === "GET" && path.endsWith("/orders/o-1")) return { status: 200, body: { ...pendingOrder, status: "completed", lineItems: [{ ...pendingOrder.lineItems[0], subscriptionId: NEW }] } };
      if (method === "GET" && path.endsWith(`/subscriptions/${NEW}`)) return { status: 200, body: subscription(NEW, 3, "n1") };
      return notFound(method, path);
    });
    expect((await client().purchase(C, request)).id).toBe(NEW);
  });

  it("gives up after the bound with the provisioning status, and buys nothing more", async () => {
    server.route((method, url): Reply => {
      const path = url.split("?")[0] ?? "";
      if (method === "POST" && path.endsWith("/carts")) return cart;
      if (path.endsWith("/checkout")) return { status: 201, body: { orders: [pendingOrder] } };
      if (method === "GET" && path.endsWith("/orders/o-1")) return { status: 200, body: pendingOrder };
      if (method === "GET" && path.endsWith("/subscriptions")) return { status: 200, body: collection([]) };
      if (method === "GET" && path.endsWith("/provisioningstatus")) return { status: 200, body: collection([{ lineItemNumber: 0, status: "PrefulfillmentPending" }]) };
      return notFound(method, path);
    });
    const error = await client([], 2).purchase(C, request).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: "BackendError", code: "StillPending", status: 504 });
    expect((error as Error).message).toMatch(/^the order o-1 for CFQ7TTC0LH18:0001 has not named its subscription after 2 reads \(line 0 PrefulfillmentPending; MS-RequestId [0-9a-f-]{36}\); run again later/);
    expect(server.seen.filter((r) => r.method === "POST")).toHaveLength(2);
  });

  it("reports an order that ended in error", async () => {
    server.route((method, url): Reply => {
      const path = url.split("?")[0] ?? "";
      if (method === "POST" && path.endsWith("/carts")) return cart;
      if (path.endsWith("/checkout")) return { status: 201, body: { orders: [pendingOrder] } };
      if (method === "GET" && path.endsWith("/orders/o-1")) return { status: 200, body: { ...pendingOrder, status: "error" } };
      return notFound(method, path);
    });
    await expect(client().purchase(C, request)).rejects.toThrow(/the order o-1 for CFQ7TTC0LH18:0001 ended as error/);
  });
});

describe("Microsoft's own spellings", () => {
  it("follows a transition whose events say \"Started \" and \"Completed\" under `Events`", async () => {
    let polls = 0;
    const transition = (status: string) => ({ operationId: "op-7", toCatalogItemId: "CFQ7TTC0LDPB:0001:AV3", toSubscriptionId: NEW, quantity: 5, transitionType: "transition_only", Events: [{ name: "Conversion", status, timestamp: "2026-11-23T10:00:00.1234567+00:00" }] });
    server.route((method, url): Reply => {
      const path = url.split("?")[0] ?? "";
      if (path.endsWith("/transitionEligibilities")) {
        return { status: 200, body: collection([{ catalogItemId: "CFQ7TTC0LDPB:0001:AV3", title: "Business Standard", quantity: 5, eligibilities: [{ isEligible: true, transitionType: "transition_only", errors: [] }] }]) };
      }
      if (method === "POST" && path.endsWith("/transitions")) return { status: 200, body: transition("Started ") };
      // Microsoft's sample names the list `transition`, not `items`.
      if (method === "GET" && path.endsWith("/transitions")) return { status: 200, body: { transition: [transition(++polls < 2 ? "Started " : "Completed")], attributes: { objectType: "Collection" } } };
      if (path === SUB_PATH) return { status: 200, body: subscription(S, 0, "e1") };
      if (path.endsWith(`/subscriptions/${NEW}`)) return { status: 200, body: { ...subscription(NEW, 5, "n1"), offerId: "CFQ7TTC0LDPB:0001:AV3" } };
      return notFound(method, path);
    });
    const delays: number[] = [];
    const { target } = await client(delays).transition(C, S, { to: "CFQ7TTC0LDPB:0001", quantity: 5 });
    expect(target.id).toBe(NEW);
    expect(delays).toEqual([100]);
    expect(server.seen.filter((r) => r.method === "POST")).toHaveLength(1);
  });

  it("reads a body that starts with a UTF-8 byte order mark", async () => {
    server.script({ status: 200, body: subscription(S, 5, "e1"), bom: true });
    expect((await client().getSubscription(C, S)).quantity).toBe(5);
  });
});

describe("against the simulator when a write takes longer than the client waits", () => {
  it("stops after its bound, says what it waits for, and the write still lands once (a rerun finds it done)", async () => {
    const h = await startSimHarness({ asyncMs: 60_000 });
    try {
      const backend = h.backend();
      const error = await backend.setQuantity(DEMO_CUSTOMERS.rockit, DEMO_SUBSCRIPTIONS.appsForBusiness, 4, { requestId: "req-long" }).catch((e: unknown) => e);
      expect(error).toMatchObject({ name: "BackendError", code: "StillPending", status: 504 });
      expect((error as Error).message).toMatch(/was accepted \(202, MS-RequestId req-long\) but does not show yet; .* \(after 10 reads\)$/);
      expect(h.delays).toEqual(Array.from({ length: 10 }, () => 100));
      // A minute later the same call finds it done, and writes nothing.
      h.advance(60_000);
      const after = await backend.setQuantity(DEMO_CUSTOMERS.rockit, DEMO_SUBSCRIPTIONS.appsForBusiness, 4, { requestId: "req-long" });
      expect(after.quantity).toBe(4);
      const patches = (await h.requests()).filter((r) => r.method === "PATCH");
      expect(patches.map((r) => [r.status, r.msRequestId])).toEqual([[202, "req-long"]]);
    } finally {
      await h.close();
    }
  });
});
