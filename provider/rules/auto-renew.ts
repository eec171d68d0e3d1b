import { costDelta, lapseYearly, yearlyCost } from "./catalog";
import { defaultRenewal, meaningfulSchedule } from "./renewal";
import { isImmediate, makeStep, quantityAfter } from "./steps";
import { renewalBaseline } from "./renewal-target";
import { NOTHING, type Rule } from "./types";

/**
 * Auto-renew follows the YAML; its effect lands at term end: a renewal, or — since 4 May 2026,
 * without an explicit cancellation at term end — the paid extended service term (priced here),
 * or nothing for subscriptions EST does not cover (trials, older terms).
 */
export const autoRenew: Rule = {
  id: "auto-renew",
  rationale: "Auto-renew decides whether the term renews at its end; scheduled renewal changes only apply when it does.",
  evaluate(subject, earlier) {
    const { desired, observed, catalog } = subject;
    if (desired.status !== "active" || desired.autoRenew === observed.autoRenew) return NOTHING;
    // What renews as things stand (the schedule, unless an immediate change wipes it): enabling
    // adds it, disabling drops it. A renewal change the YAML asks for is the delta of its own,
    // later step (schedule-renewal, deferred decrease), so counting it here would count it twice.
    const seats = quantityAfter(observed, earlier);
    const renewing = (!earlier.some(isImmediate) && meaningfulSchedule(observed)) || defaultRenewal(observed, seats);
    // After the step: the renewal (enabling also drops an explicit cancellation at term end), or
    // the extended service term (or nothing where EST does not apply).
    const after = desired.autoRenew ? yearlyCost(catalog, renewing, renewing.quantity) : lapseYearly(catalog, observed, seats, false);
    const step = makeStep(subject, {
      action: desired.autoRenew ? "enable-auto-renew" : "disable-auto-renew",
      timing: "at-renewal",
      from: observed.autoRenew,
      to: desired.autoRenew,
      rule: autoRenew.id,
      cost: costDelta(catalog, after, renewalBaseline(subject, earlier)),
      call: { kind: "set-auto-renew", enabled: desired.autoRenew },
    });
    return { steps: [step], warnings: [] };
  },
};
