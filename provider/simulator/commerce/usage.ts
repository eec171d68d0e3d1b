import { offerKeyOf, type WireSubscribedSku } from "../../wire/partner-center";
import type { CommerceContext } from "./context";


/** Licence usage per SKU (`subscribedskus`). */

/**
 * Licence usage per licence SKU, as Partner Center reports it: `productSku.id` is the Entra/Graph
 * SKU id (the catalog's `provisioningId`) and `skuPartNumber` Graph's part number; seats bought
 * are the active subscriptions' quantities, seats consumed the customer's `assignedLicenses`
 * (keyed by Graph SKU id, or by `PRODUCT:SKU` in older state files). An offer the catalog knows
 * no Graph id for is reported under its `PRODUCT:SKU`, as is every offer with
 * `subscribedSkuIds: "offer"` (see `SubscribedSkuIds`).
 */
export function subscribedSkus(ctx: CommerceContext, customerId: string): WireSubscribedSku[] {
  const customer = ctx.customer(customerId);
  interface Sku {
    readonly id: string;
    readonly name: string;
    readonly skuPartNumber: string;
    units: number;
    consumed: number;
  }
  const skus = new Map<string, Sku>();
  const skuOf = (key: string): Sku => {
    const offer = ctx.index.offer(key) ?? ctx.index.offerByProvisioningId(key);
    const id = (ctx.subscribedSkuIds === "graph" ? offer?.provisioningId : undefined) ?? offer?.offer ?? key;
    let sku = skus.get(id.toLowerCase());
    if (!sku) {
      sku = { id, name: offer?.name ?? key, skuPartNumber: offer?.skuPartNumber ?? id, units: 0, consumed: 0 };
      skus.set(id.toLowerCase(), sku);
    }
    return sku;
  };
  for (const sub of customer.subscriptions) {
    if (sub.status === "active") skuOf(offerKeyOf(sub.offerId)).units += sub.quantity;
  }
  for (const [key, consumed] of Object.entries(customer.assignedLicenses ?? {})) skuOf(key).consumed += consumed;
  return [...skus.values()]
    .sort((a, b) => (a.skuPartNumber < b.skuPartNumber ? -1 : a.skuPartNumber > b.skuPartNumber ? 1 : 0))
    .map((sku) => ({
      availableUnits: Math.max(0, sku.units - sku.consumed),
      activeUnits: sku.units,
      consumedUnits: sku.consumed,
      suspendedUnits: 0,
      totalUnits: sku.units,
      warningUnits: 0,
      productSku: { id: sku.id, name: sku.name, skuPartNumber: sku.skuPartNumber, targetType: "User" },
      capabilityStatus: "Enabled",
      attributes: { objectType: "SubscribedSku" },
    }));
}
