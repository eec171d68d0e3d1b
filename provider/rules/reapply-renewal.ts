import { renewalCost, renewalTarget } from "./renewal-target";
import { dayText, renewalAt } from "../domain/time";
import { meaningfulSchedule, renewalValue, sameRenewal } from "./renewal";
import { isImmediate, makeStep, warning } from "./steps";
import { NOTHING, type Rule } from "./types";

/** Microsoft deletes every scheduled renewal change on an immediate change; put it back right after. */
export const reapplyRenewal: Rule = {
  id: "reapply-renewal",
  rationale: "Any immediate (mid-term) change deletes the scheduled renewal changes; they must be scheduled again afterwards.",
  evaluate(subject, earlier) {
    const { desired, observed } = subject;
    const immediate = earlier.find(isImmediate);
    const scheduled = meaningfulSchedule(observed);
    if (immediate === undefined || scheduled === null || desired.status !== "active" || !desired.autoRenew) return NOTHING;
    // A deferred reduction planned earlier schedules the renewal itself.
    if (earlier.some((s) => s.rule === "reduction-window" && s.call?.kind === "schedule-renewal")) return NOTHING;
    const target = renewalTarget(subject, earlier);
    // A different target is scheduled by the renewal-schedule rule; none at all is what the wipe leaves.
    if (target === null || !sameRenewal(scheduled, target)) return NOTHING;
    const when = dayText(renewalAt(observed.endDate));
    const step = makeStep(subject, {
      action: "reapply-renewal",
      timing: "at-renewal",
      from: null,
      to: renewalValue(target),
      rule: reapplyRenewal.id,
      reason: `${immediate.action} takes effect now and deletes the renewal scheduled for ${when}; it is scheduled again right after`,
      cost: renewalCost(subject, earlier, target),
      call: { kind: "schedule-renewal", instructions: target },
    });
    const note = warning(
      subject,
      "renewal-wiped",
      `${immediate.action} deletes the renewal changes scheduled for ${when} (Microsoft deletes them on any immediate change); seatplan schedules them again right after`,
    );
    return { steps: [step], warnings: [note] };
  },
};
