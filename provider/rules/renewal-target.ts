import type { PlanStep, RenewalInstructions, StepCost } from "../domain/types";
import {
  costDelta,
  isImmediate,
  meaningfulSchedule,
  quantityAfter,
  refundableAt,
  renewsAfter,
  sameRenewal,
  yearlyCost,
} from "./support";
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
 * Change of the yearly cost after the renewal when `target` replaces what would renew without
 * the step: the scheduled instructions (unless an earlier immediate change wiped them), else the
 * subscription as it is.
 */
export function renewalCost(subject: Subject, earlier: readonly PlanStep[], target: RenewalInstructions | null): StepCost | null {
  const { observed, catalog } = subject;
  const plain = renewsAfter(observed, earlier);
  const baseline = (!earlier.some(isImmediate) && meaningfulSchedule(observed)) || plain;
  const after = target ?? plain;
  return costDelta(catalog, yearlyCost(catalog, after, after.quantity), yearlyCost(catalog, baseline, baseline.quantity));
}
