/**
 * EVERY UNDOCUMENTED POINT of the CloudCockpit API that seatplan relies on lives in this file
 * (README "CloudCockpit: unconfirmed points" lists them with their number). The public docs
 * (reference: cloudcockpit.md) are silent or cut off on each of them; the simulator's
 * `/cloudcockpit` facade implements the same choices, so a test over it proves the backend is
 * consistent with them — not that CloudCockpit behaves so. When one proves wrong on a real
 * portal, it is fixed here and nowhere else.
 */
import type { CatalogOffer, IsoDate, LicenceUsage, OfferKey, SeatLot } from "../domain/types";
import { type CcLicence, type CcSubscriptionItem, enumName } from "./cloudcockpit";

/** A1 — path casing. The docs mix `/v1/Customers` and `/v1/customers`; the third-party client uses lower case. */
export const PATHS = {
  customers: "/v1/customers",
  subscriptions: (c: string) => `/v1/customers/${enc(c)}/subscriptions`,
  subscription: (c: string, s: string) => `/v1/customers/${enc(c)}/subscriptions/${enc(s)}`,
  eligibleTransitions: (c: string, s: string) => `/v1/customers/${enc(c)}/subscriptions/${enc(s)}/eligible-transitions`,
  upgrade: (c: string, s: string) => `/v1/customers/${enc(c)}/subscriptions/${enc(s)}/upgrade`,
  licences: (c: string) => `/v1/customers/${enc(c)}/licenses`,
  orders: "/v1/Orders",
  customerOrders: (c: string) => `/v1/Orders/customers/${enc(c)}`,
  offers: "/v1/Offers",
} as const;

function enc(value: string): string {
  return encodeURIComponent(value);
}

/**
 * A2 — customer search. The docs name the search fields (`ProviderCustomerId` among them) but the
 * query parameter names are cut off: `searchField` / `searchValue` are assumed. The answer is
 * checked item by item, so a portal that ignores the filter costs pages, not a wrong match.
 */
export function customerSearchQuery(tenantId: string): Record<string, string> {
  return { searchField: "ProviderCustomerId", searchValue: tenantId };
}

/** A3 — the customer's Partner Center tenant id is in `providerCustomerId`. */
export function providerCustomerIdOf(item: { readonly providerCustomerId?: string | null }): string | null {
  return typeof item.providerCustomerId === "string" && item.providerCustomerId !== "" ? item.providerCustomerId : null;
}

/** A4 — page size of every list (the docs allow 1–2000; the third-party client uses 250). Bounded by `MAX_PAGES`. */
export const PAGE_SIZE = 250;
export const MAX_PAGES = 200;

/**
 * A5 — auto-renew in list items. The visible part of the documented list item has no auto-renew
 * field (the third-party client reads `autoRenewal`). seatplan reads `autoRenewEnabled` (the
 * detail view's name), else `autoRenewal`; when neither is there it fetches that subscription's
 * detail view — correct, one more call per subscription.
 */
export function autoRenewOf(item: CcSubscriptionItem): boolean | undefined {
  if (typeof item.autoRenewEnabled === "boolean") return item.autoRenewEnabled;
  if (typeof item.autoRenewal === "boolean") return item.autoRenewal;
  return undefined;
}

/**
 * A6 — `providerOfferId` is Partner Center's `PRODUCT:SKU` and `providerOfferIdWithAvailability`
 * its `PRODUCT:SKU:AVAILABILITY` (inferred from the names; format not documented). An id with an
 * availability part is cut to `PRODUCT:SKU`.
 */
export function offerKeyOfProviderOfferId(providerOfferId: string): OfferKey | null {
  const parts = providerOfferId.split(":");
  if (parts.length < 2 || !parts[0] || !parts[1]) return null;
  return `${parts[0]}:${parts[1]}`.toUpperCase();
}

export function availabilityOfProviderOfferId(id: string | null | undefined): string {
  return id?.split(":")[2] ?? "";
}

/**
 * A7 — seat batches are not exposed (no refundable quantity): every seat is taken as removable
 * until `cancellationAllowedUntil`, none after. Seats added mid-term after that window are
 * therefore judged non-removable (the safe side); the planner says so on every reduction
 * (capability `seatLots: false`).
 */
export function seatLotsOf(quantity: number, cancellationAllowedUntil: IsoDate | null): SeatLot[] {
  return cancellationAllowedUntil !== null && quantity > 0 ? [{ quantity, allowedUntil: cancellationAllowedUntil }] : [];
}

/**
 * A8 — `autoRenewSettings` carries the next term's `term` and `billingFrequency` only: the
 * visible schema has no seat count and no offer, so a renewal quantity or offer cannot be
 * scheduled (capabilities `renewalQuantity` / `renewalOffer` false). A PATCH sends the current
 * settings back unchanged when nothing about the renewal changes.
 */
export const AUTO_RENEW_SETTINGS_HAVE_QUANTITY = false;
export const AUTO_RENEW_SETTINGS_HAVE_OFFER = false;

/**
 * A9 — the outcome of an asynchronous write (PATCH, DELETE, upgrade: 202 with no operation id;
 * the PATCH success code is not documented) is learnt only by re-reading the subscription until
 * it shows the change. A 2xx of any kind is taken as "accepted", never as "done".
 */
export const CONVERGENCE = { intervalMs: 2000, maxReads: 30 } as const;

/**
 * A10 — 409 on a write means another asynchronous change of the same subscription is still being
 * processed (the DELETE docs show a 409 whose body starts with the portal's view of the
 * subscription; the rest is cut off). Nothing was accepted: seatplan re-reads until the
 * subscription reads differently (the other change shows), then decides the write again from
 * that read — a full model built on the old view would undo the other change. Bounded: after
 * `CONVERGENCE.maxReads` unchanged reads it decides from the last one.
 */
export const CONFLICT_STATUS = 409;

/**
 * A11 — `POST /v1/Orders` takes an optional order `id`; the docs do not say a resent id is
 * deduplicated, so an order is never resent. seatplan sets `id` (derived from the purchase's
 * idempotency key) and recognises its subscription by the list item's `orderId` equal to it.
 */
export function subscriptionOfOrder(items: readonly CcSubscriptionItem[], orderId: string): CcSubscriptionItem | undefined {
  return items.find((s) => typeof s.orderId === "string" && s.orderId.toLowerCase() === orderId.toLowerCase());
}

/** A12 — the order `status` names: Completed and Failed are final, the rest (Processing, Provisioning) still running. */
export function orderState(status: unknown): "running" | "completed" | "failed" {
  const s = enumName(status);
  return s === "completed" ? "completed" : s === "failed" ? "failed" : "running";
}

/**
 * A13 — `providerInstanceId` (needed by orders and licences) is taken from the customer's
 * subscriptions, else from the offer being bought (both carry it); the provider-instances
 * endpoint's answer is not documented.
 */
export function providerInstanceOf(items: readonly CcSubscriptionItem[]): string | null {
  return items.find((s) => typeof s.providerInstanceId === "string" && s.providerInstanceId !== "")?.providerInstanceId ?? null;
}

/**
 * A14 — licence usage (`/licenses`) is keyed by `skuId`, the Microsoft Graph SKU GUID, with the
 * product's display `name`; neither is Partner Center's `PRODUCT:SKU`. An item is matched to a
 * catalog offer by `skuId` when it is already `PRODUCT:SKU`, else by its exact name; an item
 * that matches nothing is left out (the assigned-seat guard then does not know that offer).
 */
export function licenceUsageOf(items: readonly CcLicence[], offers: readonly CatalogOffer[]): LicenceUsage {
  const usage: Record<OfferKey, number> = {};
  const byName = new Map(offers.map((o) => [o.name.toLowerCase(), o.offer]));
  for (const item of items) {
    const direct = /^[A-Z0-9]+:[A-Z0-9]+$/i.test(item.skuId) ? item.skuId.toUpperCase() : undefined;
    const offer = direct ?? byName.get(item.name.toLowerCase());
    if (offer === undefined || !Number.isInteger(item.consumedLicenses)) continue;
    usage[offer] = (usage[offer] ?? 0) + item.consumedLicenses;
  }
  return usage;
}

/** A15 — `endDate` is the inclusive last day of the term, as Partner Center's `commitmentEndDate`. */
export const END_DATE_IS_INCLUSIVE = true;

/** A16 — subscriptions other than licence-based offers (Azure, software, legacy) are left alone; `offerType` absent counts as `License`. */
export function isLicenceItem(item: CcSubscriptionItem): boolean {
  const type = enumName(item.offerType);
  return type === "" || type === "license";
}

/**
 * A17 — `transitionType` of a full upgrade: `transition_only` into a new subscription, and
 * `transition_with_license_transfer` when merging into an existing one (the same values as
 * Partner Center; which one the portal needs for which case is not documented).
 */
export function transitionTypeFor(into: boolean): string {
  return into ? "transition_with_license_transfer" : "transition_only";
}
