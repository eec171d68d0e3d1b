import type { YamlEdit } from "../domain/types";
import { dayText, instantText } from "../domain/time";
import { costDelta, yearlyCost } from "./catalog";
import { defaultRenewal, meaningfulSchedule } from "./renewal";
import { makeStep, withFix } from "./steps";
import { NOTHING, type Rule } from "./types";

/** `status: cancelled` cancels now inside the window; after it, only the end of the term is possible. */
export const cancellationWindow: Rule = {
  id: "cancellation-window",
  rationale: "A subscription can only be cancelled within 7 days of purchase or renewal; after that it can only stop renewing.",
  evaluate(subject) {
    const { desired, observed, catalog, now, policy } = subject;
    if (desired.status !== "cancelled") return NOTHING;
    const until = observed.cancellationAllowedUntil;
    const base = { rule: cancellationWindow.id, from: observed.status, to: "deleted" } as const;
    if (until !== null && now.getTime() <= Date.parse(until)) {
      const cost = costDelta(catalog, 0, yearlyCost(catalog, observed, observed.quantity));
      return { steps: [makeStep(subject, { ...base, action: "cancel", timing: "now", cost, call: { kind: "cancel" } })], warnings: [] };
    }
    const why = until === null ? "Partner Center reports no cancellation window for this subscription" : `the cancellation window closed on ${instantText(until)}`;
    const renewing = meaningfulSchedule(observed) ?? defaultRenewal(observed, observed.quantity);
    const cost = observed.autoRenew ? costDelta(catalog, 0, yearlyCost(catalog, renewing, renewing.quantity)) : costDelta(catalog, 0, 0);
    if (policy.reductions === "defer") {
      // Auto-renew already off: the subscription ends at term end; nothing left to call.
      if (!observed.autoRenew) return NOTHING;
      const step = makeStep(subject, {
        ...base,
        action: "cancel-at-term-end",
        reason: `${why}; policy.reductions: defer ends it at term end (${dayText(observed.endDate)})`,
        timing: "at-renewal",
        cost,
        call: { kind: "cancel-at-term-end" },
      });
      return { steps: [step], warnings: [] };
    }
    const edits: YamlEdit[] = [{ path: "status", value: "active" }];
    if (desired.autoRenew) edits.push({ path: "autoRenew", value: false });
    const step = makeStep(subject, {
      ...base,
      action: "cancel",
      timing: "blocked",
      reason: why,
      cost: costDelta(catalog, 0, yearlyCost(catalog, observed, observed.quantity)),
      call: { kind: "cancel" },
      ...withFix(edits, `to end it at term end on ${dayText(observed.endDate)}`),
    });
    return { steps: [step], warnings: [] };
  },
};
