import { costDelta, yearlyCost } from "./catalog";
import { defaultRenewal, meaningfulSchedule } from "./renewal";
import { isImmediate, makeStep, quantityAfter } from "./steps";
import { NOTHING, type Rule } from "./types";

/** Auto-renew follows the YAML; its effect (a renewal or none) lands at term end. */
export const autoRenew: Rule = {
  id: "auto-renew",
  rationale: "Auto-renew decides whether the term renews at its end; scheduled renewal changes only apply when it does.",
  evaluate(subject, earlier) {
    const { desired, observed, catalog } = subject;
    if (desired.status !== "active" || desired.autoRenew === observed.autoRenew) return NOTHING;
    // What renews as things stand (the schedule, unless an immediate change wipes it): enabling
    // adds it, disabling drops it. A renewal change the YAML asks for is the delta of its own,
    // later step (schedule-renewal, deferred decrease), so counting it here would count it twice.
    const renewing = (!earlier.some(isImmediate) && meaningfulSchedule(observed)) || defaultRenewal(observed, quantityAfter(observed, earlier));
    const yearly = yearlyCost(catalog, renewing, renewing.quantity);
    const step = makeStep(subject, {
      action: desired.autoRenew ? "enable-auto-renew" : "disable-auto-renew",
      timing: "at-renewal",
      from: observed.autoRenew,
      to: desired.autoRenew,
      rule: autoRenew.id,
      cost: desired.autoRenew ? costDelta(catalog, yearly, 0) : costDelta(catalog, 0, yearly),
      call: { kind: "set-auto-renew", enabled: desired.autoRenew },
    });
    return { steps: [step], warnings: [] };
  },
};
