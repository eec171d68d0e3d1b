import type { PlanStep, YamlEdit } from "../domain/types";
import { renewalBaseline } from "./renewal-target";
import { costDelta, offerOf } from "./catalog";
import { dayText, renewalAt } from "../domain/time";
import { makeStep, plural, withFix } from "./steps";
import { NOTHING, type Rule } from "./types";

/**
 * A trial's licence count, status and term cannot change during the trial (Microsoft Learn,
 * "Manage trials for new commerce": "Increasing or reducing quantity; Changing the status of the
 * subscription" are not available; "Trial terms can't be changed", 800107). The ways forward:
 * convert now (an upgrade of at least 25 seats), schedule the conversion (renewal:), or let it
 * lapse (autoRenew: false — trials are not covered by the extended service term).
 */
export const trialLocked: Rule = {
  id: "trial-locked",
  rationale: "A trial's seats, status and term cannot change; it converts now by upgrade, at its end by renewal, or lapses.",
  evaluate(subject) {
    const { desired, observed, catalog } = subject;
    if (!observed.isTrial || observed.status !== "active") return NOTHING;
    const ends = dayText(observed.endDate);
    const converts = dayText(renewalAt(observed.endDate));
    const ways = `convert now with upgrade: (to: a paid offer, at least 25 seats, acknowledge: irreversible), schedule the conversion with renewal: (any seats, term and billing), or let it lapse with autoRenew: false`;
    const steps: PlanStep[] = [];
    if (desired.status === "cancelled") {
      // With consent to end it at term end (defer, or autoRenew: false), a trial lapses instead.
      if (subject.policy.reductions === "defer" || !desired.autoRenew) {
        if (!observed.autoRenew) return NOTHING;
        const step = makeStep(subject, {
          action: "disable-auto-renew",
          timing: "at-renewal",
          from: true,
          to: false,
          rule: trialLocked.id,
          reason: `a trial cannot be cancelled; with auto-renew off it lapses on ${ends} without converting to paid`,
          cost: costDelta(catalog, 0, renewalBaseline(subject, [])),
          call: { kind: "set-auto-renew", enabled: false },
        });
        return { steps: [step], warnings: [] };
      }
      steps.push(
        makeStep(subject, {
          action: "cancel",
          timing: "blocked",
          from: observed.status,
          to: "deleted",
          rule: trialLocked.id,
          reason: `a trial cannot be cancelled (its status cannot change during the trial, which ends on ${ends}); ${ways}`,
          cost: null,
          call: { kind: "cancel" },
          ...withFix(
            [
              { path: "status", value: "active" },
              { path: "autoRenew", value: false },
            ],
            `to let the trial lapse on ${ends} without converting to paid`,
          ),
        }),
      );
      return { steps, warnings: [] };
    }
    if (subject.quantity !== observed.quantity) {
      const offer = offerOf(catalog, observed.offer);
      const seats = Math.min(Math.max(subject.quantity, offer?.minQuantity ?? 1), offer?.maxQuantity ?? subject.quantity);
      const edits: YamlEdit[] = [{ path: "quantity", value: observed.quantity - (subject.quantity - desired.quantity) }];
      if (desired.renewal?.quantity === undefined) edits.push({ path: "renewal.quantity", value: seats });
      if (!desired.autoRenew) edits.push({ path: "autoRenew", value: true });
      steps.push(
        makeStep(subject, {
          action: subject.quantity > observed.quantity ? "increase-quantity" : "decrease-quantity",
          timing: "blocked",
          from: observed.quantity,
          to: subject.quantity,
          rule: trialLocked.id,
          reason: `a trial's licence count cannot change during the trial (it ends on ${ends}); ${ways}`,
          cost: null,
          call: { kind: "set-quantity", quantity: subject.quantity },
          ...withFix(edits, `to convert with ${plural(seats, "seat")} on ${converts}`),
        }),
      );
    }
    if (desired.term !== observed.term || desired.billing !== observed.billing) {
      const edits: YamlEdit[] = [];
      for (const field of ["term", "billing"] as const) {
        if (desired[field] === observed[field]) continue;
        edits.push({ path: field, value: observed[field] });
        if (desired.renewal?.[field] === undefined) edits.push({ path: `renewal.${field}`, value: desired[field] });
      }
      if (!desired.autoRenew) edits.push({ path: "autoRenew", value: true });
      steps.push(
        makeStep(subject, {
          action: "change-term",
          timing: "blocked",
          from: { term: observed.term, billing: observed.billing },
          to: { term: desired.term, billing: desired.billing },
          rule: trialLocked.id,
          reason: `a trial's term cannot change during the trial; ${ways}`,
          cost: null,
          call: { kind: "change-term", term: desired.term, billing: desired.billing },
          ...withFix(edits, `to convert to ${desired.term}/${desired.billing} on ${converts}`),
        }),
      );
    }
    return { steps, warnings: [] };
  },
};
