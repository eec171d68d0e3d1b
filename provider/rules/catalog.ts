import type { BillingCycle, Catalog, CatalogOffer, ObservedSubscription, OfferKey, StepCost, Term } from "../domain/types";
import { estEligible } from "./renewal";

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

/** The EST price per seat and month (monthly term rate + 3 %, + 23 % without a monthly plan); undefined when unpriced. See estEligible in rules/renewal.ts. */
export function estMonthlyPrice(catalog: Catalog, offer: OfferKey): number | undefined {
  const o = offerOf(catalog, offer);
  if (o === undefined) return undefined;
  const monthly = o.prices["P1M/monthly"];
  if (monthly !== undefined) return monthly * 1.03;
  const annual = o.prices["P1Y/annual"];
  const perMonth = annual !== undefined ? annual / 12 : o.prices["P1Y/monthly"];
  return perMonth === undefined ? undefined : perMonth * 1.23;
}

/** What `seats` seats in EST cost per year. */
export function estYearly(catalog: Catalog, offer: OfferKey, seats: number): number | undefined {
  const monthly = estMonthlyPrice(catalog, offer);
  return monthly === undefined ? undefined : monthly * 12 * seats;
}

/** What `seats` seats of the subscription cost per year as it is billed now: nothing for a trial, the EST rate in EST. */
export function currentYearly(catalog: Catalog, observed: ObservedSubscription, seats: number): number | undefined {
  if (observed.isTrial) return 0;
  if (observed.extendedServiceTerm === true) return estYearly(catalog, observed.offer, seats);
  return yearlyCost(catalog, observed, seats);
}

/**
 * What follows the term when it does not renew: EST (priced) unless an explicit cancellation at
 * term end is scheduled or the subscription is not eligible, then nothing.
 */
export function lapseYearly(catalog: Catalog, observed: ObservedSubscription, seats: number, cancelled: boolean): number | undefined {
  if (cancelled || observed.endsAtTermEnd === true || !estEligible(observed)) return 0;
  return estYearly(catalog, observed.offer, seats);
}
