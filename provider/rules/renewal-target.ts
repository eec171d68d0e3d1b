import type { PlanStep, RenewalInstructions, StepCost } from "../domain/types";
import { costDelta, lapseYearly, yearlyCost } from "./catalog";
import { defaultRenewal, meaningfulSchedule, renewsAfter, sameRenewal } from "./renewal";
import { refundableAt } from "./seats";
import { quantityAfter } from "./steps";
import type { Subject } from "./types";

/**
 * The quantity a reduction is moved to the renewal with, under `policy.reductions: defer`, when
 * it cannot happen now; undefined otherwise. A deferral needs auto-renew and must not compete
 * with an explicit `renewal.quantity`; a reduction a guard refused is not deferred either.
 */
export function deferredReduction(subject: Subject, earlier: readonly PlanStep[]): number | undefined {
  const { desired, observed, policy, now } = subject;
  if (policy.reductions !== "defer" || desired.status !== "active" || !desired.autoRenew) return undefined;
  if (desired.renewal?.quantity !== undefined || subject.quantity >= observed.quantity) return undefined;
  if (earlier.some((s) => (s.rule === "seat-limits" || s.rule === "business-seat-cap") || s.rule === "assigned-seats")) return undefined;
  if (observed.quantity - subject.quantity <= refundableAt(observed, now)) return undefined;
  return subject.quantity;
}

/**
 * The next-term instructions the YAML asks for once the earlier steps ran, or null when the
 * subscription should simply renew as it is.
 *
 * Offer, term and billing fall back to the live values, not the YAML's: a mid-term change of
 * those is the mid-term-change rule's (blocked) step and must not also be scheduled silently.
 */
export function renewalTarget(subject: Subject, earlier: readonly PlanStep[]): RenewalInstructions | null {
  const { observed, desired } = subject;
  const after = quantityAfter(observed, earlier);
  const r = desired.renewal ?? {};
  // What renews by default (a trial converts to a one-year term billed monthly).
  const plain = renewsAfter(observed, earlier);
  const target: RenewalInstructions = {
    offer: r.offer ?? observed.offer,
    term: r.term ?? plain.term,
    billing: r.billing ?? plain.billing,
    quantity: r.quantity ?? deferredReduction(subject, earlier) ?? after,
  };
  return sameRenewal(target, plain) ? null : target;
}

/**
 * The yearly cost after the renewal as things stand before this step: what the tenant does at
 * term end without the plan (renew as scheduled, move into the extended service term, or end),
 * plus the deltas of the steps planned before this one (they persist). Each renewal-time step is
 * priced against it, so the steps of a subscription add up to what its bill becomes — a schedule
 * an immediate change deletes included.
 */
export function renewalBaseline(subject: Subject, earlier: readonly PlanStep[]): number | undefined {
  const { observed, catalog } = subject;
  let control: number | undefined;
  if (observed.id === "") control = 0; // about to be bought: nothing without the plan
  else if (observed.autoRenew) {
    const renewing = meaningfulSchedule(observed) ?? defaultRenewal(observed, observed.quantity);
    control = yearlyCost(catalog, renewing, renewing.quantity);
  } else control = lapseYearly(catalog, observed, observed.quantity, false);
  if (control === undefined) return undefined;
  return earlier.reduce((sum, s) => (s.timing === "blocked" || s.subscription !== subject.desired.key ? sum : sum + (s.cost?.annualDelta ?? 0)), control);
}

/** Change of the yearly cost after the renewal when `target` (null: the plain renewal) is what renews. */
export function renewalCost(subject: Subject, earlier: readonly PlanStep[], target: RenewalInstructions | null): StepCost | null {
  const { observed, catalog } = subject;
  const after = target ?? renewsAfter(observed, earlier);
  return costDelta(catalog, yearlyCost(catalog, after, after.quantity), renewalBaseline(subject, earlier));
}
