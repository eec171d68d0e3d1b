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
  type SubscriptionFixture,
  type TestSimulator,
  wireCode,
} from "./helpers";

/**
 * Each commerce rule of design §1, refused by the simulator over real HTTP with Partner Center's
 * status and code, and its allowed variants accepted: inside the window, at its exact last
 * instant, and one millisecond later.
 *
 * The fixture subscription was bought on 2026-01-10T10:00:00Z (P1Y, 5 seats); its seats and the
 * subscription itself are cancellable until 2026-01-17T10:00:00Z (168 h).
 */

const BOUGHT: SubscriptionFixture = { start: "2026-01-10T10:00:00Z", end: "2027-01-09T00:00:00Z" };
const WINDOW_END = "2026-01-17T10:00:00.000Z";
const JUST_AFTER = "2026-01-17T10:00:00.001Z";

let sim: TestSimulator;
beforeAll(async () => {
  sim = await startTestSimulator(null);
});
afterAll(async () => {
  await sim.close();
});

function given(now: string, fixture: Partial<SubscriptionFixture> = {}): void {
  sim.load(state(now, [customer([subscription({ ...BOUGHT, ...fixture })])]));
}

describe("removing seats (800090 outside each batch's window)", () => {
  it.each`
    now                       | quantity | status | code
    ${"2026-01-11T10:00:00Z"} | ${3}     | ${200} | ${null}
    ${WINDOW_END}             | ${1}     | ${200} | ${null}
    ${JUST_AFTER}             | ${4}     | ${400} | ${"800090"}
    ${"2026-06-01T00:00:00Z"} | ${4}     | ${400} | ${"800090"}
  `("at $now, 5 → $quantity answers $status $code", async ({ now, quantity, status, code }) => {
    given(now);
    const res = await patch(sim, { quantity });
    expect(res.status).toBe(status);
    if (code) expect(res.body["code"]).toBe(wireCode(code));
    else expect(res.body["quantity"]).toBe(quantity);
  });

  it.each`
    now
    ${"2026-01-11T10:00:00Z"}
    ${"2026-06-01T00:00:00Z"}
  `("adds seats at any time ($now)", async ({ now }) => {
    given(now);
    const res = await patch(sim, { quantity: 7 });
    expect(res.status).toBe(200);
    expect(res.body["quantity"]).toBe(7);
  });

  it("explains the refusal and the remedy", async () => {
    given("2026-06-01T00:00:00Z");
    const res = await patch(sim, { quantity: 4 });
    expect(res.body).toEqual(fault("800090", "Subscription quantity cannot be decreased: removing 1 seat from 5, but only 0 are within the cancellation window now; " +
        "schedule the lower quantity for the renewal on 2027-01-10 (scheduledNextTermInstructions.quantity) instead"));
  });
});

describe("cancelling (900117 after cancellationAllowedUntilDate)", () => {
  it.each`
    now                       | status | code
    ${"2026-01-12T00:00:00Z"} | ${200} | ${null}
    ${WINDOW_END}             | ${200} | ${null}
    ${JUST_AFTER}             | ${400} | ${"900117"}
  `("at $now answers $status $code", async ({ now, status, code }) => {
    given(now);
    const res = await patch(sim, { status: "deleted" });
    expect(res.status).toBe(status);
    if (code) expect(res.body["code"]).toBe(wireCode(code));
    else expect(res.body["status"]).toBe("deleted");
  });

  it("explains the refusal and the remedy", async () => {
    given(JUST_AFTER);
    const res = await patch(sim, { status: "deleted" });
    expect(res.body).toEqual(fault("900117", "You have passed your 7-day cancellation window. We are unable to cancel your purchase (the window closed at 2026-01-17T10:00:00Z); " +
        'cancel it at term end instead (autoRenewEnabled: false with scheduledActions [{scheduleType: "TermEnd", actionType: "Cancel"}]) so that subscription 22222222-2222-4222-8222-222222222222 ends with its term on 2027-01-09 — auto-renew off alone moves it into the extended service term'));
  });

  it.each`
    now                           | status | code
    ${"2026-01-13T10:00:00.000Z"} | ${200} | ${null}
    ${"2026-01-13T10:00:00.001Z"} | ${400} | ${"900117"}
  `("follows the configured window: 72 h (the 2021 rule) at $now answers $status", async ({ now, status, code }) => {
    // A hand-written subscription without dates of its own: the window is start + 72 h.
    const { cancellationAllowedUntilDate: _c, seatLots: _l, ...bare } = subscription(BOUGHT);
    sim.load({ ...state(now, [customer([bare])]), settings: { cancellationWindowHours: 72 } });
    const current = await sim.call("GET", subPath());
    expect(current.body["cancellationAllowedUntilDate"]).toBe("2026-01-13T10:00:00Z");
    const res = await sim.call("PATCH", subPath(), { ...current.body, status: "deleted" });
    expect(res.status).toBe(status);
    if (code) expect(res.body["description"]).toMatch(/^You have passed your 3-day cancellation window/);
  });
});

describe("scheduled renewal changes need auto-renew", () => {
  const schedule = {
    product: { productId: "CFQ7TTC0LH18", skuId: "0001", availabilityId: "SIMAV0000001", billingCycle: "Annual", termDuration: "P1Y" },
    quantity: 2,
  };

  it.each`
    autoRenew | change                                                         | status | code
    ${true}   | ${{ scheduledNextTermInstructions: schedule }}                 | ${200} | ${null}
    ${false}  | ${{ scheduledNextTermInstructions: schedule }}                 | ${400} | ${"AutoRenewRequired"}
    ${false}  | ${{ autoRenewEnabled: true, scheduledNextTermInstructions: schedule }} | ${200} | ${null}
  `("with auto-renew $autoRenew, $change answers $status $code", async ({ autoRenew, change, status, code }) => {
    given("2026-06-01T00:00:00Z", { autoRenewEnabled: autoRenew });
    const res = await patch(sim, change);
    expect(res.status).toBe(status);
    if (code) {
      expect(res.body).toEqual(fault(code, "Scheduled changes require auto-renew: turn autoRenewEnabled on for subscription 22222222-2222-4222-8222-222222222222 before setting scheduledNextTermInstructions"));
    } else {
      expect(res.body["scheduledNextTermInstructions"]).toEqual({ ...schedule, product: { ...schedule.product, billingCycle: "annual" } });
    }
  });

  it.each`
    product                                                                         | code
    ${{ productId: "CFQ7TTC0LF8Q", skuId: "0001", billingCycle: "annual", termDuration: "P1Y" }} | ${"TransitionNotEligible"}
    ${{ productId: "CFQ7TTC0LDPB", skuId: "0001", billingCycle: "triennial", termDuration: "P1Y" }} | ${"10013"}
    ${{ productId: "CFQ7TTC0LDPB", skuId: "0001", availabilityId: "OLD", billingCycle: "annual", termDuration: "P1Y" }} | ${"10001"}
  `("refuses a schedule the catalog does not allow ($code)", async ({ product, code }) => {
    given("2026-06-01T00:00:00Z");
    const res = await patch(sim, { scheduledNextTermInstructions: { product, quantity: 5 } });
    expect(res.status).toBe(400);
    expect(res.body["code"]).toBe(wireCode(code));
  });

  it("accepts an upgrade of the offer at renewal (a scheduled transition target)", async () => {
    given("2026-06-01T00:00:00Z");
    const res = await patch(sim, {
      scheduledNextTermInstructions: { product: { productId: "CFQ7TTC0LDPB", skuId: "0001", billingCycle: "annual", termDuration: "P1Y" }, quantity: 5 },
    });
    expect(res.status).toBe(200);
    expect(res.body["scheduledNextTermInstructions"]).toMatchObject({ product: { productId: "CFQ7TTC0LDPB", availabilityId: "SIMAV0000002" } });
  });
});

describe("optimistic concurrency (2055 on a stale etag)", () => {
  it.each`
    how                                 | status | code
    ${"the current etag in the body"}   | ${200} | ${null}
    ${"a stale etag in the body"}       | ${400} | ${"2055"}
    ${"a stale If-Match header"}        | ${400} | ${"2055"}
    ${"a current body etag and a stale If-Match"} | ${400} | ${"2055"}
    ${"the current If-Match only"}      | ${200} | ${null}
    ${"no etag at all"}                 | ${400} | ${"800002"}
  `("a PATCH with $how answers $status $code", async ({ how, status, code }) => {
    given("2026-06-01T00:00:00Z");
    const current = await sim.call("GET", subPath());
    const etag = (current.body["attributes"] as { etag: string }).etag;
    await patch(sim, { friendlyName: "renamed meanwhile" });
    const body = { ...current.body, quantity: 6 };
    let res;
    if (how === "the current etag in the body") res = await patch(sim, { quantity: 6 });
    else if (how === "a stale etag in the body") res = await sim.call("PATCH", subPath(), body);
    else if (how === "a stale If-Match header") res = await sim.call("PATCH", subPath(), { quantity: 6 }, { "If-Match": etag });
    else if (how === "a current body etag and a stale If-Match") res = await patch(sim, { quantity: 6 }, undefined, { "If-Match": etag });
    else if (how === "the current If-Match only") {
      const fresh = (await sim.call("GET", subPath())).body["attributes"] as { etag: string };
      res = await sim.call("PATCH", subPath(), { quantity: 6 }, { "If-Match": `"${fresh.etag}"` });
    } else res = await sim.call("PATCH", subPath(), { quantity: 6 });
    expect(res.status).toBe(status);
    if (code === "800002") {
      // Without an etag the PATCH would overwrite a change made since the client's read.
      expect(res.body).toEqual(
        fault(
          code,
          "Invalid request input: the subscription's etag is required: GET 22222222-2222-4222-8222-222222222222, change the fields and PATCH the whole resource back with its attributes.etag (or send it as If-Match)",
        ),
      );
    } else if (code) {
      expect(res.body).toEqual(fault(code, "Etag is no longer valid: subscription 22222222-2222-4222-8222-222222222222 changed since it was read; GET it again and re-apply the change"));
    } else expect(res.body["quantity"]).toBe(6);
  });
});

describe("seat bounds of the SKU (2002)", () => {
  it.each`
    offer              | from  | to        | status | code
    ${OFFERS.basic}    | ${5}  | ${300}    | ${200} | ${null}
    ${OFFERS.basic}    | ${5}  | ${301}    | ${400} | ${"2002"}
    ${OFFERS.basic}    | ${5}  | ${0}      | ${400} | ${"2002"}
    ${OFFERS.e3}       | ${10} | ${50_000} | ${200} | ${null}
    ${OFFERS.e3}       | ${10} | ${50_001} | ${400} | ${"2002"}
  `("$offer: $from → $to answers $status $code", async ({ offer, from, to, status, code }) => {
    given("2026-01-11T00:00:00Z", { offerId: offer, quantity: from, seatLots: [{ quantity: from, allowedUntilDateTime: WINDOW_END }] });
    const res = await patch(sim, { quantity: to });
    expect(res.status).toBe(status);
    if (code) expect(res.body["code"]).toBe(wireCode(code));
  });

  it("names the range and the remedy", async () => {
    given("2026-01-11T00:00:00Z");
    const res = await patch(sim, { quantity: 301 });
    expect(res.body).toEqual(fault("2002", "Quantity 301 is not within the allowed range 1–300 for Microsoft 365 Business Basic; buy a second subscription for more seats"));
  });
});

describe("a deleted subscription cannot change (2011)", () => {
  it.each`
    change
    ${{ quantity: 6 }}
    ${{ autoRenewEnabled: false }}
    ${{ friendlyName: "again" }}
    ${{ status: "active" }}
  `("refuses $change", async ({ change }) => {
    given("2026-01-11T00:00:00Z", { status: "deleted" });
    const res = await patch(sim, change);
    expect(res.status).toBe(400);
    expect(res.body).toEqual(fault("2011", "Cannot update a subscription with deleted status (22222222-2222-4222-8222-222222222222 was cancelled); buy a new subscription instead"));
  });
});

describe("mid-term changes that need a renewal or an upgrade", () => {
  it.each`
    change                              | code
    ${{ termDuration: "P1M" }}          | ${"800097"}
    ${{ termDuration: "P3Y" }}          | ${"10013"}
    ${{ offerId: OFFERS.standard }}     | ${"800002"}
    ${{ status: "suspended" }}          | ${"800096"}
  `("refuses $change with $code", async ({ change, code }) => {
    given("2026-01-11T00:00:00Z");
    const res = await patch(sim, change);
    expect(res.status).toBe(400);
    expect(res.body["code"]).toBe(wireCode(code));
  });

  it("tolerates Partner Center's enum spellings that mean the same value", async () => {
    given("2026-01-11T00:00:00Z");
    const res = await patch(sim, { billingCycle: "Monthly", termDuration: "p1y", status: "Active", quantity: 6 });
    expect(res.status).toBe(200);
    expect(res.body["quantity"]).toBe(6);
  });
});

describe("requests the simulator does not know", () => {
  const MISSING = "44444444-4444-4444-8444-444444444444";
  const STRANGER = "99999999-9999-4999-8999-999999999999";
  it.each`
    method      | path                                              | status | code        | description
    ${"GET"}    | ${subPath(MISSING)}                               | ${404} | ${"20003"}  | ${`Subscription ${MISSING} not found for customer ${CUSTOMER}; GET /v1/customers/${CUSTOMER}/subscriptions lists its subscriptions`}
    ${"GET"}    | ${`/v1/customers/${STRANGER}/subscriptions`}       | ${403} | ${"20002"}  | ${`Partner does not have a commerce relationship with customer ${STRANGER}; check the customer's tenant id`}
    ${"GET"}    | ${`/v1/customers/${CUSTOMER}/orders/nope`}         | ${404} | ${"20000"}  | ${`Order nope not found for customer ${CUSTOMER}; GET /v1/customers/${CUSTOMER}/orders lists its orders`}
    ${"GET"}    | ${"/v1/products/NOPE"}                            | ${404} | ${"NotFound"} | ${"Product NOPE is not in the catalog; GET /v1/products lists the catalog"}
    ${"GET"}    | ${"/v1/products/CFQ7TTC0LH18/skus/0001/availabilities/OLD"} | ${404} | ${"NotFound"} | ${"Availability OLD is not in the catalog; GET /v1/products/CFQ7TTC0LH18/skus/0001/availabilities lists the current one"}
    ${"DELETE"} | ${subPath()}                                      | ${405} | ${"NotFound"} | ${`Method not allowed: DELETE ${subPath()}; this path takes GET, PATCH`}
    ${"PATCH"}  | ${`/v1/customers/${CUSTOMER}/subscriptions/customTermEndDates`} | ${405} | ${"NotFound"} | ${`Method not allowed: PATCH /v1/customers/${CUSTOMER}/subscriptions/customTermEndDates; this path takes GET`}
    ${"GET"}    | ${"/v1/nothing"}                                  | ${404} | ${"NotFound"} | ${"No such resource: GET /v1/nothing; the simulator serves the Partner Center paths of design §6 (/v1/customers…, /v1/products…)"}
    ${"GET"}    | ${"/v1/customers/%E0%A4%A"}                       | ${400} | ${"800002"} | ${'Invalid request input: malformed URL "/v1/customers/%E0%A4%A"; send a path such as /v1/customers, percent-escaped as UTF-8'}
    ${"POST"}   | ${"/%E0%A4%A/oauth2/token"}                       | ${400} | ${"800002"} | ${'Invalid request input: malformed URL "/%E0%A4%A/oauth2/token"; send a path such as /v1/customers, percent-escaped as UTF-8'}
  `("$method $path answers $status $code and what to do", async ({ method, path, status, code, description }) => {
    given("2026-01-11T00:00:00Z");
    const res = await sim.call(method, path);
    expect(res.status).toBe(status);
    expect(res.body).toEqual(fault(code, description));
  });

  it("a body over 1 MB is refused with 413 and a reason, not a dropped connection", async () => {
    given("2026-01-11T00:00:00Z");
    const res = await sim.call("PATCH", subPath(), { friendlyName: "x".repeat(1_100_000) });
    expect(res.status).toBe(413);
    expect(res.body).toEqual(fault("800002", "Invalid request input: the body exceeds 1000000 bytes; send one subscription or cart per request"));
  });

  it("a wrong method is told the methods the path takes in Allow", async () => {
    given("2026-01-11T00:00:00Z");
    expect((await sim.call("DELETE", subPath())).headers.get("allow")).toBe("GET, PATCH");
  });
});
