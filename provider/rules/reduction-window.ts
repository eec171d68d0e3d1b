import type { PlanStep, YamlEdit } from "../domain/types";
import { renewalRefusal } from "./renewal-schedule";
import { deferredReduction, renewalCost, renewalTarget } from "./renewal-target";
import { dayText, instantText, renewalAt } from "../domain/time";
import { costDelta, offerOf, yearlyCost } from "./catalog";
import { meaningfulSchedule, sameRenewal } from "./renewal";
import { lastClosedWindow, refundableAt } from "./seats";
import { isImmediate, makeStep, plural, withFix, withoutRenewal } from "./steps";
import { NOTHING, type Rule, type Subject } from "./types";

/**
 * The YAML that makes a refused reduction work: keep the seats that cannot go now (those past
 * their window, and those assigned to users) and reduce at renewal instead.
 */
export function reductionFix(subject: Subject): { readonly hint: string; readonly fix: readonly YamlEdit[] } {
  const { observed, desired, now } = subject;
  // The YAML quantity can differ from the subscription's own target (seats an upgrade moved).
  const offset = subject.quantity - desired.quantity;
  const keep = Math.max(observed.quantity - refundableAt(observed, now), subject.assignedSeats ?? 0, subject.quantity);
  const edits: YamlEdit[] = [{ path: "quantity", value: keep - offset }];
  const when = dayText(renewalAt(observed.endDate));
  const removable = observed.quantity - keep;
  if (subject.capabilities?.renewalQuantity === false) {
    // The backend cannot schedule the lower seat count: keep the seats, reduce in the next window.
    if (desired.renewal?.quantity !== undefined) edits.push(...withoutRenewal(desired, ["quantity"]));
    const backend = subject.backend ?? "this backend";
    const now = removable > 0 ? `to remove ${plural(removable, "seat")} now and keep the rest` : "to keep the seats";
    return withFix(edits, `${now} (the ${backend} backend cannot schedule a reduction for the renewal: reduce inside the new term's cancellation window, which opens on ${when})`);
  }
  if (desired.renewal?.quantity !== undefined) {
    return withFix(edits, `to keep the seats that cannot be removed now (renewal.quantity reduces at renewal on ${when})`);
  }
  edits.push({ path: "renewal.quantity", value: subject.quantity });
  if (!desired.autoRenew) edits.push({ path: "autoRenew", value: true });
  const purpose =
    removable > 0
      ? `to remove ${plural(removable, "seat")} now and reduce to ${subject.quantity} at renewal on ${when}`
      : `to reduce at renewal on ${when}`;
  return withFix(edits, purpose);
}

/**
 * The note a reduction carries when the backend reports no seat batches (capability `seatLots`
 * false): the window is judged on `cancellationAllowedUntil` alone, and the plan says so.
 */
export function seatLotsNote(subject: Subject): string | null {
  if (subject.capabilities?.seatLots !== false) return null;
  const until = subject.observed.cancellationAllowedUntil;
  const backend = subject.backend ?? "this backend";
  return `judged on cancellationAllowedUntil only: the ${backend} backend reports no seat batches, so ${
    until === null ? "no seat counts as removable" : `every seat counts as removable until ${instantText(until)} and none after`
  }`;
}

function withNote(reason: string | null, note: string | null): string | null {
  if (note === null) return reason;
  return reason === null ? note : `${reason} (${note})`;
}

/** Seats can only be removed within their window; later, only at renewal. */
export const reductionWindow: Rule = {
  id: "reduction-window",
  rationale: "Seats can only be removed within 7 days (168 h) of being added, each batch in its own window; later only at renewal.",
  evaluate(subject, earlier) {
    const { observed, catalog, now } = subject;
    const target = subject.quantity;
    if (subject.desired.status !== "active" || target >= observed.quantity || earlier.some((s) => (s.rule === "seat-limits" || s.rule === "business-seat-cap") || s.rule === "assigned-seats")) return NOTHING;
    const removed = observed.quantity - target;
    const refundable = refundableAt(observed, now);
    const cost = costDelta(catalog, yearlyCost(catalog, observed, target), yearlyCost(catalog, observed, observed.quantity));
    const base = { action: "decrease-quantity", from: observed.quantity, to: target, rule: reductionWindow.id } as const;
    const note = seatLotsNote(subject);
    if (removed <= refundable) {
      const step = makeStep(subject, { ...base, timing: "now", cost, call: { kind: "set-quantity", quantity: target }, ...(note === null ? {} : { reason: note }) });
      return { steps: [step], warnings: [] };
    }
    const closed = lastClosedWindow(observed, now);
    const why =
      refundable > 0
        ? `only ${refundable} of the ${removed} seats to remove are still refundable`
        : closed !== null
          ? `the reduction window closed on ${instantText(closed)}`
          : "no seats are refundable now";
    if (deferredReduction(subject, earlier) !== undefined) {
      // The seats still refundable go now (their refund would be lost at renewal); the rest at renewal.
      const steps: PlanStep[] = [];
      const min = offerOf(catalog, observed.offer)?.minQuantity ?? 1;
      const now = Math.min(refundable, observed.quantity - Math.max(target, min));
      if (now > 0) {
        const to = observed.quantity - now;
        steps.push(
          makeStep(subject, {
            ...base,
            to,
            timing: "now",
            reason: `${plural(now, "seat")} ${now === 1 ? "is" : "are"} still refundable: removed now; the other ${removed - now} at renewal (policy.reductions: defer)`,
            cost: costDelta(catalog, yearlyCost(catalog, observed, to), yearlyCost(catalog, observed, observed.quantity)),
            call: { kind: "set-quantity", quantity: to },
          }),
        );
      }
      const before = [...earlier, ...steps];
      const instructions = renewalTarget(subject, before);
      if (instructions === null) return { steps, warnings: [] };
      if (!before.some(isImmediate) && sameRenewal(meaningfulSchedule(observed), instructions)) return { steps, warnings: [] };
      // The deferral is a renewal schedule: what the catalog refuses there is refused here too.
      const refusal = renewalRefusal(subject, instructions, earlier);
      const step = makeStep(subject, {
        ...base,
        from: refusal === null ? observed.quantity - now : observed.quantity,
        timing: refusal === null ? "at-renewal" : "blocked",
        reason: withNote(refusal === null ? `${why}; policy.reductions: defer reduces at renewal` : `${why}, and it cannot be deferred: ${refusal.reason}`, note),
        cost: renewalCost(subject, before, instructions),
        call: { kind: "schedule-renewal", instructions },
        ...(refusal === null ? {} : withFix(refusal.edits, refusal.purpose)),
      });
      // A refused deferral must not half-run: the seats stay until the YAML is fixed.
      return { steps: refusal === null ? [...steps, step] : [step], warnings: [] };
    }
    const refused = makeStep(subject, { ...base, timing: "blocked", reason: withNote(why, note), cost, call: { kind: "set-quantity", quantity: target }, ...reductionFix(subject) });
    return { steps: [refused], warnings: [] };
  },
};
