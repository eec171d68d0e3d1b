import { renewalTarget } from "./renewal-target";
import { costDelta, defaultRenewal, isImmediate, makeStep, meaningfulSchedule, quantityAfter, yearlyCost } from "./support";
import { NOTHING, type Rule } from "./types";

/** Auto-renew follows the YAML; its effect (a renewal or none) lands at term end. */
export const autoRenew: Rule = {
  id: "auto-renew",
  rationale: "Auto-renew decides whether the term renews at its end; scheduled renewal changes only apply when it does.",
  evaluate(subject, earlier) {
    const { desired, observed, catalog } = subject;
    if (desired.status !== "active" || desired.autoRenew === observed.autoRenew) return NOTHING;
    const plain = defaultRenewal(observed, quantityAfter(observed, earlier));
    // Enabling renews into what the YAML schedules; disabling drops what would have renewed.
    const renewing = desired.autoRenew
      ? (renewalTarget(subject, earlier) ?? plain)
      : (!earlier.some(isImmediate) && meaningfulSchedule(observed)) || plain;
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
