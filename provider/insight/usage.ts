import type { BillingCycle, Catalog, IsoDate, ObservedSubscription, OfferKey, Term } from "../domain/types";
import { compare } from "../plan/resolve";
import { offerOf, renewalAt, yearlyCost } from "../rules/support";
import { round2, type TenantCustomer } from "./types";

/**
 * Licence usage (`seatplan usage`): per subscription the seats bought, the seats assigned to
 * users and what the unused ones cost a year. Pure: the tenant's data and the catalog come in.
 */

export interface UsageRow {
  readonly subscription: string;
  readonly subscriptionId: string;
  readonly offer: OfferKey;
  readonly product: string;
  readonly term: Term;
  readonly billing: BillingCycle;
  readonly isTrial: boolean;
  /** When the term renews (or ends): the next moment the seat count can go down. */
  readonly renewsAt: IsoDate;
  readonly purchased: number;
  /** Null without usage access. */
  readonly assigned: number | null;
  readonly unused: number | null;
  /** What the unused seats cost a year at this subscription's price; 0 for a trial, null when unknown. */
  readonly unusedAnnualCost: number | null;
}

export interface UsageTotals {
  readonly purchased: number;
  readonly assigned: number | null;
  readonly unused: number | null;
  readonly unusedAnnualCost: number | null;
}

export interface CustomerUsage {
  readonly customer: string;
  readonly name: string;
  readonly tenantId: string;
  readonly usageAvailable: boolean;
  readonly subscriptions: readonly UsageRow[];
  readonly totals: UsageTotals;
}

export interface UsageReport {
  readonly currency: string;
  readonly customers: readonly CustomerUsage[];
  readonly totals: UsageTotals;
}

/** Subscriptions that hold seats now. */
export function holdsSeats(s: ObservedSubscription): boolean {
  return s.status === "active" && s.quantity > 0;
}

/**
 * Seats assigned per subscription. The tenant counts assignments per product, not per
 * subscription, so when a customer has several subscriptions of one offer the assigned seats
 * fill paid subscriptions before trials, and among them the one renewing last first: the unused
 * seats land on the subscription that renews soonest, where they can be dropped first.
 */
export function assignedBySubscription(customer: TenantCustomer): ReadonlyMap<string, number> | null {
  const usage = customer.usage;
  if (usage === null) return null;
  const out = new Map<string, number>();
  const byOffer = new Map<OfferKey, ObservedSubscription[]>();
  for (const s of customer.subscriptions.filter(holdsSeats)) byOffer.set(s.offer, [...(byOffer.get(s.offer) ?? []), s]);
  for (const [offer, subs] of byOffer) {
    let left = usage[offer] ?? 0;
    const order = [...subs].sort((a, b) => Number(a.isTrial) - Number(b.isTrial) || compare(b.endDate, a.endDate) || compare(a.id, b.id));
    for (const s of order) {
      const take = Math.min(s.quantity, left);
      out.set(s.id, take);
      left -= take;
    }
  }
  return out;
}

export function usageReport(customers: readonly TenantCustomer[], catalog: Catalog): UsageReport {
  const report = customers.map((c): CustomerUsage => {
    const assigned = assignedBySubscription(c);
    const rows = c.subscriptions
      .filter(holdsSeats)
      .sort((a, b) => compare(a.friendlyName, b.friendlyName) || compare(a.id, b.id))
      .map((s): UsageRow => {
        const a = assigned === null ? null : (assigned.get(s.id) ?? 0);
        const unused = a === null ? null : s.quantity - a;
        const cost = unused === null ? undefined : s.isTrial ? 0 : yearlyCost(catalog, s, unused);
        return {
          subscription: s.friendlyName,
          subscriptionId: s.id,
          offer: s.offer,
          product: offerOf(catalog, s.offer)?.name ?? s.offerName,
          term: s.term,
          billing: s.billing,
          isTrial: s.isTrial,
          renewsAt: renewalAt(s.endDate),
          purchased: s.quantity,
          assigned: a,
          unused,
          unusedAnnualCost: cost === undefined ? null : round2(cost),
        };
      });
    return { customer: c.key, name: c.name, tenantId: c.tenantId, usageAvailable: assigned !== null, subscriptions: rows, totals: totalsOf(rows) };
  });
  return { currency: catalog.currency, customers: report, totals: totalsOf(report.flatMap((c) => c.subscriptions)) };
}

function totalsOf(rows: readonly UsageRow[]): UsageTotals {
  const sum = (pick: (r: UsageRow) => number | null): number | null =>
    rows.reduce<number | null>((acc, r) => (acc === null || pick(r) === null ? null : acc + (pick(r) ?? 0)), 0);
  const cost = sum((r) => r.unusedAnnualCost);
  return {
    purchased: rows.reduce((n, r) => n + r.purchased, 0),
    assigned: sum((r) => r.assigned),
    unused: sum((r) => r.unused),
    unusedAnnualCost: cost === null ? null : round2(cost),
  };
}
