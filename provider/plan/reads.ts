import type { DesiredCustomer, ObservedSubscription, Term } from "../domain/types";
import { resolveCustomer } from "./resolve";

/** The reads a customer needs beyond its subscription list, so a plan costs one call per customer plus only what it uses. */
export interface CustomerReads {
  /** Source subscriptions of upgrades not done yet. */
  readonly eligibilities: readonly string[];
  /** A reduction or a cancel is planned (now, deferred or at renewal): the assigned-seat guard needs usage. */
  readonly usage: boolean;
  /** Aligned purchases: the end dates to ask for, by subscription key. */
  readonly termEndDates: readonly { readonly key: string; readonly term: Term; readonly cotermSubscriptionId?: string }[];
}

export function readsFor(customer: DesiredCustomer, live: readonly ObservedSubscription[]): CustomerReads {
  const resolved = resolveCustomer(customer, live);
  const matched = (key: string): ObservedSubscription | null => {
    const m = resolved.find((r) => r.desired.key === key)?.match;
    return m !== undefined && (m.kind === "id" || m.kind === "friendlyName") ? m.observed : null;
  };
  const eligibilities: string[] = [];
  const termEndDates: { key: string; term: Term; cotermSubscriptionId?: string }[] = [];
  let usage = false;
  for (const r of resolved) {
    const { desired } = r;
    if (desired.status !== "active") {
      // Cancelling takes every seat away: the assigned-seat check warns about the users on it.
      if ((r.match.kind === "id" || r.match.kind === "friendlyName") && r.match.observed.status === "active") usage = true;
      continue;
    }
    if (r.match.kind === "none" && desired.alignEndDate !== undefined) {
      const align = desired.alignEndDate;
      if (align === "calendar-month") termEndDates.push({ key: desired.key, term: desired.term });
      else {
        const target = matched(align.subscription);
        if (target !== null) termEndDates.push({ key: desired.key, term: desired.term, cotermSubscriptionId: target.id });
      }
    }
    if (r.match.kind !== "id" && r.match.kind !== "friendlyName") continue;
    const observed = r.match.observed;
    if (r.upgrade?.state === "pending" && observed.status === "active") eligibilities.push(observed.id);
    if (Math.min(r.quantity, desired.renewal?.quantity ?? r.quantity) < observed.quantity) usage = true;
  }
  return { eligibilities, usage, termEndDates };
}
