import { describe, expect, it } from "vitest";
import { endOfTermFromWire, withAutoRenew, withCancelAtTermEnd } from "../../provider/wire/est";
import { graphSkuIndex, licenceUsageFromSkus } from "../../provider/client/usage";
import type { WireSubscribedSku, WireSubscription } from "../../provider/wire/partner-center";
import { plan } from "../../provider/plan";
import { APPS, desiredOf, entryOf, FRESH, OFFERS, simSubscription, TENANT, yamlOf } from "./fixtures";
import { subscriptionFromWire } from "../../provider/wire/partner-center";
import { builtInCatalogData } from "../../provider/simulator/catalog";

const sku = (id: string, consumed: number, part?: string): WireSubscribedSku => ({
  availableUnits: 0,
  activeUnits: consumed,
  consumedUnits: consumed,
  suspendedUnits: 0,
  totalUnits: consumed,
  warningUnits: 0,
  productSku: { id, name: id, ...(part ? { skuPartNumber: part } : {}) },
  capabilityStatus: "Enabled",
  attributes: { objectType: "SubscribedSku" },
});

describe("licence usage keyed by Graph SKU id (client/usage.ts)", () => {
  const index = graphSkuIndex([
    { offer: OFFERS.businessBasic, provisioningId: "3B555118-DA6A-4418-894F-7DF1E2096870", skuPartNumber: "O365_BUSINESS_ESSENTIALS" },
    { offer: OFFERS.appsForBusiness, skuPartNumber: "O365_BUSINESS" },
  ]);

  it("maps Graph ids (any case), then part numbers, then PRODUCT:SKU ids, and leaves out what no offer claims", () => {
    const usage = licenceUsageFromSkus(
      [
        sku("3b555118-da6a-4418-894f-7df1e2096870", 4),
        sku("cdd28e44-67e3-425e-be4c-737fab2899d3", 2, "O365_BUSINESS"),
        sku("CFQ7TTC0LH16:0001", 1),
        sku("efccb6f7-5641-4e0e-bd10-b4976e1bf68e", 9, "EMS"),
      ],
      index,
    );
    expect(usage).toEqual({ [OFFERS.businessBasic]: 4, [OFFERS.appsForBusiness]: 2, [OFFERS.exchange1]: 1 });
  });

  it("an offer without mapped usage is 'assigned seats unknown' in the plan, never zero", () => {
    const desired = desiredOf(yamlOf("block", { basic: entryOf(FRESH, { quantity: 4 }), apps: entryOf(APPS) }));
    const live = [FRESH, APPS].map((s) => subscriptionFromWire({ ...simSubscription(s), unitType: "Licenses" } as unknown as WireSubscription, TENANT));
    const usage = licenceUsageFromSkus([sku("efccb6f7-5641-4e0e-bd10-b4976e1bf68e", 9, "EMS")], index);
    const p = plan(desired, { catalog: builtInCatalogData(), customers: { rockit: { subscriptions: live, usage } } }, { now: new Date("2026-11-23T10:00:00Z"), backend: "test" });
    expect(p.warnings.map((w) => [w.code, w.message.slice(0, 23)])).toEqual([["usage-unknown", "assigned seats unknown "]]);
  });
});

describe("the end-of-term cancellation on the wire (wire/est.ts)", () => {
  const wire = { ...simSubscription(APPS), unitType: "Licenses" } as unknown as WireSubscription;

  it("asks for auto-renew off and scheduledActions TermEnd/Cancel, and reads it back in any casing", () => {
    const body = withCancelAtTermEnd(wire);
    expect([body.autoRenewEnabled, body.scheduledActions]).toEqual([false, [{ scheduleType: "TermEnd", actionType: "Cancel" }]]);
    expect(endOfTermFromWire(body)).toEqual({ endsAtTermEnd: true });
    const pascal = { ...wire, ScheduledActions: [{ ScheduleType: "termEnd", ActionType: "cancel" }] } as unknown as WireSubscription;
    expect(endOfTermFromWire(pascal)).toEqual({ endsAtTermEnd: true });
    expect(endOfTermFromWire(wire)).toEqual({});
  });

  it("turning auto-renew on drops the cancellation (they contradict each other)", () => {
    expect(withAutoRenew(withCancelAtTermEnd(wire), true)).toMatchObject({ autoRenewEnabled: true, scheduledActions: [] });
  });
});
