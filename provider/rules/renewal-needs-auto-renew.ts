import { renewalCost, renewalTarget } from "./renewal-target";
import { dayText, renewalAt } from "../domain/time";
import { renewalValue } from "./renewal";
import { makeStep, withFix } from "./steps";
import { NOTHING, type Rule } from "./types";

/** Scheduled next-term instructions only exist on subscriptions that renew. */
export const renewalNeedsAutoRenew: Rule = {
  id: "renewal-needs-auto-renew",
  rationale: "Partner Center accepts scheduled renewal changes only while auto-renew is on; without it nothing renews.",
  evaluate(subject, earlier) {
    const { desired, observed } = subject;
    if (desired.status !== "active" || desired.autoRenew) return NOTHING;
    const target = renewalTarget(subject, earlier);
    if (target === null) return NOTHING;
    const step = makeStep(subject, {
      action: "schedule-renewal",
      timing: "blocked",
      from: observed.scheduledRenewal === null ? null : renewalValue(observed.scheduledRenewal),
      to: renewalValue(target),
      rule: renewalNeedsAutoRenew.id,
      reason: `renewal changes need auto-renew, and autoRenew is false: the subscription ends on ${dayText(observed.endDate)}`,
      cost: renewalCost(subject, earlier, target),
      call: { kind: "schedule-renewal", instructions: target },
      ...withFix([{ path: "autoRenew", value: true }], `to apply the renewal changes on ${dayText(renewalAt(observed.endDate))}`),
    });
    return { steps: [step], warnings: [] };
  },
};
