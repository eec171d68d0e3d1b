import type { BillingCycle, Catalog, CatalogOffer, OfferKey, StepCost, Term } from "../domain/types";

/** What the rules read from the catalog: offers, annualised list prices, renewal paths. */

export function offerOf(catalog: Catalog, offer: OfferKey): CatalogOffer | undefined {
  return catalog.offers.find((o) => o.offer === offer);
}

/** What `seats` seats of `offer` cost per year on that term and billing; undefined when unpriced. */
export function yearlyCost(
  catalog: Catalog,
  at: { readonly offer: OfferKey; readonly term: Term; readonly billing: BillingCycle },
  seats: number,
): number | undefined {
  const price = offerOf(catalog, at.offer)?.prices[`${at.term}/${at.billing}`];
  if (price === undefined) return undefined;
  // Catalog prices are per billing period: a year, a month, or three years.
  const perYear = at.billing === "monthly" ? price * 12 : at.billing === "triennial" ? price / 3 : price;
  return perYear * seats;
}

/** `after - before` as a step cost; null when either side is unpriced. */
export function costDelta(catalog: Catalog, after: number | undefined, before: number | undefined): StepCost | null {
  if (after === undefined || before === undefined) return null;
  return { currency: catalog.currency, annualDelta: Math.round((after - before) * 100) / 100 };
}

/**
 * Offers a subscription may renew into: its own, and the catalog's upgrade paths of the same
 * segment (a downgrade needs a new subscription).
 */
export function renewalOffers(catalog: Catalog, offer: OfferKey): readonly OfferKey[] {
  const own = offerOf(catalog, offer);
  if (own === undefined) return [offer];
  return [offer, ...own.upgradesTo.filter((to) => offerOf(catalog, to)?.segment === own.segment)];
}
