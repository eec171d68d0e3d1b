import type { BillingCycle, Catalog, DesiredSubscription, IsoDate, PlanStep, Term, YamlEdit } from "../domain/types";
import { businessOver, inBusinessFamily, poolReason, remainingFor, type SeatPool } from "./seat-limits";
import { dayText, isoOf, termEnd } from "../domain/time";
import { stableId } from "../domain/ids";
import { costDelta, offerOf, yearlyCost } from "./catalog";
import { withFix } from "./steps";

/** An entry that matched no live subscription, with what the planner resolved for it. */
export interface PurchaseSubject {
  readonly customer: string;
  /** The customer's tenant id (part of the idempotency key). */
  readonly tenantId: string;
  readonly desired: DesiredSubscription;
  readonly catalog: Catalog;
  readonly now: Date;
  /** `alignEndDate`, resolved: the end date to buy with, or why there is none. */
  readonly alignment: { readonly date: IsoDate } | { readonly problem: string } | undefined;
  /**
   * Ids of the entry's earlier subscriptions that ended (deleted or expired, same friendly name):
   * buying again after one is a new purchase, not a replay of the one that was cancelled.
   */
  readonly ended: readonly string[];
  /** The customer's other seats (pooled SKU maximum, Business family cap); undefined: not checked. */
  readonly pool?: SeatPool;
}

interface Refusal {
  readonly reason: string;
  readonly edits: readonly YamlEdit[];
  readonly purpose: string;
  /** The backend would refuse the purchase itself (not only the planner, for what else the entry asks). */
  readonly callRefused: boolean;
}

/** An entry without a live subscription is bought, if the catalog sells what it asks for. */
export const purchase = {
  id: "purchase",
  rationale: "An entry that matches no live subscription is bought, with the offer, term, billing and seats the catalog sells.",
  evaluate(subject: PurchaseSubject): PlanStep {
    const { desired, catalog, now } = subject;
    const endDate = subject.alignment !== undefined && "date" in subject.alignment ? subject.alignment.date : undefined;
    const cost = costDelta(catalog, yearlyCost(catalog, desired, desired.quantity), 0);
    const to = {
      offer: desired.offer,
      quantity: desired.quantity,
      term: desired.term,
      billing: desired.billing,
      endDate: termEnd(now, desired.term, endDate),
    };
    const base = {
      customer: subject.customer,
      subscription: desired.key,
      subscriptionId: null,
      action: "purchase",
      from: null,
      to,
      rule: purchase.id,
      cost,
    } as const;
    const request = {
      offer: desired.offer,
      ...(desired.availabilityId === undefined ? {} : { availabilityId: desired.availabilityId }),
      quantity: desired.quantity,
      term: desired.term,
      billing: desired.billing,
      friendlyName: desired.friendlyName,
      ...(endDate === undefined ? {} : { customTermEndDate: endDate }),
      // Same entry, same purchase: a retried or replayed checkout buys once.
      idempotencyKey: stableId(["purchase", subject.tenantId, desired.key, desired.offer, desired.term, desired.billing, desired.quantity, desired.friendlyName, endDate, ...subject.ended]),
    };
    const call = { kind: "purchase", request } as const;
    const refusal = refuse(subject);
    if (refusal !== null) {
      return {
        ...base,
        timing: "blocked",
        effectiveAt: null,
        reason: refusal.reason,
        ...(refusal.callRefused ? { call } : {}),
        ...withFix(refusal.edits, refusal.purpose),
      };
    }
    return {
      ...base,
      timing: "now",
      effectiveAt: isoOf(now),
      reason: endDate === undefined ? null : `ends on ${dayText(endDate)} (alignEndDate)`,
      hint: null,
      call,
    };
  },
};

function refuse(subject: PurchaseSubject): Refusal | null {
  const { desired, catalog } = subject;
  if (desired.upgrade !== undefined) {
    return {
      reason: "the subscription does not exist yet, so there is nothing to upgrade",
      edits: [
        { path: "offer", value: desired.upgrade.to },
        { path: "upgrade", value: null },
      ],
      purpose: "to buy the upgraded offer directly",
      callRefused: false,
    };
  }
  const offer = offerOf(catalog, desired.offer);
  if (offer === undefined) {
    return { reason: `${desired.offer} is not in the catalog`, edits: [{ path: "", value: null }], purpose: "(there is nothing to buy)", callRefused: true };
  }
  if (!offer.terms.some((t) => t.term === desired.term && t.billing === desired.billing)) {
    const sold = closestSold(offer.terms, desired.term, desired.billing);
    if (sold === undefined) {
      return { reason: `${offer.name} is not sold with any term`, edits: [{ path: "", value: null }], purpose: "(there is nothing to buy)", callRefused: true };
    }
    return {
      reason: `${offer.name} is not sold as ${desired.term}/${desired.billing} (sold: ${offer.terms.map((t) => `${t.term}/${t.billing}`).join(", ")})`,
      edits: [
        { path: "term", value: sold.term },
        { path: "billing", value: sold.billing },
      ],
      purpose: "to buy a combination the catalog sells",
      callRefused: true,
    };
  }
  if (desired.quantity < offer.minQuantity) {
    const bound = offer.minQuantity;
    return {
      reason: `${offer.name} allows ${offer.minQuantity} to ${offer.maxQuantity} seats per subscription`,
      edits: [{ path: "quantity", value: bound }],
      purpose: "to stay within the SKU's seat limits",
      callRefused: true,
    };
  }
  const remaining = remainingFor(offer, subject.pool);
  if (desired.quantity > remaining) {
    return {
      reason: poolReason(offer, subject.pool, desired.quantity),
      edits: remaining >= offer.minQuantity ? [{ path: "quantity", value: remaining }] : [{ path: "", value: null }],
      purpose: remaining >= offer.minQuantity ? `to buy the ${remaining} seats that remain of the SKU's pooled maximum` : "(the SKU's pooled maximum is reached: nothing is left to buy)",
      callRefused: true,
    };
  }
  const over = subject.pool !== undefined && inBusinessFamily(desired.offer) ? businessOver(subject.pool, desired.quantity) : null;
  if (over !== null && subject.pool?.businessSeatCap === "block") {
    return {
      reason: `${over.total} seats across the Business family (Basic, Standard, Premium, Apps for business) would pass the 300 Microsoft's licence terms allow per customer (policy.businessSeatCap: block)`,
      edits: over.left >= offer.minQuantity ? [{ path: "quantity", value: over.left }] : [{ path: "", value: null }],
      purpose: over.left >= offer.minQuantity ? `to stay within the ${over.left} seats left of the Business family's 300` : "(the Business family's 300 seats are taken)",
      callRefused: false,
    };
  }
  if (subject.alignment !== undefined && "problem" in subject.alignment) {
    return {
      reason: subject.alignment.problem,
      edits: [{ path: "alignEndDate", value: null }],
      purpose: "to buy with a standard term end date",
      callRefused: false,
    };
  }
  return null;
}

const TERM_MONTHS: Readonly<Record<Term, number>> = { P1M: 1, P1Y: 12, P3Y: 36 };
const BILLING_MONTHS: Readonly<Record<BillingCycle, number>> = { monthly: 1, annual: 12, triennial: 36 };

/**
 * The sold combination nearest to what the YAML asked for: the closest term (a P3Y request is
 * offered P1Y before P1M), then the closest billing frequency.
 */
function closestSold<T extends { readonly term: Term; readonly billing: BillingCycle }>(sold: readonly T[], term: Term, billing: BillingCycle): T | undefined {
  const distance = (t: T): [number, number] => [
    Math.abs(Math.log(TERM_MONTHS[t.term] / TERM_MONTHS[term])),
    Math.abs(Math.log(BILLING_MONTHS[t.billing] / BILLING_MONTHS[billing])),
  ];
  return [...sold].sort((a, b) => {
    const [da, db] = [distance(a), distance(b)];
    return da[0] - db[0] || da[1] - db[1];
  })[0];
}
