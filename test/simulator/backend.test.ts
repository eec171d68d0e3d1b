import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openSimulatorBackend, type SimulatorBackend } from "../../provider/config/backends";
import { isBackendError } from "../../provider/domain/errors";
import { DEMO_CUSTOMERS, DEMO_SUBSCRIPTIONS } from "../../provider/simulator/demo";
import { startSimulatorServer, type SimulatorServer } from "../../provider/simulator/server";
import { counterIds, customer, state, tempDir, writeState } from "./helpers";

/**
 * The embedded backend (the default): the same state machine in process, on the demo tenant,
 * sharing its state file with an HTTP server.
 */

const CLOCK = Date.parse("2026-11-23T10:00:00Z");
const { rockit, northwind } = DEMO_CUSTOMERS;

let statePath: string;
let backend: SimulatorBackend;
let server: SimulatorServer;

beforeAll(async () => {
  statePath = join(tempDir(), "simulator.json");
  backend = await openSimulatorBackend({ statePath, realNow: () => CLOCK, newId: counterIds(), client: { sleep: () => Promise.resolve() } });
  server = await startSimulatorServer({ statePath, rateLimitPerMinute: 0 });
});
afterAll(async () => {
  await server.close();
  await backend.close();
});

async function caught(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (e) {
    return e;
  }
  throw new Error("expected a rejection");
}

describe("the embedded backend", () => {
  it("declares itself and every capability, on the simulator's clock", async () => {
    expect(backend.name).toBe("simulator");
    expect(backend.capabilities).toEqual({ licenceUsage: true, cancelAtTermEnd: true, customTermEndDates: true, transitions: true });
    expect(await backend.now()).toBe("2026-11-23T10:00:00.000Z");
  });

  it("lists the demo customers and a customer's subscriptions in one call", async () => {
    expect(await backend.listCustomers()).toEqual([
      { id: rockit, companyName: "Rockit", domain: "rockit.onmicrosoft.com" },
      { id: northwind, companyName: "Northwind Traders", domain: "northwindtraders.onmicrosoft.com" },
    ]);
    const before = backend.requests().length;
    const subs = await backend.listSubscriptions(rockit);
    expect(subs.map((s) => s.friendlyName)).toEqual(["apps-for-business", "business-basic", "teams-essentials", "premium-trial"]);
    expect(backend.requests().slice(before).map((r) => `${r.method} ${r.path}`)).toEqual([`GET /v1/customers/${rockit}/subscriptions`]);
  });

  it("shares one state with the HTTP facade, both ways", async () => {
    await backend.rename(northwind, DEMO_SUBSCRIPTIONS.unmanagedE1, "renamed-by-backend");
    const seen = await fetch(`${server.url}/v1/customers/${northwind}/subscriptions/${DEMO_SUBSCRIPTIONS.unmanagedE1}`);
    const body = (await seen.json()) as Record<string, unknown>;
    expect(body["friendlyName"]).toBe("renamed-by-backend");
    await fetch(`${server.url}/v1/customers/${northwind}/subscriptions/${DEMO_SUBSCRIPTIONS.unmanagedE1}`, {
      method: "PATCH",
      body: JSON.stringify({ ...body, friendlyName: "unmanaged-e1" }),
    });
    expect((await backend.getSubscription(northwind, DEMO_SUBSCRIPTIONS.unmanagedE1)).friendlyName).toBe("unmanaged-e1");
  });

  it("a refused change is a BackendError with the status, code, request id and what to do", async () => {
    const error = await caught(backend.setQuantity(rockit, DEMO_SUBSCRIPTIONS.appsForBusiness, 1, { requestId: "req-1" }));
    expect(isBackendError(error)).toBe(true);
    expect(error).toMatchObject({ status: 400, code: "800090", requestId: "req-1" });
    // The simulator's reason, then what to do, then the call.
    expect((error as Error).message).toBe(
      "simulator: 400 800090 Subscription quantity cannot be decreased: removing 2 seats from 3, but only 0 are within the cancellation window now; " +
        "schedule the lower quantity for the renewal on 2026-12-13 (scheduledNextTermInstructions.quantity) instead; " +
        "the reduction window of these seats has closed (seats can be removed only within 7 days of being added); schedule the lower quantity for renewal instead (renewal.quantity) " +
        `(PATCH /v1/customers/${rockit}/subscriptions/${DEMO_SUBSCRIPTIONS.appsForBusiness}, MS-RequestId req-1)`,
    );
  });

  it("schedules and clears the renewal, cancels at term end explicitly, and auto-renew on drops that cancellation", async () => {
    const id = DEMO_SUBSCRIPTIONS.appsForBusiness;
    const scheduled = await backend.scheduleRenewal(rockit, id, { offer: "CFQ7TTC0LH1G:0001", term: "P1Y", billing: "annual", quantity: 1 });
    expect(scheduled.scheduledRenewal).toEqual({ offer: "CFQ7TTC0LH1G:0001", term: "P1Y", billing: "annual", quantity: 1 });
    expect((await backend.clearRenewal(rockit, id)).scheduledRenewal).toBeNull();
    const ending = await backend.cancelAtTermEnd(northwind, DEMO_SUBSCRIPTIONS.businessStandard);
    expect(ending).toMatchObject({ autoRenew: false, endsAtTermEnd: true });
    const renewing = await backend.setAutoRenew(northwind, DEMO_SUBSCRIPTIONS.businessStandard, true);
    expect(renewing.autoRenew).toBe(true);
    expect(renewing.endsAtTermEnd).toBeUndefined();
  });

  it("reduces and cancels inside the window; a trial cannot be cancelled", async () => {
    const reduced = await backend.setQuantity(northwind, DEMO_SUBSCRIPTIONS.businessStandard, 6);
    expect(reduced).toMatchObject({ quantity: 6 });
    const bought = await backend.purchase(northwind, { offer: "CFQ7TTC0LFLS:0002", quantity: 2, term: "P1Y", billing: "annual", friendlyName: "to-cancel", idempotencyKey: "buy-to-cancel" });
    expect((await backend.cancel(northwind, bought.id)).status).toBe("deleted");
    // A trial's status cannot change: it lapses with auto-renew off, or converts.
    expect(await caught(backend.cancel(rockit, DEMO_SUBSCRIPTIONS.premiumTrial))).toMatchObject({ status: 400, code: "800107" });
  });

  it("buys once per idempotency key", async () => {
    const request = { offer: "CFQ7TTC0LFLS:0002", quantity: 3, term: "P1Y" as const, billing: "annual" as const, friendlyName: "entra-p1", idempotencyKey: "buy-entra-1" };
    const first = await backend.purchase(rockit, request);
    const again = await backend.purchase(rockit, request);
    expect(again.id).toBe(first.id);
    expect(first).toMatchObject({ offer: "CFQ7TTC0LFLS:0002", catalogItemId: "CFQ7TTC0LFLS:0002:SIMAV0000016", quantity: 3, friendlyName: "entra-p1", status: "active" });
    expect((await backend.listSubscriptions(rockit)).filter((s) => s.friendlyName === "entra-p1")).toHaveLength(1);
  });

  it("refuses an offer the catalog does not have", async () => {
    const error = await caught(
      backend.purchase(rockit, { offer: "NOPE:0001", quantity: 1, term: "P1Y", billing: "annual", friendlyName: "x", idempotencyKey: "buy-nope" }),
    );
    // The client looks the offer's availabilities up before it builds a cart: nothing is bought.
    expect(error).toMatchObject({ status: 404 });
    expect((error as Error).message).toMatch(/^simulator: 404 .*NOPE/);
    expect((await backend.listSubscriptions(rockit)).filter((s) => s.friendlyName === "x")).toEqual([]);
  });

  it("upgrades with a transition, eligibilities first", async () => {
    expect(await backend.getTransitionEligibilities(northwind, DEMO_SUBSCRIPTIONS.exchangePlan1)).toEqual([
      { offer: "CFQ7TTC0LH1P:0001", isEligible: true, errors: [], into: [] },
    ]);
    const { source, target } = await backend.transition(northwind, DEMO_SUBSCRIPTIONS.exchangePlan1, { to: "CFQ7TTC0LH1P:0001", quantity: 10 });
    expect(source.quantity).toBe(0);
    expect(target).toMatchObject({ offer: "CFQ7TTC0LH1P:0001", quantity: 10, endDate: source.endDate });
  });

  it("custom term end dates, licence usage and the catalog", async () => {
    const dates = await backend.getCustomTermEndDates(rockit, { term: "P1M" });
    expect(dates[0]).toEqual({ kind: "calendar-month", date: "2026-11-30T00:00:00.000Z", cotermSubscriptionIds: [] });
    // Every offer with seats or assignments; the transition above moved no assignments.
    expect(await backend.getLicenceUsage(northwind)).toEqual({ "CFQ7TTC0LDPB:0001": 6, "CFQ7TTC0LF8Q:0001": 0, "CFQ7TTC0LH16:0001": 9, "CFQ7TTC0LH1P:0001": 0 });
    const catalog = await backend.getCatalog();
    expect(catalog.currency).toBe("EUR");
    expect(catalog.offers.find((o) => o.offer === "CFQ7TTC0LH18:0001")).toMatchObject({
      minQuantity: 1,
      maxQuantity: 300,
      terms: [
        { term: "P1M", billing: "monthly" },
        { term: "P1Y", billing: "monthly" },
        { term: "P1Y", billing: "annual" },
      ],
      upgradesTo: ["CFQ7TTC0LDPB:0001", "CFQ7TTC0LCHC:0002"],
    });
  });

  it("an afterCommit fault: the client retries with the same request id, and the change is made once", async () => {
    await server.service.addFault({ method: "PATCH", path: DEMO_SUBSCRIPTIONS.businessBasic, status: 504, afterCommit: true });
    const before = backend.requests().length;
    const retried = await backend.setQuantity(rockit, DEMO_SUBSCRIPTIONS.businessBasic, 8, { requestId: "req-add-3" });
    const patches = backend.requests().slice(before).filter((r) => r.method === "PATCH");
    expect(patches.map((r) => [r.status, r.msRequestId])).toEqual([
      [504, "req-add-3"],
      [200, "req-add-3"],
    ]);
    expect(retried.quantity).toBe(8);
    expect(retried.refundableLots.map((l) => l.quantity)).toEqual([5, 3]);
  });
});

describe("the embedded backend on a large tenant", () => {
  it("pages through more than 100 customers", async () => {
    const path = join(tempDir(), "many.json");
    writeState(path, state("2026-06-01T00:00:00Z", Array.from({ length: 150 }, (_, i) => ({ ...customer([]), id: `c-${String(i).padStart(3, "0")}` }))));
    const many = await openSimulatorBackend({ statePath: path, createIfMissing: false, client: { pageSize: 100 } });
    const customers = await many.listCustomers();
    expect(customers.map((c) => c.id)).toEqual(Array.from({ length: 150 }, (_, i) => `c-${String(i).padStart(3, "0")}`));
    expect(many.requests().map((r) => r.path)).toEqual(["/v1/customers", "/v1/customers"]);
  });
});
