import type { ObservedSubscription, PlanStep, RenewalInstructions, StepValue } from "../domain/types";
import { quantityAfter } from "./steps";

/** Renewal instructions: comparing them, and what renews when none are scheduled. */

export function sameRenewal(a: RenewalInstructions | null, b: RenewalInstructions | null): boolean {
  if (a === null || b === null) return a === b;
  return a.offer === b.offer && a.term === b.term && a.billing === b.billing && a.quantity === b.quantity;
}

export function renewalValue(r: RenewalInstructions): StepValue {
  return { offer: r.offer, term: r.term, billing: r.billing, quantity: r.quantity };
}

/**
 * What renews when no instructions are scheduled: the same offer, term, billing and seats; a
 * trial converts to the paid offer on a one-year term billed monthly ("Manage trials for new commerce").
 */
export function defaultRenewal(observed: ObservedSubscription, quantity: number): RenewalInstructions {
  if (observed.isTrial) return { offer: observed.offer, term: "P1Y", billing: "monthly", quantity };
  return { offer: observed.offer, term: observed.term, billing: observed.billing, quantity };
}

/** The scheduled instructions, unless they only repeat what renews anyway. */
export function meaningfulSchedule(observed: ObservedSubscription): RenewalInstructions | null {
  const s = observed.scheduledRenewal;
  return s === null || sameRenewal(s, defaultRenewal(observed, observed.quantity)) ? null : s;
}

/** What renews without instructions once the earlier steps ran (their seat count, a term or billing changed now). */
export function renewsAfter(observed: ObservedSubscription, earlier: readonly PlanStep[]): RenewalInstructions {
  const plain = defaultRenewal(observed, quantityAfter(observed, earlier));
  const changed = earlier.find((s) => s.timing !== "blocked" && s.call?.kind === "change-term")?.call;
  return changed?.kind === "change-term" ? { ...plain, term: changed.term, billing: changed.billing } : plain;
}

// ---------------------------------------------------------------------------------------------
// The extended service term (EST). Source: Microsoft Learn, "Use Extended Service Terms (EST) for
// CSP subscriptions": from 4 May 2026 a licence subscription that is not renewed and not
// explicitly cancelled at term end moves into EST, billed monthly at the monthly term rate + 3 %
// (+ 23 % where the offer has no monthly plan), cancellable any time with a prorated refund, until
// cancelled. Eligibility (bought or renewed on/after 1 April 2025, term ending on/after 4 May 2026,
// not a trial) from CloudBlue's and CloudFactory's distributor notes. Prices: rules/catalog.ts.
// ---------------------------------------------------------------------------------------------

export const EST_START = "2026-05-04T00:00:00.000Z";
export const EST_PURCHASED_FROM = "2025-04-01T00:00:00.000Z";

/** Would auto-renew off move this subscription into EST at its term end (instead of ending it)? */
export function estEligible(observed: ObservedSubscription): boolean {
  if (observed.isTrial || observed.quantity === 0) return false;
  if (observed.extendedServiceTerm === true) return true;
  return Date.parse(observed.endDate) >= Date.parse(EST_START) && Date.parse(observed.startDate) >= Date.parse(EST_PURCHASED_FROM);
}
