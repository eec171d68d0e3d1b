import { dayText, warning } from "./support";
import { NOTHING, type Rule } from "./types";

/** Terms ending after this instant fall under Microsoft's paid extended service term when not renewed. */
export const EST_START = "2026-05-04T00:00:00.000Z";

/** Auto-renew off no longer means "expires quietly": warn about the paid extended service term. */
export const extendedServiceTerm: Rule = {
  id: "extended-service-term",
  rationale: "Since 2026-05-04 a term that is not renewed moves to a paid extended service term unless it is cancelled at term end.",
  evaluate(subject, earlier) {
    const { desired, observed } = subject;
    const endsExplicitly = earlier.some((s) => s.action === "cancel-at-term-end" && s.timing !== "blocked");
    if (desired.status !== "active" || desired.autoRenew || endsExplicitly) return NOTHING;
    if (Date.parse(observed.endDate) <= Date.parse(EST_START)) return NOTHING;
    const message =
      `auto-renew is off and the term ends on ${dayText(observed.endDate)} (after 2026-05-04): Microsoft moves it to a paid extended service term ` +
      `(monthly price + 3%) unless it is cancelled at term end; set status: cancelled with policy.reductions: defer to end it explicitly`;
    return { steps: [], warnings: [warning(subject, "extended-service-term", message)] };
  },
};
