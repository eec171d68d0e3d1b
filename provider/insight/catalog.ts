import type { BillingCycle, Catalog, CatalogOffer, OfferKey, Segment, Term } from "../domain/types";
import { offerOf, yearlyCost } from "../rules/support";

/** `seatplan catalog [search TEXT]`: the offers with what a YAML entry needs to name one. Pure. */

export interface CatalogTerm {
  readonly term: Term;
  readonly billing: BillingCycle;
  /** List price per seat and billing period (a year, a month or three years); null when unpriced. */
  readonly price: number | null;
  readonly per: "year" | "month" | "3 years";
  /** The same per seat and year. */
  readonly annual: number | null;
}

export interface CatalogRow {
  readonly offer: OfferKey;
  readonly catalogItemId: string;
  readonly name: string;
  readonly segment: Segment;
  readonly family: string;
  readonly minQuantity: number;
  readonly maxQuantity: number;
  readonly terms: readonly CatalogTerm[];
  readonly upgradesTo: readonly { readonly offer: OfferKey; readonly name: string | null }[];
}

export interface CatalogListing {
  readonly currency: string;
  /** The search text, null when listing everything. */
  readonly search: string | null;
  readonly offers: readonly CatalogRow[];
}

/** True when every word of `search` appears in the offer's id, name, family or segment (any case). */
export function matches(offer: CatalogOffer, search: string): boolean {
  const haystack = `${offer.offer} ${offer.productId}:${offer.skuId}:${offer.availabilityId} ${offer.name} ${offer.family} ${offer.segment}`.toLowerCase();
  return search
    .toLowerCase()
    .split(/\s+/)
    .filter(Boolean)
    .every((word) => haystack.includes(word));
}

export function catalogListing(catalog: Catalog, search: string | null): CatalogListing {
  const offers = search === null ? catalog.offers : catalog.offers.filter((o) => matches(o, search));
  return {
    currency: catalog.currency,
    search,
    offers: offers.map((o) => ({
      offer: o.offer,
      catalogItemId: `${o.offer}:${o.availabilityId}`,
      name: o.name,
      segment: o.segment,
      family: o.family,
      minQuantity: o.minQuantity,
      maxQuantity: o.maxQuantity,
      terms: o.terms.map(({ term, billing }) => {
        const price = o.prices[`${term}/${billing}`];
        const annual = yearlyCost(catalog, { offer: o.offer, term, billing }, 1);
        return {
          term,
          billing,
          price: price ?? null,
          per: billing === "monthly" ? "month" : billing === "triennial" ? "3 years" : "year",
          annual: annual === undefined ? null : Math.round(annual * 100) / 100,
        };
      }),
      upgradesTo: o.upgradesTo.map((to) => ({ offer: to, name: offerOf(catalog, to)?.name ?? null })),
    })),
  };
}
