import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  customer,
  fault,
  OFFERS,
  patch,
  startTestSimulator,
  state,
  subPath,
  subscription,
  type SubscriptionFixture,
  type TestSimulator,
  wireCode,
} from "./helpers";

/**
 * Seat batches with their own windows, schedules wiped by immediate changes, renewals, expiry
 * and trials — driven over HTTP with the `/_sim/clock` admin route.
 */

/** Bought 2026-01-10 (P1Y, 10 seats), long out of its window by June. */
const OLD: SubscriptionFixture = { start: "2026-01-10T10:00:00Z", end: "2027-01-09T00:00:00Z", quantity: 10 };
const SCHEDULE = {
  product: { productId: "CFQ7TTC0LDPB", skuId: "0001", availabilityId: "SIMAV0000002", billingCycle: "annual", termDuration: "P1Y" },
  quantity: 6,
};

let sim: TestSimulator;
beforeAll(async () => {
  sim = await startTestSimulator(null);
});
afterAll(async () => {
  await sim.close();
});

const setClock = (body: Record<string, string>) => sim.call<{ now: string }>("POST", "/_sim/clock", body);
const get = async () => (await sim.call("GET", subPath())).body;

describe("each batch of seats has its own window", () => {
  it.each`
    removeAfterDays | remove | status | code
    ${3}            | ${2}   | ${200} | ${null}
    ${3}            | ${3}   | ${400} | ${"800090"}
    ${7}            | ${2}   | ${200} | ${null}
    ${8}            | ${1}   | ${400} | ${"800090"}
  `("2 seats added to an old subscription: removing $remove after $removeAfterDays days answers $status", async ({ removeAfterDays, remove, status, code }) => {
    sim.load(state("2026-06-01T12:00:00Z", [customer([subscription(OLD)])]));
    expect((await patch(sim, { quantity: 12 })).status).toBe(200);
    expect((await get())["refundableQuantity"]).toEqual({ totalQuantity: 2, details: [{ quantity: 2, allowedUntilDateTime: "2026-06-08T12:00:00Z" }] });

    await setClock({ advance: `P${removeAfterDays}D` });
    const res = await patch(sim, { quantity: 12 - remove });
    expect(res.status).toBe(status);
    if (code) expect(res.body["code"]).toBe(wireCode(code));
    else expect(res.body["refundableQuantity"]).toEqual({ totalQuantity: 0, details: [] });
  });

  it("removes the seats of the batch closing soonest first", async () => {
    sim.load(
      state("2026-06-02T00:00:00Z", [
        customer([
          subscription({
            ...OLD,
            quantity: 15,
            seatLots: [
              { quantity: 10, allowedUntilDateTime: "2026-01-17T10:00:00Z" },
              { quantity: 3, allowedUntilDateTime: "2026-06-08T00:00:00Z" },
              { quantity: 2, allowedUntilDateTime: "2026-06-05T00:00:00Z" },
            ],
          }),
        ]),
      ]),
    );
    const res = await patch(sim, { quantity: 12 });
    expect(res.status).toBe(200);
    expect(res.body["refundableQuantity"]).toEqual({ totalQuantity: 2, details: [{ quantity: 2, allowedUntilDateTime: "2026-06-08T00:00:00Z" }] });
  });

  it("reads the batches of a hand-written refundableQuantity", async () => {
    const { seatLots: _lots, ...bare } = subscription({ ...OLD, quantity: 12 });
    sim.load(state("2026-06-02T00:00:00Z", [customer([{ ...bare, refundableQuantity: { totalQuantity: 2, details: [{ quantity: 2, allowedUntilDateTime: "2026-06-05T00:00:00Z" }] } }])]));
    expect((await patch(sim, { quantity: 9 })).body["code"]).toBe(800090);
    expect((await patch(sim, { quantity: 10 })).status).toBe(200);
  });
});

describe("an immediate change deletes the scheduled renewal change", () => {
  it.each`
    change                           | wiped
    ${{ quantity: 11 }}              | ${true}
    ${{ autoRenewEnabled: false }}   | ${true}
    ${{ friendlyName: "renamed" }}   | ${false}
  `("$change wipes the schedule: $wiped", async ({ change, wiped }) => {
    sim.load(state("2026-06-01T00:00:00Z", [customer([subscription({ ...OLD, scheduledNextTermInstructions: SCHEDULE })])]));
    const res = await patch(sim, change);
    expect(res.status).toBe(200);
    expect(res.body["scheduledNextTermInstructions"]).toEqual(wiped ? null : SCHEDULE);
  });

  it("a transition of the subscription wipes it too", async () => {
    sim.load(state("2026-06-01T00:00:00Z", [customer([subscription({ ...OLD, scheduledNextTermInstructions: SCHEDULE })])]));
    const res = await sim.call("POST", `${subPath()}/transitions`, { toCatalogItemId: OFFERS.standard, quantity: 4, transitionType: "transition_only" });
    expect(res.status).toBe(200);
    expect((await get())["scheduledNextTermInstructions"]).toBeNull();
  });

  it("can be re-applied after the change", async () => {
    sim.load(state("2026-06-01T00:00:00Z", [customer([subscription({ ...OLD, scheduledNextTermInstructions: SCHEDULE })])]));
    await patch(sim, { quantity: 11 });
    const res = await patch(sim, { scheduledNextTermInstructions: SCHEDULE });
    expect(res.body["scheduledNextTermInstructions"]).toEqual(SCHEDULE);
  });
});

describe("renewal at term end + 1 day, 00:00 UTC", () => {
  it.each`
    clock                         | renewed
    ${"2027-01-09T23:59:59.999Z"} | ${false}
    ${"2027-01-10T00:00:00.000Z"} | ${true}
  `("at $clock the term has renewed: $renewed", async ({ clock, renewed }) => {
    sim.load(state("2026-06-01T00:00:00Z", [customer([subscription(OLD)])]));
    expect((await setClock({ now: clock })).body).toEqual({ now: clock });
    expect((await get())["effectiveStartDate"]).toBe(renewed ? "2027-01-10T00:00:00Z" : "2026-01-10T10:00:00Z");
  });

  it("applies the scheduled instructions and opens a new window", async () => {
    sim.load(state("2026-06-01T00:00:00Z", [customer([subscription({ ...OLD, scheduledNextTermInstructions: SCHEDULE })])]));
    await setClock({ now: "2027-01-12T08:00:00Z" });
    expect(await get()).toMatchObject({
      offerId: OFFERS.standard,
      offerName: "Microsoft 365 Business Standard",
      quantity: 6,
      termDuration: "P1Y",
      billingCycle: "annual",
      status: "active",
      effectiveStartDate: "2027-01-10T00:00:00Z",
      commitmentEndDate: "2028-01-09T00:00:00Z",
      cancellationAllowedUntilDate: "2027-01-17T00:00:00Z",
      refundableQuantity: { totalQuantity: 6, details: [{ quantity: 6, allowedUntilDateTime: "2027-01-17T00:00:00Z" }] },
      scheduledNextTermInstructions: null,
    });
    expect((await patch(sim, { quantity: 2 })).status).toBe(200);
  });

  it("renews once per elapsed term when the clock jumps years", async () => {
    sim.load(state("2026-06-01T00:00:00Z", [customer([subscription(OLD)])]));
    await setClock({ advance: "P3Y" });
    expect(await get()).toMatchObject({ effectiveStartDate: "2029-01-10T00:00:00Z", commitmentEndDate: "2030-01-09T00:00:00Z", quantity: 10 });
  });

  it("renews on read when the state file's clock is already past the term end", async () => {
    sim.load(state("2027-01-10T00:00:00Z", [customer([subscription(OLD)])]));
    expect((await get())["effectiveStartDate"]).toBe("2027-01-10T00:00:00Z");
  });

  it.each`
    now                      | renewed
    ${"2027-01-09T23:00:00"} | ${false}
    ${"2027-01-10T00:00:00"} | ${true}
  `("a hand-written file's dates without a zone are UTC, whatever the local time zone (now $now: renewed $renewed)", async ({ now, renewed }) => {
    const zone = process.env["TZ"];
    process.env["TZ"] = "Asia/Tokyo";
    try {
      const zoneless = { ...subscription(OLD), effectiveStartDate: "2026-01-10T10:00:00", commitmentEndDate: "2027-01-09T00:00:00" };
      sim.load(state(now, [customer([zoneless])]));
      expect((await get())["effectiveStartDate"]).toBe(renewed ? "2027-01-10T00:00:00Z" : "2026-01-10T10:00:00");
    } finally {
      if (zone === undefined) delete process.env["TZ"];
      else process.env["TZ"] = zone;
    }
  });

  it("a custom term end date in the schedule ends the new term there", async () => {
    const schedule = { ...SCHEDULE, customTermEndDate: "2027-12-31T00:00:00Z" };
    sim.load(state("2026-06-01T00:00:00Z", [customer([subscription({ ...OLD, scheduledNextTermInstructions: schedule })])]));
    await setClock({ now: "2027-01-10T00:00:00Z" });
    expect((await get())["commitmentEndDate"]).toBe("2027-12-31T00:00:00Z");
  });

  it("with auto-renew off alone, an eligible subscription moves into the extended service term, billed monthly until cancelled", async () => {
    sim.load(state("2026-06-01T00:00:00Z", [customer([subscription({ ...OLD, autoRenewEnabled: false })])]));
    await setClock({ now: "2027-01-10T00:00:00Z" });
    expect(await get()).toMatchObject({
      status: "active",
      extendedServiceTerm: true,
      quantity: 10,
      termDuration: "P1M",
      billingCycle: "monthly",
      effectiveStartDate: "2027-01-10T00:00:00Z",
      commitmentEndDate: "2027-02-09T00:00:00Z",
      refundableQuantity: { totalQuantity: 0, details: [] },
    });
    // Month to month: still in EST a month later; cancellable any time, no 7-day window.
    await setClock({ now: "2027-02-25T00:00:00Z" });
    expect(await get()).toMatchObject({ status: "active", extendedServiceTerm: true, commitmentEndDate: "2027-03-09T00:00:00Z" });
    expect((await patch(sim, { quantity: 9 })).body).toMatchObject({ code: "ExtendedServiceTerm" });
    expect((await patch(sim, { status: "deleted" })).body).toMatchObject({ status: "deleted" });
  });

  it.each`
    end                       | start                     | status
    ${"2026-05-03T00:00:00Z"} | ${"2025-05-04T00:00:00Z"} | ${"expired"}
    ${"2026-05-04T00:00:00Z"} | ${"2025-05-05T00:00:00Z"} | ${"active"}
    ${"2028-03-30T00:00:00Z"} | ${"2025-03-31T00:00:00Z"} | ${"expired"}
    ${"2028-03-31T00:00:00Z"} | ${"2025-04-01T00:00:00Z"} | ${"active"}
  `("auto-renew off on a term $start – $end: $status at its end (EST from terms ending on 2026-05-04, bought from 2025-04-01)", async ({ end, start, status }) => {
    const term = Date.parse(end) - Date.parse(start) > 400 * 86_400_000 ? "P3Y" : "P1Y";
    sim.load(state("2025-06-01T00:00:00Z", [customer([subscription({ start, end, quantity: 10, term, billing: "monthly", autoRenewEnabled: false })])]));
    await setClock({ now: new Date(Date.parse(end) + 2 * 86_400_000).toISOString() });
    expect(await get()).toMatchObject({ status });
  });

  it("with an explicit cancellation at term end, the subscription expires and can no longer change", async () => {
    sim.load(state("2026-06-01T00:00:00Z", [customer([subscription({ ...OLD, autoRenewEnabled: false })])]));
    const ended = await patch(sim, { scheduledActions: [{ scheduleType: "TermEnd", actionType: "Cancel" }] });
    expect(ended.body).toMatchObject({ scheduledActions: [{ scheduleType: "TermEnd", actionType: "Cancel" }] });
    await setClock({ now: "2027-01-10T00:00:00Z" });
    expect(await get()).toMatchObject({ status: "expired", quantity: 10, commitmentEndDate: "2027-01-09T00:00:00Z" });
    const res = await patch(sim, { autoRenewEnabled: true });
    expect(res.body).toEqual(fault("SubscriptionNotActive", "Subscription 22222222-2222-4222-8222-222222222222 is expired and can no longer be changed; buy a new subscription instead"));
  });
});

describe("trials", () => {
  const TRIAL: SubscriptionFixture = {
    offerId: OFFERS.premium,
    start: "2026-06-01T00:00:00Z",
    end: "2026-06-30T00:00:00Z",
    term: "P1M",
    billing: "monthly",
    quantity: 25,
    isTrial: true,
  };

  it.each`
    autoRenew | status       | isTrial
    ${true}   | ${"active"}  | ${false}
    ${false}  | ${"expired"} | ${true}
  `("at term end with auto-renew $autoRenew the trial is $status (isTrial $isTrial)", async ({ autoRenew, status, isTrial }) => {
    sim.load(state("2026-06-05T00:00:00Z", [customer([subscription({ ...TRIAL, autoRenewEnabled: autoRenew })])]));
    await setClock({ now: "2026-07-01T00:00:00Z" });
    expect(await get()).toMatchObject({ status, isTrial });
  });
});
