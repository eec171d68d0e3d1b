import { renewalTarget } from "./renewal-target";
import { dayText, renewalAt } from "../domain/time";
import { yearlyCost } from "./catalog";
import { defaultRenewal, meaningfulSchedule } from "./renewal";
import { plural, warning } from "./steps";
import { NOTHING, type Rule } from "./types";

/**
 * A trial with auto-renew on becomes a paid subscription at its end (Microsoft Learn, "Manage
 * trials for new commerce": 25 seats, one-year term billed monthly, or the scheduled conversion);
 * say so, priced, before it happens. A trial costs nothing until then.
 */
export const trialConversion: Rule = {
  id: "trial-conversion",
  rationale: "A trial with auto-renew on converts to a paid subscription at term end, which nobody should learn from an invoice.",
  evaluate(subject) {
    const { desired, observed, catalog } = subject;
    if (!observed.isTrial || observed.status !== "active" || desired.status !== "active" || !desired.autoRenew) return NOTHING;
    // What it converts to once this plan ran: the YAML's renewal, else the live schedule, else the default conversion.
    const to = renewalTarget(subject, []) ?? meaningfulSchedule(observed) ?? defaultRenewal(observed, observed.quantity);
    const yearly = yearlyCost(catalog, to, to.quantity);
    const price = yearly === undefined ? "" : ` at ${(Math.round(yearly * 100) / 100).toFixed(2)} ${catalog.currency} a year`;
    const message =
      `trial converts to a paid subscription of ${plural(to.quantity, "seat")} (${to.term} billed ${to.billing})${price} on ${dayText(renewalAt(observed.endDate))}; ` +
      "set autoRenew: false to let it lapse instead";
    return { steps: [], warnings: [warning(subject, "trial-conversion", message)] };
  },
};
