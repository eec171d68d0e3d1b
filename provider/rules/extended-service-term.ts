import type { PlanStep, PlanWarning, YamlEdit } from "../domain/types";
import { dayText, renewalAt } from "../domain/time";
import { currentYearly, estMonthlyPrice } from "./catalog";
import { estEligible } from "./renewal";
import { makeStep, plural, warning, withFix } from "./steps";
import { NOTHING, type Rule, type Subject } from "./types";

export { EST_START } from "./renewal";

function money(n: number, currency: string): string {
  return `${(Math.round(n * 100) / 100).toFixed(2)} ${currency}`;
}

/** "billed monthly at 7.42 EUR a seat (monthly price + 3%), 22.25 EUR a month for 3 seats". */
function estPrice(subject: Subject, seats: number): string {
  const { catalog, observed } = subject;
  const monthly = estMonthlyPrice(catalog, observed.offer);
  if (monthly === undefined) return "billed monthly at the EST rate (monthly price + 3%, + 23% without a monthly plan)";
  const uplift = catalog.offers.find((o) => o.offer === observed.offer)?.prices["P1M/monthly"] !== undefined ? "monthly price + 3%" : "no monthly plan: + 23%";
  return `billed monthly at ${money(monthly, catalog.currency)} a seat (${uplift}), ${money(monthly * seats, catalog.currency)} a month for ${plural(seats, "seat")}`;
}

/**
 * The extended service term (Microsoft Learn, "Use Extended Service Terms (EST) for CSP
 * subscriptions"). Auto-renew off alone no longer ends a subscription: at term end it moves into
 * EST, billed monthly at the EST rate until cancelled — say so, with the price and the YAML that
 * ends it instead. A subscription already in EST is planned as such: only cancelling it (any
 * time, prorated refund) is possible here.
 */
export const extendedServiceTerm: Rule = {
  id: "extended-service-term",
  rationale: "Since 2026-05-04 a term that is not renewed moves to a paid extended service term unless it is explicitly cancelled at term end.",
  evaluate(subject, earlier) {
    const { desired, observed } = subject;
    if (observed.status !== "active" || desired.status !== "active") return NOTHING;
    if (observed.extendedServiceTerm === true) return inExtendedTerm(subject);
    if (desired.autoRenew || observed.endsAtTermEnd === true || !estEligible(observed)) return NOTHING;
    const seats = earlier.reduce((q, s) => (s.timing !== "blocked" && s.call?.kind === "set-quantity" ? s.call.quantity : q), observed.quantity);
    const message =
      `auto-renew is off: when the term ends on ${dayText(observed.endDate)}, Microsoft moves the subscription into the extended service term ` +
      `from ${dayText(renewalAt(observed.endDate))}, ${estPrice(subject, seats)}, until it is cancelled; ` +
      "set status: cancelled (keeping autoRenew: false) to end it at term end with an explicit cancellation instead";
    return { steps: [], warnings: [warning(subject, "extended-service-term", message)] };
  },
};

/** In EST: every change but a cancel is refused (Partner Center documents none); keep the live values. */
function inExtendedTerm(subject: Subject): { steps: PlanStep[]; warnings: PlanWarning[] } {
  const { desired, observed, catalog } = subject;
  const steps: PlanStep[] = [];
  const why = `the subscription is in the extended service term since ${dayText(observed.startDate)}: Partner Center documents no change to it but cancelling`;
  const keep: YamlEdit[] = [];
  if (subject.quantity !== observed.quantity) keep.push({ path: "quantity", value: observed.quantity - (subject.quantity - desired.quantity) });
  if (desired.autoRenew) keep.push({ path: "autoRenew", value: false });
  if (desired.renewal !== undefined) keep.push({ path: "renewal", value: null });
  if (desired.upgrade !== undefined) keep.push({ path: "upgrade", value: null });
  if (keep.length > 0) {
    const quantityChange = subject.quantity !== observed.quantity;
    steps.push(
      makeStep(subject, {
        action: quantityChange ? (subject.quantity > observed.quantity ? "increase-quantity" : "decrease-quantity") : "enable-auto-renew",
        timing: "blocked",
        from: quantityChange ? observed.quantity : observed.autoRenew,
        to: quantityChange ? subject.quantity : desired.autoRenew,
        rule: extendedServiceTerm.id,
        reason: why,
        cost: null,
        ...(quantityChange ? { call: { kind: "set-quantity", quantity: subject.quantity } } : { call: { kind: "set-auto-renew", enabled: true } }),
        ...withFix(keep, "to keep it as it is (set status: cancelled to end it now with a prorated refund, and add a new entry to buy what you need)"),
      }),
    );
  }
  const yearly = currentYearly(catalog, observed, observed.quantity);
  const message =
    `in the extended service term: ${estPrice(subject, observed.quantity)}` +
    (yearly === undefined ? "" : ` (${money(yearly, catalog.currency)} a year)`) +
    ", month to month until cancelled; set status: cancelled to end it now with a prorated refund";
  return { steps, warnings: [warning(subject, "extended-service-term", message)] };
}
