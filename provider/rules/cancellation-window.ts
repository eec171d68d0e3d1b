import type { PlanStep, YamlEdit } from "../domain/types";
import { dayText, instantText, renewalAt } from "../domain/time";
import { costDelta, currentYearly, lapseYearly, offerOf } from "./catalog";
import { refundableAt } from "./seats";
import { makeStep, plural, withFix } from "./steps";
import { renewalBaseline } from "./renewal-target";
import { NOTHING, type Rule, type Subject } from "./types";

/**
 * `status: cancelled` cancels now inside the window (a subscription in the extended service term:
 * any time, prorated). After the window it can only end at term end, and since 4 May 2026 that
 * takes an explicit cancellation at term end — auto-renew off alone moves it into the paid
 * extended service term (Microsoft Learn, "Use Extended Service Terms (EST) for CSP
 * subscriptions"; "NCE cancellation policy" for the 7-day window). Seats added mid-term that are
 * still in their own window are refunded now on the way (they would be paid for nothing).
 *
 * Ending at term end is planned when the YAML consents to it: `policy.reductions: defer`, or
 * `autoRenew: false` on the cancelled entry; otherwise the cancel is blocked and the hint says so.
 */
export const cancellationWindow: Rule = {
  id: "cancellation-window",
  rationale: "A subscription can be cancelled within 7 days of purchase or renewal (in EST any time); later only explicitly at term end.",
  evaluate(subject, earlier) {
    const { desired, observed, catalog, now, policy } = subject;
    if (desired.status !== "cancelled") return NOTHING;
    const until = observed.cancellationAllowedUntil;
    const base = { rule: cancellationWindow.id, from: observed.status, to: "deleted" } as const;
    const est = observed.extendedServiceTerm === true;
    if (est || (until !== null && now.getTime() <= Date.parse(until))) {
      const cost = costDelta(catalog, 0, currentYearly(catalog, observed, observed.quantity));
      const reason = est ? "in the extended service term it can be cancelled any time, with a prorated refund" : null;
      return { steps: [makeStep(subject, { ...base, action: "cancel", timing: "now", reason, cost, call: { kind: "cancel" } })], warnings: [] };
    }
    // Already explicitly ending at term end: nothing left to call.
    if (observed.endsAtTermEnd === true) return NOTHING;
    // Not renewing and not going into EST (a trial, an old term): it ends anyway.
    if (!observed.autoRenew && lapseYearly(catalog, observed, observed.quantity, false) === 0) return NOTHING;
    const why = until === null ? "Partner Center reports no cancellation window for this subscription" : `the cancellation window closed on ${instantText(until)}`;
    const refundable = refundableSeats(subject);
    // A backend without the explicit cancellation at term end (CloudCockpit) can only turn
    // auto-renew off, after which the subscription moves into the extended service term: blocked,
    // with the backend named, where that term would follow.
    if (subject.capabilities?.cancelAtTermEnd === false && lapseYearly(catalog, observed, observed.quantity, false) !== 0) {
      const backend = subject.backend ?? "current";
      const edits: YamlEdit[] = [{ path: "status", value: "active" }];
      if (desired.autoRenew) edits.push({ path: "autoRenew", value: false });
      const step = makeStep(subject, {
        ...base,
        action: "cancel-at-term-end",
        timing: "blocked",
        reason:
          `${why}; the ${backend} backend cannot schedule the explicit cancellation at term end, and with auto-renew off alone ` +
          `the subscription moves into the extended service term on ${dayText(renewalAt(observed.endDate))} (cancel it in Partner Center instead)`,
        cost: costDelta(catalog, 0, renewalBaseline(subject, earlier)),
        call: { kind: "cancel-at-term-end" },
        ...withFix(edits, `to let it move into the extended service term at term end (cancellable there any time, with a prorated refund)`),
      });
      return { steps: [step], warnings: [] };
    }
    const consent = policy.reductions === "defer" || !desired.autoRenew;
    if (consent) {
      const steps: PlanStep[] = [];
      let seats = observed.quantity;
      if (refundable > 0) {
        seats = observed.quantity - refundable;
        steps.push(
          makeStep(subject, {
            action: "decrease-quantity",
            timing: "now",
            from: observed.quantity,
            to: seats,
            rule: cancellationWindow.id,
            reason: `${plural(refundable, "seat")} added mid-term ${refundable === 1 ? "is" : "are"} still refundable: removed now, before the end of the term`,
            cost: costDelta(catalog, currentYearly(catalog, observed, seats), currentYearly(catalog, observed, observed.quantity)),
            call: { kind: "set-quantity", quantity: seats },
          }),
        );
      }
      const consented = policy.reductions === "defer" ? "policy.reductions: defer" : "autoRenew: false";
      steps.push(
        makeStep(subject, {
          ...base,
          action: "cancel-at-term-end",
          reason: `${why}; ${consented} ends it at term end (${dayText(observed.endDate)}) with an explicit cancellation, so it does not move into the extended service term`,
          timing: "at-renewal",
          cost: costDelta(catalog, 0, renewalBaseline(subject, [...earlier, ...steps])),
          call: { kind: "cancel-at-term-end" },
        }),
      );
      return { steps, warnings: [] };
    }
    const edits: YamlEdit[] = [{ path: "autoRenew", value: false }];
    const purpose =
      refundable > 0
        ? `to remove the ${plural(refundable, "seat")} still refundable now and end it at term end on ${dayText(observed.endDate)} with an explicit cancellation`
        : `to end it at term end on ${dayText(observed.endDate)} with an explicit cancellation (not the extended service term)`;
    const step = makeStep(subject, {
      ...base,
      action: "cancel",
      timing: "blocked",
      reason: refundable > 0 ? `${why}; ${plural(refundable, "seat")} added mid-term can still be refunded now` : why,
      cost: costDelta(catalog, 0, currentYearly(catalog, observed, observed.quantity)),
      call: { kind: "cancel" },
      ...withFix(edits, purpose),
    });
    return { steps: [step], warnings: [] };
  },
};

/** Seats still in their own window that can go now while the subscription keeps its minimum. */
function refundableSeats(subject: Subject): number {
  const { observed, catalog, now } = subject;
  const min = offerOf(catalog, observed.offer)?.minQuantity ?? 1;
  return Math.max(0, Math.min(refundableAt(observed, now), observed.quantity - min));
}
