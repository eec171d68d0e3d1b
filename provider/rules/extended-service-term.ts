import { dayText } from "../domain/time";
import { warning } from "./steps";
import { NOTHING, type Rule } from "./types";

/** Terms ending after this instant fall under Microsoft's paid extended service term when not renewed. */
export const EST_START = "2026-05-04T00:00:00.000Z";

/** Auto-renew off no longer means "expires quietly": warn about the paid extended service term. */
export const extendedServiceTerm: Rule = {
  id: "extended-service-term",
  rationale: "Since 2026-05-04 a term that is not renewed moves to a paid extended service term unless it is cancelled at term end.",
  evaluate(subject, earlier) {
    const { desired, observed } = subject;
    if (observed.status === "deleted" || observed.status === "expired") return NOTHING;
    // Ending at term end is auto-renew off on every backend today (the explicit end-of-term
    // action's API is unconfirmed), so a deferred cancel is exposed too; a cancel now is not.
    const ran = (action: string): boolean => earlier.some((s) => s.action === action && s.timing !== "blocked");
    const notRenewing = desired.status === "active" ? !desired.autoRenew : !ran("cancel") && (ran("cancel-at-term-end") || !observed.autoRenew);
    if (!notRenewing) return NOTHING;
    if (Date.parse(observed.endDate) <= Date.parse(EST_START)) return NOTHING;
    const message =
      `auto-renew is off and the term ends on ${dayText(observed.endDate)} (after 2026-05-04): Microsoft moves it to a paid extended service term ` +
      `(monthly price + 3%) unless it is cancelled at term end; seatplan cannot set that end-of-term choice yet (its API is unconfirmed): choose "cancel at end of term" for this subscription in Partner Center`;
    return { steps: [], warnings: [warning(subject, "extended-service-term", message)] };
  },
};
