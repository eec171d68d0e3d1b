import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Catalog, ObservedSubscription } from "../../provider/domain/types";
import { estAnnualCost, radar, type RadarEntry, usageReport } from "../../provider/insight";
import { readTenant } from "../../provider/cli/tenant";
import { builtInCatalogData } from "../../provider/simulator/catalog";
import { DEMO_CUSTOMERS, DEMO_SUBSCRIPTIONS, demoState } from "../../provider/simulator/demo";
import { desiredOf, NOW, Tenant } from "../plan/fixtures";

/** The renewal radar and the usage report: pure functions over a tenant's data, and what they read. */

const DAY = 86_400_000;
const catalog = builtInCatalogData();
const at = (iso: string): Date => new Date(iso);

function live(patch: Partial<ObservedSubscription>): ObservedSubscription {
  return {
    id: "11111111-1111-4111-8111-111111111111",
    customerId: DEMO_CUSTOMERS.rockit,
    offer: "CFQ7TTC0LH18:0001",
    catalogItemId: "CFQ7TTC0LH18:0001:SIMAV0000001",
    offerName: "Microsoft 365 Business Basic",
    friendlyName: "basic",
    quantity: 10,
    status: "active",
    autoRenew: true,
    term: "P1Y",
    billing: "annual",
    startDate: "2025-12-10T00:00:00.000Z",
    endDate: "2026-12-09T00:00:00.000Z",
    cancellationAllowedUntil: null,
    refundableLots: [],
    scheduledRenewal: null,
    isTrial: false,
    ...patch,
  };
}

function entriesFor(s: ObservedSubscription, usage: Record<string, number> | null = null, cat: Catalog = catalog, now = NOW): RadarEntry[] {
  const customers = [{ key: "rockit", name: "Rockit", tenantId: DEMO_CUSTOMERS.rockit, subscriptions: [s], usage }];
  return [...radar({ customers, catalog: cat, now: at(now), until: new Date(Date.parse(now) + 30 * DAY) }).entries];
}

describe("renewal radar (pure)", () => {
  it.each([
    ["a renewal with auto-renew on", live({}), "renewal", 720],
    // A trial converts to P1Y billed monthly (6.30 a month here), not to its trial term.
    ["a trial with auto-renew on", live({ isTrial: true, term: "P1M", billing: "monthly", endDate: "2026-12-10T00:00:00.000Z" }), "trial-conversion", 756],
    // Auto-renew off on a term ending after 2026-05-04: monthly price 7.20 + 3 %, 12 months, 10 seats.
    ["auto-renew off after 2026-05-04", live({ autoRenew: false }), "extended-service-term", 889.92],
  ] as const)("%s", (_, s, kind, money) => {
    const [entry] = entriesFor(s);
    expect(entry?.kind).toBe(kind);
    expect(entry?.money).toEqual({ currency: "EUR", annual: money });
    expect(entry?.date).toBe(new Date(Date.parse(s.endDate) + DAY).toISOString());
  });

  it("lists a trial that will not convert, or a term ending by 2026-05-04, as an expiry with the YAML that keeps it", () => {
    const [trial] = entriesFor(live({ isTrial: true, autoRenew: false, term: "P1M", billing: "monthly", endDate: "2026-12-10T00:00:00.000Z" }));
    const [before] = entriesFor(live({ autoRenew: false, endDate: "2026-05-03T00:00:00.000Z" }), null, catalog, "2026-04-20T00:00:00.000Z");
    for (const entry of [trial, before]) {
      expect([entry?.kind, entry?.hint, entry?.edits]).toEqual(["expiry", "set autoRenew: true to keep it", [{ path: "autoRenew", value: true }]]);
    }
  });

  it("prices an extended service term at +23 % of the annual term's monthly price when the offer has no monthly plan", () => {
    const noMonthly: Catalog = {
      currency: "EUR",
      offers: catalog.offers.map((o) => (o.offer === "CFQ7TTC0LH18:0001" ? { ...o, prices: { "P1Y/annual": 72 } } : o)),
    };
    expect(estAnnualCost(noMonthly, "CFQ7TTC0LH18:0001", 10)).toBeCloseTo(6 * 1.23 * 12 * 10, 6);
    expect(entriesFor(live({ autoRenew: false }), null, noMonthly)[0]?.money).toEqual({ currency: "EUR", annual: 885.6 });
  });

  it("lists each seat lot's window and the cancellation deadline, with the seats that can go", () => {
    const s = live({
      quantity: 10,
      cancellationAllowedUntil: "2026-11-25T00:00:00.000Z",
      refundableLots: [
        { quantity: 8, allowedUntil: "2026-11-25T00:00:00.000Z" },
        { quantity: 2, allowedUntil: "2026-11-29T12:00:00.000Z" },
        { quantity: 4, allowedUntil: "2026-11-20T00:00:00.000Z" },
      ],
      endDate: "2027-11-24T00:00:00.000Z",
    });
    // 7 of 10 seats assigned: 3 unused; the first lot (8 seats) could take all 3.
    const entries = entriesFor(s, { "CFQ7TTC0LH18:0001": 7 });
    expect(entries.map((e) => [e.date, e.kind, e.seats, e.money?.annual, e.edits])).toEqual([
      ["2026-11-25T00:00:00.000Z", "reduction-window", 8, 576, [{ path: "quantity", value: 7 }]],
      ["2026-11-25T00:00:00.000Z", "cancellation-deadline", 10, 720, [{ path: "status", value: "cancelled" }]],
      ["2026-11-29T12:00:00.000Z", "reduction-window", 2, 144, [{ path: "quantity", value: 8 }]],
    ]);
    expect(entries[0]?.hint).toBe("set quantity: 7 before 2026-11-25T00:00:00Z to remove 3 unused (216.00 EUR a year)");
  });

  it("says so when every seat is assigned, and does not guess without usage", () => {
    const s = live({ refundableLots: [{ quantity: 10, allowedUntil: "2026-11-25T00:00:00.000Z" }] });
    expect(entriesFor(s, { "CFQ7TTC0LH18:0001": 10 }).map((e) => [e.kind, e.hint])).toEqual([
      ["reduction-window", "no change: all 10 seats are assigned to users"],
      ["renewal", "no change: all 10 renewing seats are assigned to users"],
    ]);
    expect(entriesFor(s).map((e) => e.edits)).toEqual([[{ path: "quantity", value: 1 }], []]);
  });

  it("describes what renews, scheduled changes included, and proposes the assigned seats", () => {
    const s = live({ scheduledRenewal: { offer: "CFQ7TTC0LH18:0001", term: "P1Y", billing: "monthly", quantity: 8 } });
    const [entry] = entriesFor(s, { "CFQ7TTC0LH18:0001": 5 });
    expect(entry).toMatchObject({
      kind: "renewal",
      seats: 8,
      what: "renews 8 seats P1Y/monthly (604.80 EUR a year); scheduled change from 10 seats P1Y/annual",
      hint: "set renewal.quantity: 5 to renew only the 5 assigned seats, 226.80 EUR a year less; or autoRenew: false to end it at term end",
      edits: [{ path: "renewal.quantity", value: 5 }],
      money: { currency: "EUR", annual: 604.8 },
      drift: null,
    });
  });

  it("leaves out what falls outside the window and what is not active", () => {
    expect(entriesFor(live({ endDate: "2026-12-23T10:00:00.001Z" }))).toEqual([]);
    expect(entriesFor(live({ status: "suspended" }))).toEqual([]);
    expect(entriesFor(live({ refundableLots: [{ quantity: 1, allowedUntil: "2026-11-23T09:59:59.000Z" }], endDate: "2027-06-01T00:00:00.000Z" }))).toEqual([]);
  });
});

describe("renewal radar and usage on the demo tenant", () => {
  let tenant: Tenant;
  beforeEach(async () => {
    tenant = await Tenant.of(demoState(Date.parse(NOW)));
    tenant.backend.service.clearRequests();
  });
  afterEach(() => tenant.close());

  it("reads each customer's subscriptions once and its usage once, whatever it reports", async () => {
    const read = await readTenant(tenant.backend, { usage: true });
    radar({ customers: read.customers, catalog: read.catalog, now: at(NOW), until: at("2026-12-23T10:00:00Z") });
    usageReport(read.customers, read.catalog);
    const log = tenant.backend.requests().map((r) => `${r.method} ${r.path}`).sort();
    const rockit = `/v1/customers/${DEMO_CUSTOMERS.rockit}`;
    const northwind = `/v1/customers/${DEMO_CUSTOMERS.northwind}`;
    expect(log.filter((l) => !l.startsWith("GET /v1/products"))).toEqual([
      "GET /v1/customers",
      `GET ${northwind}/subscribedskus`,
      `GET ${northwind}/subscriptions`,
      `GET ${rockit}/subscribedskus`,
      `GET ${rockit}/subscriptions`,
    ]);
  });

  it("flags where the tenant renews differently from the YAML, by YAML key", async () => {
    const desired = desiredOf(`version: 1
customers:
  rockit:
    tenantId: ${DEMO_CUSTOMERS.rockit}
    subscriptions:
      apps:
        id: ${DEMO_SUBSCRIPTIONS.appsForBusiness}
        offer: CFQ7TTC0LH1G:0001
        term: P1Y
        billing: annual
        quantity: 3
        renewal:
          quantity: 2
      teams-essentials:
        offer: CFQ7TTC0JN4R:0002
        term: P1M
        billing: monthly
        quantity: 4
        autoRenew: false
`);
    const read = await readTenant(tenant.backend, { desired, usage: false });
    const entries = radar({ customers: read.customers, catalog: read.catalog, now: at(NOW), until: at("2026-12-23T10:00:00Z") }).entries;
    const drift = Object.fromEntries(entries.filter((e) => e.kind === "renewal").map((e) => [e.subscription, e.drift]));
    expect(drift).toEqual({
      apps: "the tenant renews 3 seats, the YAML says 2 seats: apply the YAML (seatplan plan, then apply) before 2026-12-13",
      "teams-essentials": "the tenant renews it, the YAML says it should not renew: apply the YAML (seatplan plan, then apply) before 2026-12-11",
    });
    expect(entries.find((e) => e.subscription === "apps")?.managed).toBe(true);
    // Not in this YAML: named by its friendly name, never flagged.
    expect(entries.find((e) => e.subscription === "premium-trial")).toMatchObject({ managed: false, drift: null });
  });

  it("puts the unused seats of an offer on the subscription that renews first", async () => {
    const read = await readTenant(tenant.backend, { usage: true });
    const report = usageReport(read.customers, read.catalog);
    const rockit = report.customers.find((c) => c.customer === "rockit");
    expect(rockit?.subscriptions.map((r) => [r.subscription, r.purchased, r.assigned, r.unused, r.unusedAnnualCost])).toEqual([
      ["apps-for-business", 3, 2, 1, 105.6],
      ["business-basic", 5, 3, 2, 151.2],
      ["premium-trial", 25, 0, 25, 0],
      ["teams-essentials", 4, 2, 2, 115.2],
    ]);
    expect(rockit?.totals).toEqual({ purchased: 37, assigned: 7, unused: 30, unusedAnnualCost: 372 });
    expect(report.totals).toEqual({ purchased: 57, assigned: 22, unused: 35, unusedAnnualCost: 975.12 });
  });
});
