import type { LicenceUsage, OfferKey } from "../domain/types";
import type { WireSubscribedSku } from "../wire/partner-center";

/**
 * Licence usage (`subscribedskus`) in the planner's terms, in one place on the client side.
 *
 * Partner Center keys usage by the Entra/Graph SKU id (`productSku.id`, with Graph's
 * `skuPartNumber`), not by the NCE catalog id ("Get a list of available licenses"). The catalog's
 * SKUs carry the link: `dynamicAttributes.provisioningId` is that Graph id and the price sheet's
 * `ProvisioningString` the part number. Usage is mapped through it to `PRODUCT:SKU`; an item no
 * catalog offer claims is left out, so the planner reads that offer's usage as unknown — never as
 * zero assigned seats, which would switch the assigned-seat guard off without a word.
 */

/** Lower-case Graph SKU id or part number → `PRODUCT:SKU`. */
export type GraphSkuIndex = ReadonlyMap<string, OfferKey>;

export function graphSkuIndex(
  offers: Iterable<{ readonly offer: OfferKey; readonly provisioningId?: string | undefined; readonly skuPartNumber?: string | undefined }>,
): GraphSkuIndex {
  const index = new Map<string, OfferKey>();
  for (const o of offers) {
    if (o.provisioningId) index.set(o.provisioningId.toLowerCase(), o.offer);
    if (o.skuPartNumber && !index.has(o.skuPartNumber.toLowerCase())) index.set(o.skuPartNumber.toLowerCase(), o.offer);
  }
  return index;
}

const OFFER_KEY = /^[A-Z0-9]{12}:[A-Z0-9]{4}$/i;

/** Seats assigned to users per `PRODUCT:SKU`: by Graph SKU id, else part number, else an id that is itself `PRODUCT:SKU` (older simulator states). */
export function licenceUsageFromSkus(items: readonly WireSubscribedSku[], index: GraphSkuIndex): LicenceUsage {
  const usage: Record<OfferKey, number> = {};
  for (const item of items) {
    const id = item.productSku.id;
    const part = item.productSku.skuPartNumber;
    const key = index.get(id.toLowerCase()) ?? (OFFER_KEY.test(id) ? id.toUpperCase() : undefined) ?? (part ? index.get(part.toLowerCase()) : undefined);
    if (key === undefined) continue;
    usage[key] = (usage[key] ?? 0) + item.consumedUnits;
  }
  return usage;
}
