import { request } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  CUSTOMER,
  customer,
  fault,
  OFFERS,
  state,
  startTestSimulator,
  SUB,
  subPath,
  subscription,
  type SubscriptionFixture,
  type TestSimulator,
} from "./helpers";

/**
 * Requests written the way Microsoft's documentation writes them (PascalCase properties, `Annual`,
 * dates with fractional seconds and `+00:00`, a byte order mark), and the documented paths a
 * third-party client calls: `POST …/orders`, the customer-scoped catalog.
 */

const NOW = "2026-06-01T00:00:00Z";
/** Bought 2026-05-30: seats still removable. */
const FRESH: SubscriptionFixture = { start: "2026-05-30T10:00:00Z", end: "2027-05-29T00:00:00Z", quantity: 5, billing: "annual" };

let sim: TestSimulator;
beforeAll(async () => {
  sim = await startTestSimulator(null);
});
afterAll(async () => {
  await sim.close();
});

const get = async (): Promise<Record<string, unknown>> => (await sim.call("GET", subPath())).body;
const etagOf = (sub: Record<string, unknown>): string => (sub["attributes"] as { etag: string }).etag;

/** A raw HTTP exchange (bytes as sent and as received), for byte order marks. */
function raw(url: string, method: string, path: string, body?: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request(`${url}${path}`, { method, headers: body === undefined ? {} : { "content-type": "application/json" } }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString("utf8") }));
    });
    req.on("error", reject);
    req.end(body);
  });
}

describe("request bodies are read without regard to property-name case", () => {
  it('Microsoft\'s legacy example {"Quantity": n, "Attributes": {"Etag": …}} changes the quantity', async () => {
    sim.load(state(NOW, [customer([subscription(FRESH)])]));
    const current = await get();
    const res = await sim.call("PATCH", subPath(), { Id: SUB, Quantity: 9, Status: "active", AutoRenewEnabled: true, Attributes: { Etag: etagOf(current), ObjectType: "Subscription" } });
    expect(res.status).toBe(200);
    expect(res.body["quantity"]).toBe(9);
    expect((await get())["quantity"]).toBe(9);
  });

  it("a PascalCase Etag that is stale is refused with 2055, as a camelCase one", async () => {
    sim.load(state(NOW, [customer([subscription(FRESH)])]));
    const res = await sim.call("PATCH", subPath(), { Quantity: 9, Attributes: { Etag: "stale" } });
    expect(res.status).toBe(400);
    expect(res.body["code"]).toBe(2055);
    expect((await get())["quantity"]).toBe(5);
  });

  it("a property the subscription does not have is refused, not dropped into a 200 that changes nothing", async () => {
    sim.load(state(NOW, [customer([subscription(FRESH)])]));
    const res = await sim.call("PATCH", subPath(), { Quantiti: 9 });
    expect(res.status).toBe(400);
    expect(res.body).toEqual(fault("800002", expect.stringMatching(/^Invalid request input: unknown property "Quantiti"; the body takes id, offerId, /) as unknown as string));
    const nested = await sim.call("PATCH", subPath(), { quantity: 9, attributes: { eTagg: "x" } });
    expect(nested.body["description"]).toBe('Invalid request input: unknown property "attributes.eTagg"; "attributes" takes objectType, etag');
    expect((await get())["quantity"]).toBe(5);
  });

  it("a property given twice in different cases is refused", async () => {
    sim.load(state(NOW, [customer([subscription(FRESH)])]));
    const res = await sim.call("PATCH", subPath(), { quantity: 6, Quantity: 9 });
    expect(res.body).toEqual(fault("800002", 'Invalid request input: property "quantity" is given twice (names are read without regard to case)'));
  });

  it('scheduled instructions as in Microsoft\'s example: "Annual", dates with fractional seconds and +00:00', async () => {
    sim.load(state(NOW, [customer([subscription(FRESH)])]));
    const { scheduledNextTermInstructions: _none, ...current } = await get();
    const res = await sim.call("PATCH", subPath(), {
      ...current,
      ScheduledNextTermInstructions: {
        Product: { ProductId: "CFQ7TTC0LH18", SkuId: "0001", AvailabilityId: "SIMAV0000001", BillingCycle: "Annual", TermDuration: "P1Y" },
        Quantity: 4,
        CustomTermEndDate: "2028-04-30T00:00:00.0000000+00:00",
      },
    });
    expect(res.body["description"]).toBeUndefined();
    expect(res.status).toBe(200);
    expect(res.body["scheduledNextTermInstructions"]).toEqual({
      product: { productId: "CFQ7TTC0LH18", skuId: "0001", availabilityId: "SIMAV0000001", billingCycle: "annual", termDuration: "P1Y" },
      quantity: 4,
      customTermEndDate: "2028-04-30T00:00:00Z",
    });
  });

  it("a transition in PascalCase with an Annual billing cycle", async () => {
    sim.load(state(NOW, [customer([subscription({ ...FRESH, start: "2026-01-10T10:00:00Z", end: "2027-01-09T00:00:00Z" })])]));
    const res = await sim.call("POST", `${subPath()}/transitions`, { ToCatalogItemId: OFFERS.standard, Quantity: 2, TransitionType: "transition_only", BillingCycle: "Annual", TermDuration: "P1Y" });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ quantity: 2, billingCycle: "annual", transitionType: "transition_only", status: "completed" });
  });

  it("a cart in PascalCase as in Microsoft's NCE example", async () => {
    sim.load(state(NOW, [customer([])]));
    const res = await sim.call("POST", `/v1/customers/${CUSTOMER}/carts`, {
      PartnerOnRecordAttestationAccepted: true,
      LineItems: [{ Id: 0, CatalogItemId: OFFERS.basic, Quantity: 1, BillingCycle: "Monthly", TermDuration: "P1M", RenewsTo: null, ProvisioningContext: {} }],
    });
    expect(res.status).toBe(201);
    expect(res.body["lineItems"]).toMatchObject([{ catalogItemId: OFFERS.basic, quantity: 1, billingCycle: "monthly", termDuration: "P1M" }]);
  });
});

describe("byte order marks", () => {
  it("a request body may start with one", async () => {
    sim.load(state(NOW, [customer([subscription(FRESH)])]));
    const body = `\uFEFF${JSON.stringify({ ...(await get()), quantity: 7 })}`;
    const res = await raw(sim.url, "PATCH", subPath(), body);
    expect(res.status).toBe(200);
    expect((await get())["quantity"]).toBe(7);
  });

  it("with bom the simulator starts every API response with one; without, none", async () => {
    const withBom = await startTestSimulator(state(NOW, [customer([subscription(FRESH)])]), { bom: true });
    try {
      const res = await raw(withBom.url, "GET", subPath());
      expect(res.text.startsWith("\uFEFF{")).toBe(true);
      expect((JSON.parse(res.text.slice(1)) as { quantity: number }).quantity).toBe(5);
      expect((await raw(withBom.url, "GET", "/v1/customers/nope/subscriptions")).text.startsWith("\uFEFF{")).toBe(true);
    } finally {
      await withBom.close();
    }
    sim.load(state(NOW, [customer([subscription(FRESH)])]));
    expect((await raw(sim.url, "GET", subPath())).text.startsWith("{")).toBe(true);
  });
});

describe("documented paths", () => {
  it("POST /v1/customers/{id}/orders buys as Microsoft's example writes it (PascalCase, no term: the shortest sold monthly)", async () => {
    sim.load(state(NOW, [customer([])]));
    const res = await sim.call("POST", `/v1/customers/${CUSTOMER}/orders`, {
      PartnerOnRecordAttestationAccepted: true,
      LineItems: [{ OfferId: OFFERS.basic, Quantity: 2, LineItemNumber: 0, PartnerIdOnRecord: "873452" }],
      BillingCycle: "monthly",
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ status: "completed", billingCycle: "monthly", lineItems: [{ lineItemNumber: 0, offerId: OFFERS.basic, termDuration: "P1M", quantity: 2 }] });
    const id = (res.body["lineItems"] as { subscriptionId: string }[])[0]?.subscriptionId ?? "";
    expect((await sim.call("GET", subPath(id))).body).toMatchObject({ quantity: 2, termDuration: "P1M", billingCycle: "monthly", orderId: res.body["id"] });
  });

  it("POST …/orders validates like a cart", async () => {
    sim.load(state(NOW, [customer([])]));
    const res = await sim.call("POST", `/v1/customers/${CUSTOMER}/orders`, { lineItems: [{ offerId: OFFERS.basic, quantity: 301, termDuration: "P1Y", billingCycle: "annual" }] });
    expect([res.status, res.body["code"]]).toEqual([400, 2002]);
    expect((await sim.call<{ items: unknown[] }>("GET", `/v1/customers/${CUSTOMER}/subscriptions`)).body.items).toEqual([]);
  });

  it.each([
    ["/products/CFQ7TTC0LH18/skus"],
    ["/products/CFQ7TTC0LH18/skus/0001"],
    ["/products/CFQ7TTC0LH18/skus/0001/availabilities"],
    ["/products/CFQ7TTC0LH18/skus/0001/availabilities/SIMAV0000001"],
  ])("the customer-scoped %s answers like the global one", async (path) => {
    sim.load(state(NOW, [customer([])]));
    const global = await sim.call("GET", `/v1${path}`);
    const scoped = await sim.call("GET", `/v1/customers/${CUSTOMER}${path}`);
    expect(scoped.status).toBe(200);
    const { links: _g, ...g } = global.body;
    const { links: _s, ...s } = scoped.body;
    expect(s).toEqual(g);
    expect((await sim.call("GET", `/v1/customers/99999999-9999-4999-8999-999999999999${path}`)).status).toBe(403);
  });

  it("a SKU carries its Graph SKU id in dynamicAttributes.provisioningId", async () => {
    const res = await sim.call("GET", "/v1/products/CFQ7TTC0LH18/skus/0001");
    expect(res.body["dynamicAttributes"]).toEqual({
      provisioningId: "3b555118-da6a-4418-894f-7df1e2096870",
      provisioningString: "O365_BUSINESS_ESSENTIALS",
      upgradeTargetOffers: ["CFQ7TTC0LDPB:0001", "CFQ7TTC0LCHC:0002"],
    });
  });

  it("every built-in offer carries a Graph SKU id and part number", async () => {
    const products = await sim.call<{ items: { id: string }[] }>("GET", "/v1/products");
    for (const { id } of products.body.items) {
      const skus = await sim.call<{ items: { dynamicAttributes: { provisioningId?: string; provisioningString?: string } }[] }>("GET", `/v1/products/${id}/skus`);
      for (const sku of skus.body.items) {
        expect(sku.dynamicAttributes.provisioningId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
        expect(sku.dynamicAttributes.provisioningString).toMatch(/^[A-Za-z0-9_]+$/);
      }
    }
  });
});

describe("subscribedskus by Graph SKU id", () => {
  it("reports productSku.id as the Graph SKU id and skuPartNumber; assignedLicenses may be keyed either way", async () => {
    const graph = await startTestSimulator(
      state(NOW, [
        customer([subscription(FRESH), subscription({ ...FRESH, id: "44444444-4444-4444-8444-444444444444", offerId: OFFERS.e3, quantity: 10 })], {
          assignedLicenses: { "3b555118-da6a-4418-894f-7df1e2096870": 2, "CFQ7TTC0LFLX:0001": 7 },
        }),
      ]),
      { subscribedSkuIds: "graph" },
    );
    try {
      const res = await graph.call<{ items: { productSku: unknown; activeUnits: number; consumedUnits: number; availableUnits: number }[] }>(
        "GET",
        `/v1/customers/${CUSTOMER}/subscribedskus`,
      );
      expect(res.body.items.map((i) => [i.productSku, i.activeUnits, i.consumedUnits, i.availableUnits])).toEqual([
        [{ id: "3b555118-da6a-4418-894f-7df1e2096870", name: "Microsoft 365 Business Basic", skuPartNumber: "O365_BUSINESS_ESSENTIALS", targetType: "User" }, 5, 2, 3],
        [{ id: "05e9a617-0261-4cee-bb44-138d3ef5d965", name: "Microsoft 365 E3", skuPartNumber: "SPE_E3", targetType: "User" }, 10, 7, 3],
      ]);
    } finally {
      await graph.close();
    }
  });
});

describe("subscribedskus in process (the default: Graph SKU ids, as Partner Center)", () => {
  it("reports the Graph SKU id as productSku.id with Graph's part number, whichever way assignedLicenses is keyed", async () => {
    sim.load(state(NOW, [customer([subscription(FRESH)], { assignedLicenses: { "3B555118-DA6A-4418-894F-7DF1E2096870": 2 } })]));
    const res = await sim.call<{ items: { productSku: unknown; consumedUnits: number }[] }>("GET", `/v1/customers/${CUSTOMER}/subscribedskus`);
    expect(res.body.items.map((i) => [i.productSku, i.consumedUnits])).toEqual([
      [{ id: "3b555118-da6a-4418-894f-7df1e2096870", name: "Microsoft 365 Business Basic", skuPartNumber: "O365_BUSINESS_ESSENTIALS", targetType: "User" }, 2],
    ]);
  });
});
