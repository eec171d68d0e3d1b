import type { IsoDate, ObservedSubscription } from "../domain/types";

/** Seat counts a rule reads from a subscription's refundable lots and windows. */

/**
 * Seats removable at `now`: the lots whose window is still open. `allowedUntil` is the last
 * instant allowed, inclusive — as for `cancellationAllowedUntilDate`, and as the simulator judges.
 */
export function refundableAt(observed: ObservedSubscription, now: Date): number {
  return observed.refundableLots
    .filter((lot) => Date.parse(lot.allowedUntil) >= now.getTime())
    .reduce((sum, lot) => sum + lot.quantity, 0);
}

/** When the last reduction window closed (for messages); null when nothing says. */
export function lastClosedWindow(observed: ObservedSubscription, now: Date): IsoDate | null {
  const closed = [...observed.refundableLots.map((l) => l.allowedUntil), ...(observed.cancellationAllowedUntil ? [observed.cancellationAllowedUntil] : [])]
    .filter((d) => Date.parse(d) < now.getTime())
    .sort((a, b) => Date.parse(b) - Date.parse(a));
  return closed[0] ?? null;
}
