import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  customer,
  fault,
  OFFERS,
  OTHER_SUB,
  startTestSimulator,
  state,
  SUB,
  subPath,
  subscription,
  type SubscriptionFixture,
  type TestSimulator,
  wireCode,
} from "./helpers";

/**
 * Upgrades (`transitionEligibilities` + `transitions`) over HTTP: only to the catalog's
 * `upgradesTo` of the same segment, into an existing subscription only of the target offer
 * ending no earlier than the source; the seats move with their end date and window.
 */

const NOW = "2026-06-01T00:00:00Z";
/** Exchange Online (Plan 1), 10 seats, bought 2026-01-10 (window long closed). */
const SOURCE: SubscriptionFixture = { offerId: OFFERS.exchange1, start: "2026-01-10T10:00:00Z", end: "2027-01-09T00:00:00Z", quantity: 10 };
const target = (end: string): SubscriptionFixture => ({
  id: OTHER_SUB,
  offerId: OFFERS.exchange2,
  friendlyName: "plan-2",
  start: "2026-03-01T00:00:00Z",
  end,
  quantity: 3,
});

let sim: TestSimulator;
beforeAll(async () => {
  sim = await startTestSimulator(null);
});
afterAll(async () => {
  await sim.close();
});

const transition = (body: Record<string, unknown>) => sim.call("POST", `${subPath()}/transitions`, { transitionType: "transition_only", ...body });
const get = async (id: string) => (await sim.call("GET", subPath(id))).body;

describe("transition eligibilities", () => {
  it("lists the upgrade targets of the same segment with the subscriptions they may merge into", async () => {
    sim.load(
      state(NOW, [
        customer([
          subscription(SOURCE),
          subscription(target("2027-02-28T00:00:00Z")),
          subscription({ ...target("2026-12-31T00:00:00Z"), id: "44444444-4444-4444-8444-444444444444" }),
          subscription({ ...target("2027-02-28T00:00:00Z"), id: "55555555-5555-4555-8555-555555555555", status: "expired" }),
          subscription({ ...target("2027-02-28T00:00:00Z"), id: "66666666-6666-4666-8666-666666666666", term: "P1M" }),
        ]),
      ]),
    );
    const res = await sim.call<{ items: unknown[] }>("GET", `${subPath()}/transitionEligibilities?eligibilityType=immediate`);
    expect(res.body.items).toEqual([
      {
        catalogItemId: OFFERS.exchange2,
        title: "Exchange Online (Plan 2)",
        description: "Exchange Online (Plan 2)",
        quantity: 10,
        eligibilities: [
          { isEligible: true, transitionType: "transition_only", errors: [] },
          { isEligible: true, transitionType: "transition_with_license_transfer", errors: [] },
        ],
        subscriptionEligibilities: [
          { isEligible: true, subscriptionId: OTHER_SUB, subscriptionFriendlyName: "plan-2", subscriptionTermDuration: "P1Y", subscriptionBillingCycle: "monthly", errors: [] },
          {
            isEligible: false,
            subscriptionId: "44444444-4444-4444-8444-444444444444",
            subscriptionFriendlyName: "plan-2",
            subscriptionTermDuration: "P1Y",
            subscriptionBillingCycle: "monthly",
            errors: [{ code: 4, description: "Subscription 44444444-4444-4444-8444-444444444444 ends on 2026-12-31, before the source's end date 2027-01-09" }],
          },
          {
            isEligible: false,
            subscriptionId: "55555555-5555-4555-8555-555555555555",
            subscriptionFriendlyName: "plan-2",
            subscriptionTermDuration: "P1Y",
            subscriptionBillingCycle: "monthly",
            errors: [{ code: 1, description: "Subscription 55555555-5555-4555-8555-555555555555 is expired, not active" }],
          },
          {
            isEligible: false,
            subscriptionId: "66666666-6666-4666-8666-666666666666",
            subscriptionFriendlyName: "plan-2",
            subscriptionTermDuration: "P1M",
            subscriptionBillingCycle: "monthly",
            errors: [{ code: 3, description: "Subscription 66666666-6666-4666-8666-666666666666's term duration P1M is shorter than the source's P1Y" }],
          },
        ],
        attributes: { objectType: "TransitionEligibility" },
      },
    ]);
  });

  it("at renewal (scheduled) also lists the subscription's own offer", async () => {
    sim.load(state(NOW, [customer([subscription(SOURCE)])]));
    const res = await sim.call<{ items: { catalogItemId: string }[] }>("GET", `${subPath()}/transitionEligibilities?eligibilityType=scheduled`);
    expect(res.body.items.map((i) => i.catalogItemId)).toEqual([OFFERS.exchange1, OFFERS.exchange2]);
  });

  it("an offer without upgrade paths has none", async () => {
    sim.load(state(NOW, [customer([subscription({ ...SOURCE, offerId: OFFERS.exchange2 })])]));
    const res = await sim.call<{ items: unknown[] }>("GET", `${subPath()}/transitionEligibilities`);
    expect(res.body.items).toEqual([]);
  });
});

describe("transitions", () => {
  it("a full transition leaves the source at 0 seats; the new target carries the seats, end date and window", async () => {
    sim.load(state(NOW, [customer([subscription({ ...SOURCE, seatLots: [{ quantity: 8, allowedUntilDateTime: "2026-01-17T10:00:00Z" }, { quantity: 2, allowedUntilDateTime: "2026-06-05T00:00:00Z" }] })])]));
    const res = await transition({ toCatalogItemId: OFFERS.exchange2, quantity: 10 });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      fromSubscriptionId: SUB,
      fromCatalogItemId: OFFERS.exchange1,
      toCatalogItemId: OFFERS.exchange2,
      toSubscriptionId: expect.stringMatching(/^00000000-0000-4000-8000-/),
      quantity: 10,
      status: "completed",
      events: [{ name: "Conversion", status: "Completed", timestamp: NOW }],
    });
    expect(await get(SUB)).toMatchObject({ quantity: 0, status: "active", refundableQuantity: { totalQuantity: 0, details: [] } });
    expect(await get(res.body["toSubscriptionId"] as string)).toMatchObject({
      offerId: OFFERS.exchange2,
      quantity: 10,
      termDuration: "P1Y",
      billingCycle: "monthly",
      effectiveStartDate: NOW,
      commitmentEndDate: "2027-01-09T00:00:00Z",
      cancellationAllowedUntilDate: "2026-01-17T10:00:00Z",
      refundableQuantity: { totalQuantity: 2, details: [{ quantity: 2, allowedUntilDateTime: "2026-06-05T00:00:00Z" }] },
    });
    const history = await sim.call<{ items: unknown[] }>("GET", `${subPath()}/transitions`);
    expect(history.body.items).toHaveLength(1);
  });

  it("a partial transition leaves the remainder on the source", async () => {
    sim.load(state(NOW, [customer([subscription(SOURCE)])]));
    const res = await transition({ toCatalogItemId: OFFERS.exchange2, quantity: 4 });
    expect(res.status).toBe(200);
    expect((await get(SUB))["quantity"]).toBe(6);
    expect((await get(res.body["toSubscriptionId"] as string))["quantity"]).toBe(4);
  });

  it("the source at 0 seats expires at its term end instead of renewing", async () => {
    sim.load(state(NOW, [customer([subscription(SOURCE)])]));
    const res = await transition({ toCatalogItemId: OFFERS.exchange2, quantity: 10 });
    await sim.call("POST", "/_sim/clock", { now: "2027-01-10T00:00:00Z" });
    expect((await get(SUB))["status"]).toBe("expired");
    expect(await get(res.body["toSubscriptionId"] as string)).toMatchObject({ status: "active", effectiveStartDate: "2027-01-10T00:00:00Z" });
  });

  it.each`
    targetEnd                 | status | code
    ${"2027-01-09T00:00:00Z"} | ${200} | ${null}
    ${"2027-06-30T00:00:00Z"} | ${200} | ${null}
    ${"2027-01-08T00:00:00Z"} | ${400} | ${"TargetSubscriptionNotEligible"}
  `("into an existing target ending $targetEnd answers $status $code", async ({ targetEnd, status, code }) => {
    sim.load(state(NOW, [customer([subscription(SOURCE), subscription(target(targetEnd))])]));
    const res = await transition({ toCatalogItemId: OFFERS.exchange2, quantity: 10, toSubscriptionId: OTHER_SUB });
    expect(res.status).toBe(status);
    if (code) {
      expect(res.body).toEqual(fault(code, "Cannot transition into subscription 33333333-3333-4333-8333-333333333333: Subscription 33333333-3333-4333-8333-333333333333 ends on 2027-01-08, before the source's end date 2027-01-09; transition into a new subscription instead (omit toSubscriptionId)"));
      expect((await get(SUB))["quantity"]).toBe(10);
    } else {
      expect(await get(OTHER_SUB)).toMatchObject({ quantity: 13, commitmentEndDate: targetEnd });
      expect((await get(SUB))["quantity"]).toBe(0);
    }
  });

  it.each`
    case                                  | body                                                                     | code
    ${"a downgrade"}                      | ${{ toCatalogItemId: OFFERS.basic, quantity: 1 }}                        | ${"TransitionNotEligible"}
    ${"another segment (education)"}      | ${{ toCatalogItemId: OFFERS.a3, quantity: 1 }}                           | ${"TransitionNotEligible"}
    ${"more seats than the source has"}   | ${{ toCatalogItemId: OFFERS.exchange2, quantity: 11 }}                   | ${"800002"}
    ${"a stale availability"}             | ${{ toCatalogItemId: "CFQ7TTC0LH1P:0001:OLD", quantity: 1 }}             | ${"10001"}
    ${"a different term"}                 | ${{ toCatalogItemId: OFFERS.exchange2, quantity: 1, termDuration: "P3Y" }} | ${"10013"}
  `("refuses $case with $code", async ({ body, code }) => {
    sim.load(state(NOW, [customer([subscription(SOURCE)])]));
    const res = await transition(body);
    expect(res.status).toBe(400);
    expect(res.body["code"]).toBe(wireCode(code));
  });

  it("names the eligible targets when the target is not one", async () => {
    sim.load(state(NOW, [customer([subscription({ ...SOURCE, offerId: OFFERS.basic })])]));
    const res = await transition({ toCatalogItemId: OFFERS.e3, quantity: 1 });
    expect(res.body).toEqual(fault("TransitionNotEligible", "CFQ7TTC0LFLX:0001 is not an upgrade of CFQ7TTC0LH18:0001; eligible targets: CFQ7TTC0LDPB:0001, CFQ7TTC0LCHC:0002 (GET …/transitionEligibilities)"));
  });

  it("into a subscription of another offer is refused", async () => {
    sim.load(state(NOW, [customer([subscription(SOURCE), subscription({ ...target("2027-06-30T00:00:00Z"), offerId: OFFERS.basic })])]));
    const res = await transition({ toCatalogItemId: OFFERS.exchange2, quantity: 1, toSubscriptionId: OTHER_SUB });
    expect(res.body["code"]).toBe(wireCode("TargetSubscriptionNotEligible"));
  });
});
