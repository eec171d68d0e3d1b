import { offerKeyOf, type WireSubscribedSku } from "../../wire/partner-center";
import type { CommerceContext } from "./context";


/** Licence usage per SKU (`subscribedskus`). */

/** Licence usage per offer: seats bought (active subscriptions) and seats assigned to users. */
export function subscribedSkus(ctx: CommerceContext, customerId: string): WireSubscribedSku[] {
  const customer = ctx.customer(customerId);
  const total = new Map<string, number>();
  for (const sub of customer.subscriptions) {
    if (sub.status !== "active") continue;
    const key = offerKeyOf(sub.offerId);
    total.set(key, (total.get(key) ?? 0) + sub.quantity);
  }
  const assigned = customer.assignedLicenses ?? {};
  const keys = [...new Set([...total.keys(), ...Object.keys(assigned)])].sort();
  return keys.map((key) => {
    const units = total.get(key) ?? 0;
    const consumed = assigned[key] ?? 0;
    return {
      availableUnits: Math.max(0, units - consumed),
      activeUnits: units,
      consumedUnits: consumed,
      suspendedUnits: 0,
      totalUnits: units,
      warningUnits: 0,
      productSku: { id: key, name: ctx.index.offer(key)?.name ?? key, skuPartNumber: key, targetType: "User" },
      capabilityStatus: "Enabled",
      attributes: { objectType: "SubscribedSku" },
    };
  });
}
