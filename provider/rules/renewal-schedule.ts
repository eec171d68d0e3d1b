import { renewalCost, renewalTarget } from "./renewal-target";
import { isImmediate, makeStep, meaningfulSchedule, renewalValue, sameRenewal } from "./support";
import { NOTHING, type Rule } from "./types";

/** `renewal:` becomes the subscription's scheduled next-term instructions (or clears them). */
export const renewalSchedule: Rule = {
  id: "renewal-schedule",
  rationale: "Quantity, term, billing and offer changes for the next term are scheduled instructions that apply at renewal.",
  evaluate(subject, earlier) {
    const { desired, observed } = subject;
    if (desired.status !== "active" || !desired.autoRenew) return NOTHING;
    // A deferred reduction planned earlier already schedules this very target.
    if (earlier.some((s) => s.timing !== "blocked" && s.call?.kind === "schedule-renewal")) return NOTHING;
    const target = renewalTarget(subject, earlier);
    const wiped = earlier.some(isImmediate);
    const current = wiped ? null : meaningfulSchedule(observed);
    if (sameRenewal(current, target)) return NOTHING;
    const base = { timing: "at-renewal", rule: renewalSchedule.id, cost: renewalCost(subject, earlier, target) } as const;
    if (target === null) {
      // `current` is not null here: a wiped schedule needs no clearing.
      const from = current === null ? null : renewalValue(current);
      return { steps: [makeStep(subject, { ...base, action: "clear-renewal", from, to: null, call: { kind: "clear-renewal" } })], warnings: [] };
    }
    // Re-scheduling the same instructions after an immediate change is the reapply-renewal rule's step.
    if (wiped && sameRenewal(meaningfulSchedule(observed), target)) return NOTHING;
    const step = makeStep(subject, {
      ...base,
      action: "schedule-renewal",
      from: current === null ? null : renewalValue(current),
      to: renewalValue(target),
      call: { kind: "schedule-renewal", instructions: target },
    });
    return { steps: [step], warnings: [] };
  },
};
