import { dayText, renewalAt } from "../domain/time";
import { yearlyCost } from "./catalog";
import { plural, warning } from "./steps";
import { NOTHING, type Rule } from "./types";

/** A trial with auto-renew on becomes a paid subscription at its end; say so before it happens. */
export const trialConversion: Rule = {
  id: "trial-conversion",
  rationale: "A trial with auto-renew on converts to a paid subscription at term end, which nobody should learn from an invoice.",
  evaluate(subject) {
    const { desired, observed, catalog } = subject;
    if (!observed.isTrial || observed.status !== "active" || desired.status !== "active" || !desired.autoRenew) return NOTHING;
    const yearly = yearlyCost(catalog, observed, subject.quantity);
    const price = yearly === undefined ? "" : ` (${(Math.round(yearly * 100) / 100).toFixed(2)} ${catalog.currency} a year)`;
    const message = `trial converts to a paid subscription of ${plural(subject.quantity, "seat")} on ${dayText(renewalAt(observed.endDate))}${price}; set autoRenew: false to let it end`;
    return { steps: [], warnings: [warning(subject, "trial-conversion", message)] };
  },
};
