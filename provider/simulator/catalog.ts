import type { BillingCycle, Catalog, CatalogOffer, PriceKey, Segment, Term } from "../domain/types";
import { BILLING_FOR_TERM, TERMS } from "../domain/types";
import builtIn from "./data/catalog.json";

/**
 * The simulator's catalog: the built-in data (`data/catalog.json`, real Microsoft product ids,
 * simulator availability ids, illustrative EUR list prices) or the `catalog` array of a state
 * file, in the same shape.
 *
 * The data has no seat bounds or term list, so loading adds them: terms are the price keys
 * (`P1Y/annual` …); bounds default to 1–300 for the Business families (`business`, `apps`,
 * `teams`: Microsoft caps Business plans at 300 seats) and 1–50,000 otherwise. A catalog entry
 * may set `minQuantity` / `maxQuantity` / `terms` itself.
 */

/** One offer as written in `data/catalog.json` or a state file's `catalog`. */
export interface CatalogEntry {
  readonly productId: string;
  readonly skuId: string;
  readonly availabilityId: string;
  readonly name: string;
  readonly segment: string;
  readonly family: string;
  readonly rank: number;
  readonly prices: Readonly<Record<string, number>>;
  readonly upgradesTo: readonly string[];
  readonly minQuantity?: number;
  readonly maxQuantity?: number;
  readonly terms?: readonly { readonly term: Term; readonly billing: BillingCycle }[];
  /** The Entra/Graph SKU id (`subscribedskus` `productSku.id`); every built-in offer has one. */
  readonly provisioningId?: string;
  /** The Graph `skuPartNumber`; every built-in offer has one. */
  readonly skuPartNumber?: string;
}

/** Products whose SKU maximum is 300 ("Offer limits in new commerce"): the Business plans and Teams Essentials. */
const CAPPED_300 = new Set(["CFQ7TTC0LH18", "CFQ7TTC0LDPB", "CFQ7TTC0LCHC", "CFQ7TTC0LH1G"]);
const CAPPED_FAMILIES = new Set(["teams"]);
/**
 * The SKU's `maximumQuantity`. Partner Center pools it on the customer tenant across every
 * subscription of the SKU (403 800088, enforced by the commerce context's `checkPool`); the
 * licence terms' 300 across the whole Business family is not an API rule, so only the planner
 * speaks of it (`policy.businessSeatCap`).
 */
export const BUSINESS_MAX_SEATS = 300;
export const DEFAULT_MAX_SEATS = 50_000;
export const DEFAULT_CURRENCY = "EUR";

function termsFromPrices(prices: Readonly<Record<string, number>>): { term: Term; billing: BillingCycle }[] {
  // Ordered as TERMS × BILLING_FOR_TERM so the list is stable whatever the JSON key order.
  return TERMS.flatMap((term) => BILLING_FOR_TERM[term].filter((billing) => `${term}/${billing}` in prices).map((billing) => ({ term, billing })));
}

/**
 * A catalog offer of the simulator: the domain's, plus the Graph identity of its licence, which
 * the simulator shows in SKUs (`dynamicAttributes.provisioningId`) and `subscribedskus`.
 */
export interface SimCatalogOffer extends CatalogOffer {
  readonly provisioningId?: string;
  readonly skuPartNumber?: string;
}

export interface SimCatalog extends Catalog {
  readonly offers: readonly SimCatalogOffer[];
}

/** The domain's view of a catalog (without the simulator's Graph fields). */
export function domainCatalog(catalog: SimCatalog): Catalog {
  return {
    currency: catalog.currency,
    offers: catalog.offers.map(({ provisioningId: _id, skuPartNumber: _part, ...offer }) => offer),
  };
}

export function offerFromEntry(entry: CatalogEntry): SimCatalogOffer {
  const prices: Partial<Record<PriceKey, number>> = {};
  for (const [key, price] of Object.entries(entry.prices)) prices[key as PriceKey] = price;
  return {
    offer: `${entry.productId}:${entry.skuId}`,
    productId: entry.productId,
    skuId: entry.skuId,
    availabilityId: entry.availabilityId,
    name: entry.name,
    segment: entry.segment as Segment,
    family: entry.family,
    rank: entry.rank,
    prices,
    upgradesTo: [...entry.upgradesTo],
    minQuantity: entry.minQuantity ?? 1,
    maxQuantity: entry.maxQuantity ?? (CAPPED_300.has(entry.productId) || CAPPED_FAMILIES.has(entry.family) ? BUSINESS_MAX_SEATS : DEFAULT_MAX_SEATS),
    terms: entry.terms ? [...entry.terms] : termsFromPrices(entry.prices),
    ...(entry.provisioningId !== undefined ? { provisioningId: entry.provisioningId } : {}),
    ...(entry.skuPartNumber !== undefined ? { skuPartNumber: entry.skuPartNumber } : {}),
  };
}

export function catalogFromEntries(entries: readonly CatalogEntry[], currency = DEFAULT_CURRENCY): SimCatalog {
  return { currency, offers: entries.map(offerFromEntry) };
}

let builtInCatalog: SimCatalog | undefined;

/** The built-in catalog (parsed once per process). */
export function builtInCatalogData(): SimCatalog {
  builtInCatalog ??= catalogFromEntries(builtIn.offers as readonly CatalogEntry[], builtIn.currency);
  return builtInCatalog;
}

/** Fast lookups over one catalog. */
export class CatalogIndex {
  private readonly byKey = new Map<string, SimCatalogOffer>();
  constructor(readonly catalog: SimCatalog) {
    for (const offer of catalog.offers) this.byKey.set(offer.offer, offer);
  }

  /** By `PRODUCT:SKU`. */
  offer(key: string): SimCatalogOffer | undefined {
    return this.byKey.get(key);
  }

  /** By Graph SKU id (`provisioningId`, any case). */
  offerByProvisioningId(id: string): SimCatalogOffer | undefined {
    const key = id.toLowerCase();
    return this.catalog.offers.find((o) => o.provisioningId?.toLowerCase() === key);
  }

  catalogItemId(offer: CatalogOffer): string {
    return `${offer.offer}:${offer.availabilityId}`;
  }

  sells(offer: CatalogOffer, term: Term, billing: BillingCycle): boolean {
    return offer.terms.some((t) => t.term === term && t.billing === billing);
  }
}
