import { describe, expect, it } from "vitest";
import { graphSkuIndex, licenceUsageFromSkus } from "../../provider/client/usage";
import {
  apiFaultFrom,
  customTermEndDateFromWire,
  isNceLicenceSubscription,
  offerKeyOf,
  renewalInstructionsFromWire,
  renewalInstructionsToWire,
  subscriptionFromWire,
  transitionEligibilityFromWire,
  type WireSubscribedSku,
  type WireSubscription,
} from "../../provider/wire/partner-center";
import { isBackendError } from "../../provider/domain/errors";

/** The one mapping between Partner Center JSON and domain types (pure). */

const WIRE: WireSubscription = {
  id: "a4c1340d-6911-4758-bba3-0c4c6007d161",
  offerId: "CFQ7TTC0LH18:0001:CFQ7TTC0K971",
  offerName: "Microsoft 365 Business Basic",
  friendlyName: "basic",
  quantity: 5,
  unitType: "Licenses",
  status: "active",
  autoRenewEnabled: true,
  termDuration: "P1Y",
  billingCycle: "monthly",
  effectiveStartDate: "2021-09-14T16:44:03.4609789Z",
  commitmentEndDate: "2022-09-13T00:00:00Z",
  cancellationAllowedUntilDate: "2021-09-21T16:44:03Z",
  refundableQuantity: {
    totalQuantity: 3,
    details: [
      { quantity: 2, allowedUntilDateTime: "2021-09-25T00:00:00Z" },
      { quantity: 1, allowedUntilDateTime: "2021-09-21T16:44:03Z" },
    ],
  },
  scheduledNextTermInstructions: {
    product: { productId: "CFQ7TTC0LDPB", skuId: "0001", availabilityId: "X", billingCycle: "Annual", termDuration: "P1Y" },
    quantity: 4,
  },
  isTrial: false,
  orderId: "34b37d7340cc",
  productType: { id: "OnlineServicesNCE", displayName: "OnlineServicesNCE" },
  attributes: { objectType: "Subscription", etag: "e1" },
};

describe("subscriptionFromWire", () => {
  it("maps a Partner Center subscription to the domain", () => {
    expect(subscriptionFromWire(WIRE, "cust")).toEqual({
      id: WIRE.id,
      customerId: "cust",
      offer: "CFQ7TTC0LH18:0001",
      catalogItemId: "CFQ7TTC0LH18:0001:CFQ7TTC0K971",
      offerName: "Microsoft 365 Business Basic",
      friendlyName: "basic",
      quantity: 5,
      status: "active",
      autoRenew: true,
      term: "P1Y",
      billing: "monthly",
      startDate: "2021-09-14T16:44:03.460Z",
      endDate: "2022-09-13T00:00:00.000Z",
      cancellationAllowedUntil: "2021-09-21T16:44:03.000Z",
      refundableLots: [
        { quantity: 1, allowedUntil: "2021-09-21T16:44:03.000Z" },
        { quantity: 2, allowedUntil: "2021-09-25T00:00:00.000Z" },
      ],
      scheduledRenewal: { offer: "CFQ7TTC0LDPB:0001", term: "P1Y", billing: "annual", quantity: 4 },
      isTrial: false,
      etag: "e1",
      orderId: "34b37d7340cc",
    });
  });

  it.each`
    field             | value          | expected
    ${"billingCycle"} | ${"Annual"}    | ${"annual"}
    ${"billingCycle"} | ${"TRIENNIAL"} | ${"triennial"}
    ${"termDuration"} | ${"p1m"}       | ${"P1M"}
    ${"status"}       | ${"Deleted"}   | ${"deleted"}
  `("reads $field $value case-tolerantly as $expected", ({ field, value, expected }) => {
    const observed = subscriptionFromWire({ ...WIRE, [field]: value }, "cust") as unknown as Record<string, unknown>;
    const domainField = { billingCycle: "billing", termDuration: "term", status: "status" }[field as string] ?? "";
    expect(observed[domainField]).toBe(expected);
  });

  it("reads dates without a zone as UTC and a missing refundableQuantity as no refundable seats", () => {
    const { refundableQuantity: _r, ...bare } = WIRE;
    const observed = subscriptionFromWire({ ...bare, commitmentEndDate: "2022-09-13T00:00:00", cancellationAllowedUntilDate: null, scheduledNextTermInstructions: null }, "c");
    expect(observed).toMatchObject({ endDate: "2022-09-13T00:00:00.000Z", cancellationAllowedUntil: null, refundableLots: [], scheduledRenewal: null });
  });

  it.each`
    change                             | message
    ${{ billingCycle: "one_time" }}    | ${'Partner Center returned billingCycle "one_time" for subscription a4c1340d-6911-4758-bba3-0c4c6007d161, which seatplan does not understand; only licence-based new-commerce subscriptions (P1M/P1Y/P3Y, monthly/annual/triennial) are supported'}
    ${{ quantity: -1 }}                | ${'Partner Center returned quantity -1 for subscription a4c1340d-6911-4758-bba3-0c4c6007d161, which seatplan does not understand; only licence-based new-commerce subscriptions (P1M/P1Y/P3Y, monthly/annual/triennial) are supported'}
    ${{ commitmentEndDate: "soon" }}   | ${'Partner Center returned date "soon" for subscription a4c1340d-6911-4758-bba3-0c4c6007d161, which seatplan does not understand; only licence-based new-commerce subscriptions (P1M/P1Y/P3Y, monthly/annual/triennial) are supported'}
  `("refuses $change with a BackendError naming the field", ({ change, message }) => {
    let error: unknown;
    try {
      subscriptionFromWire({ ...WIRE, ...change }, "c");
    } catch (e) {
      error = e;
    }
    expect(isBackendError(error)).toBe(true);
    expect(error).toMatchObject({ message, status: 502, code: "InvalidResponse" });
  });
});

describe("other mappings", () => {
  it("renewal instructions round-trip", () => {
    const instructions = { offer: "CFQ7TTC0LDPB:0001", term: "P1Y" as const, billing: "annual" as const, quantity: 4, customTermEndDate: "2027-12-31T00:00:00.000Z" };
    const wire = renewalInstructionsToWire(instructions, "SIMAV0000002");
    expect(wire).toEqual({
      product: { productId: "CFQ7TTC0LDPB", skuId: "0001", availabilityId: "SIMAV0000002", billingCycle: "annual", termDuration: "P1Y" },
      quantity: 4,
      customTermEndDate: "2027-12-31T00:00:00Z",
    });
    expect(renewalInstructionsFromWire(wire)).toEqual(instructions);
  });

  it.each`
    json                                                                               | nce
    ${{ offerId: "CFQ7TTC0LH18:0001:CFQ7TTC0K971", productType: { id: "OnlineServicesNCE", displayName: "" } }} | ${true}
    ${{ offerId: "CFQ7TTC0LH18:0001:CFQ7TTC0K971" }}                                  | ${true}
    ${{ offerId: "796B6B5F-613C-4E24-A17C-EBA730D49C02", productType: { id: "OnlineServices", displayName: "" } }} | ${false}
    ${{ offerId: "DG7GMGF0DVSV:000P:DG7GMGF0F3Q9", productType: { id: "Software", displayName: "" } }} | ${false}
  `("isNceLicenceSubscription($json.offerId) is $nce", ({ json, nce }) => {
    expect(isNceLicenceSubscription(json)).toBe(nce);
  });

  it("offer keys drop the availability", () => {
    expect([offerKeyOf("CFQ7TTC0LH18:0001:X"), offerKeyOf("CFQ7TTC0LH18:0001"), offerKeyOf("guid")]).toEqual(["CFQ7TTC0LH18:0001", "CFQ7TTC0LH18:0001", "guid"]);
  });

  it("transition eligibilities: eligible when any transition type is", () => {
    expect(
      transitionEligibilityFromWire({
        catalogItemId: "CFQ7TTC0LH1P:0001:A",
        title: "Plan 2",
        quantity: 10,
        eligibilities: [
          { isEligible: false, transitionType: "transition_with_license_transfer", errors: [{ code: 3, description: "conflicting services" }] },
          { isEligible: true, transitionType: "transition_only", errors: [] },
        ],
        subscriptionEligibilities: [{ isEligible: false, subscriptionId: "s", subscriptionFriendlyName: "", subscriptionTermDuration: "P1Y", subscriptionBillingCycle: "annual", errors: [{ code: 0, description: "ends earlier" }] }],
        attributes: { objectType: "TransitionEligibility" },
      }),
    ).toEqual({ offer: "CFQ7TTC0LH1P:0001", isEligible: true, errors: [], into: [{ subscriptionId: "s", isEligible: false, errors: ["ends earlier"] }] });
  });

  it("custom term end dates", () => {
    expect(customTermEndDateFromWire({ allowedCustomTermEndDateType: "calendarMonthAligned", allowedCustomTermEndDate: "2023-07-31T00:00:00" })).toEqual({
      kind: "calendar-month",
      date: "2023-07-31T00:00:00.000Z",
      cotermSubscriptionIds: [],
    });
  });

  it("licence usage keeps entries keyed by PRODUCT:SKU", () => {
    const sku = (id: string, consumedUnits: number): WireSubscribedSku => ({
      availableUnits: 0,
      activeUnits: 0,
      consumedUnits,
      suspendedUnits: 0,
      totalUnits: 0,
      warningUnits: 0,
      productSku: { id, name: id },
      capabilityStatus: "Enabled",
      attributes: { objectType: "SubscribedSku" },
    });
    expect(licenceUsageFromSkus([sku("CFQ7TTC0LH18:0001", 3), sku("efccb6f7-5641-4e0e-bd10-b4976e1bf68e", 5)], graphSkuIndex([]))).toEqual({ "CFQ7TTC0LH18:0001": 3 });
  });

  it.each`
    body                                                          | fault
    ${{ code: "800090", description: "cannot decrease" }}         | ${{ code: "800090", description: "cannot decrease" }}
    ${{ statusCode: 429, message: "Rate limit is exceeded." }}    | ${{ code: "429", description: "Rate limit is exceeded." }}
    ${"<html>"}                                                   | ${null}
  `("apiFaultFrom($body)", ({ body, fault }) => {
    expect(apiFaultFrom(body)).toEqual(fault);
  });
});
