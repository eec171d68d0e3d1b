import type { IsoDate, ObservedSubscription, PlanStep } from "../domain/types";
import { isoOf } from "../rules/support";

/**
 * The instant until which a step can run as planned, when a window decides it (issue 8): a PR
 * merged after it would be blocked or do something else than what was reviewed. Pure: the
 * windows are the ones the subscription reported when it was read.
 *
 * - a reduction now: until the seats to remove stop being refundable — the k-th latest
 *   `allowedUntil` of the open batches, k being the seats removed;
 * - a cancel now: `cancellationAllowedUntil`;
 * - a renewal-time change (schedule, clear, end at term end, deferred reduction): until the
 *   last day of the term starts (00:00 UTC), after which the renewal may already be under way.
 */
export function deadlineOf(step: PlanStep, live: ObservedSubscription, now: Date): IsoDate | null {
  if (step.timing === "blocked" || step.subscriptionId === null) return null;
  if (step.timing === "at-renewal") return isoOf(Date.parse(live.endDate));
  if (step.timing !== "now") return null;
  if (step.action === "cancel") return live.cancellationAllowedUntil === null ? null : isoOf(Date.parse(live.cancellationAllowedUntil));
  if (step.action === "decrease-quantity" && typeof step.from === "number" && typeof step.to === "number") {
    const seats = step.from - step.to;
    const open = live.refundableLots
      .filter((lot) => Date.parse(lot.allowedUntil) >= now.getTime())
      .flatMap((lot) => Array.from({ length: Math.max(0, Math.min(lot.quantity, seats)) }, () => Date.parse(lot.allowedUntil)))
      .sort((a, b) => b - a);
    const last = open[seats - 1];
    return last === undefined ? null : isoOf(last);
  }
  return null;
}

/** The steps with their deadlines (a step without a window gets none). */
export function withDeadlines(steps: readonly PlanStep[], live: ObservedSubscription, now: Date): PlanStep[] {
  return steps.map((s) => {
    const deadline = deadlineOf(s, live, now);
    return deadline === null ? s : { ...s, deadline };
  });
}

/** The earliest deadline of a plan's steps; null when none has one. */
export function earliestDeadline(steps: readonly PlanStep[]): IsoDate | null {
  const all = steps.map((s) => s.deadline).filter((d): d is IsoDate => typeof d === "string");
  return all.sort((a, b) => Date.parse(a) - Date.parse(b))[0] ?? null;
}
