import type { ObservedSubscription, RenewalInstructions, StepValue } from "../domain/types";

/** Renewal instructions: comparing them, and what renews when none are scheduled. */

export function sameRenewal(a: RenewalInstructions | null, b: RenewalInstructions | null): boolean {
  if (a === null || b === null) return a === b;
  return a.offer === b.offer && a.term === b.term && a.billing === b.billing && a.quantity === b.quantity;
}

export function renewalValue(r: RenewalInstructions): StepValue {
  return { offer: r.offer, term: r.term, billing: r.billing, quantity: r.quantity };
}

/** What renews when no instructions are scheduled: the same offer, term, billing and seats. */
export function defaultRenewal(observed: ObservedSubscription, quantity: number): RenewalInstructions {
  return { offer: observed.offer, term: observed.term, billing: observed.billing, quantity };
}

/** The scheduled instructions, unless they only repeat what renews anyway. */
export function meaningfulSchedule(observed: ObservedSubscription): RenewalInstructions | null {
  const s = observed.scheduledRenewal;
  return s === null || sameRenewal(s, defaultRenewal(observed, observed.quantity)) ? null : s;
}
