import type { CatalogOffer, OfferKey, PlanWarning } from "../domain/types";
import { costDelta, offerOf, yearlyCost } from "./catalog";
import { makeStep, plural, warning, withFix } from "./steps";
import { NOTHING, type Rule, type Subject } from "./types";

/**
 * The Business family of Microsoft's licence terms (Service Description "Microsoft 365 and
 * Office 365 plan options", M365 Business FAQ): "Organizations may only provision up to 300 seats
 * total across all of our Business family of plans" — Business Basic, Standard, Premium and Apps
 * for business. Apps for enterprise and every other offer keep their own catalog maximum.
 */
export const BUSINESS_FAMILY_PRODUCTS: readonly string[] = ["CFQ7TTC0LH18", "CFQ7TTC0LDPB", "CFQ7TTC0LCHC", "CFQ7TTC0LH1G"];
export const BUSINESS_FAMILY_CAP = 300;

export function inBusinessFamily(offer: OfferKey): boolean {
  return BUSINESS_FAMILY_PRODUCTS.includes(offer.split(":")[0] ?? "");
}

/**
 * Seats of the customer's other subscriptions when this entry's steps run (the planner counts the
 * steps of the entries planned before it): Partner Center pools a product SKU's maximum on the
 * customer tenant ("Offer limits in new commerce": 403 800088 with the remaining count).
 */
export interface SeatPool {
  /** Seats of `offer` held by the customer's other active subscriptions. */
  held(offer: OfferKey): number;
  /** Seats of the Business family held by the customer's other active subscriptions. */
  readonly businessHeld: number;
  readonly businessSeatCap: "warn" | "block";
}

/** Seats a subscription of `offer` may hold given what the others hold (pooled per product SKU). */
export function remainingFor(offer: CatalogOffer, pool: SeatPool | undefined): number {
  return Math.max(0, offer.maxQuantity - (pool?.held(offer.offer) ?? 0));
}

export function poolReason(offer: CatalogOffer, pool: SeatPool | undefined, requested: number): string {
  const held = pool?.held(offer.offer) ?? 0;
  const remaining = remainingFor(offer, pool);
  return held === 0
    ? `${offer.name} allows ${offer.minQuantity} to ${offer.maxQuantity} seats per customer (Partner Center pools the SKU's maximum on the tenant); ${requested} asked`
    : `${offer.name} allows ${offer.maxQuantity} seats per customer across its subscriptions (pooled on the tenant); the others hold ${held}, so ${remaining} remain for this one and ${requested} are asked`;
}

/** The SKU's seat bounds: the minimum per subscription, the maximum pooled per customer (2002 / 403 800088). */
export const seatLimits: Rule = {
  id: "seat-limits",
  rationale: "A SKU's minimum applies per subscription and its maximum per customer, pooled across its subscriptions (403 800088).",
  evaluate(subject) {
    const { observed, catalog, desired } = subject;
    const offer = offerOf(catalog, observed.offer);
    if (subject.desired.status !== "active" || offer === undefined || subject.quantity === observed.quantity) return NOTHING;
    const remaining = remainingFor(offer, subject.pool);
    const tooMany = subject.quantity > observed.quantity && subject.quantity > remaining;
    const bound = tooMany ? Math.max(remaining, observed.quantity) : subject.quantity < offer.minQuantity ? offer.minQuantity : null;
    if (bound === null) return NOTHING;
    // The YAML quantity may differ from the subscription's own target (upgrades move seats).
    const yamlBound = bound - (subject.quantity - desired.quantity);
    return {
      steps: [
        makeStep(subject, {
          action: subject.quantity > observed.quantity ? "increase-quantity" : "decrease-quantity",
          timing: "blocked",
          from: observed.quantity,
          to: subject.quantity,
          rule: seatLimits.id,
          reason: tooMany ? poolReason(offer, subject.pool, subject.quantity) : `${offer.name} allows ${offer.minQuantity} to ${offer.maxQuantity} seats per subscription`,
          cost: costDelta(catalog, yearlyCost(catalog, observed, subject.quantity), yearlyCost(catalog, observed, observed.quantity)),
          call: { kind: "set-quantity", quantity: subject.quantity },
          ...withFix(
            [{ path: "quantity", value: yamlBound }],
            tooMany ? `to stay within the ${remaining} seats that remain of the SKU's pooled maximum` : "to stay within the SKU's seat limits",
          ),
        }),
      ],
      warnings: [],
    };
  },
};

/** The Business family's 300 seats together: a warning, or a blocked step under `policy.businessSeatCap: block`. */
export const businessSeatCap: Rule = {
  id: "business-seat-cap",
  rationale: "Microsoft's licence terms cap the Business family (Basic, Standard, Premium, Apps for business) at 300 seats per customer together.",
  evaluate(subject, earlier) {
    const { observed, catalog, desired } = subject;
    if (desired.status !== "active" || subject.pool === undefined || subject.quantity <= observed.quantity || !inBusinessFamily(observed.offer)) return NOTHING;
    if (earlier.some((s) => s.rule === "seat-limits")) return NOTHING;
    const over = businessOver(subject.pool, subject.quantity);
    if (over === null) return NOTHING;
    if (subject.pool.businessSeatCap === "warn") return { steps: [], warnings: [businessWarning(subject, over)] };
    const bound = Math.max(over.left, observed.quantity) - (subject.quantity - desired.quantity);
    const step = makeStep(subject, {
      action: "increase-quantity",
      timing: "blocked",
      from: observed.quantity,
      to: subject.quantity,
      rule: businessSeatCap.id,
      reason: `${over.total} seats across the Business family (Basic, Standard, Premium, Apps for business) would pass the 300 Microsoft's licence terms allow per customer (policy.businessSeatCap: block)`,
      cost: costDelta(catalog, yearlyCost(catalog, observed, subject.quantity), yearlyCost(catalog, observed, observed.quantity)),
      call: { kind: "set-quantity", quantity: subject.quantity },
      ...withFix([{ path: "quantity", value: bound }], `to stay within the ${plural(over.left, "seat")} left of the Business family's 300`),
    });
    return { steps: [step], warnings: [] };
  },
};

/** The family total with `seats` more on this subscription, when it passes 300; null when it does not. */
export function businessOver(pool: SeatPool, seats: number): { readonly total: number; readonly left: number } | null {
  const total = pool.businessHeld + seats;
  return total > BUSINESS_FAMILY_CAP ? { total, left: Math.max(0, BUSINESS_FAMILY_CAP - pool.businessHeld) } : null;
}

export function businessWarning(subject: Pick<Subject, "customer" | "desired">, over: { readonly total: number; readonly left: number }): PlanWarning {
  return warning(
    subject,
    "business-seat-cap",
    `${over.total} seats across the Business family (Basic, Standard, Premium, Apps for business) pass the 300 Microsoft's licence terms allow per customer ` +
      `(${plural(over.left, "seat")} left): Partner Center may accept the order, but Microsoft reserves the right to enforce the cap; ` +
      "set policy.businessSeatCap: block to refuse such changes",
  );
}
