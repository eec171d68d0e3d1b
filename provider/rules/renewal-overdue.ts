import { dayText, instantText, renewalAt } from "../domain/time";
import { warning } from "./steps";
import { NOTHING, type Rule } from "./types";

/**
 * A term that ended without the renewal showing yet (Microsoft renews the day after at 00:00 UTC
 * and may take up to 24 h; a `--now` what-if can also look past it): the dates and windows the
 * plan reads are the old term's, so say so instead of printing past dates as if current.
 */
export const renewalOverdue: Rule = {
  id: "renewal-overdue",
  rationale: "After the term end the tenant may not show the renewal yet; a plan on the old term's dates must say it is stale.",
  evaluate(subject) {
    const { observed, now } = subject;
    if (observed.status !== "active") return NOTHING;
    const due = renewalAt(observed.endDate);
    if (now.getTime() < Date.parse(due)) return NOTHING;
    const message =
      `the term ended on ${dayText(observed.endDate)} and the renewal due ${instantText(due)} does not show yet ` +
      "(Microsoft may take up to 24 h): dates and windows in this plan are the old term's; plan again once it has renewed";
    return { steps: [], warnings: [warning(subject, "renewal-overdue", message)] };
  },
};
