import type { PlanWarning } from "../domain/types";
import { reductionFix } from "./reduction-window";
import { dayText, renewalAt } from "../domain/time";
import { costDelta, offerOf, yearlyCost } from "./catalog";
import { makeStep, plural, warning } from "./steps";
import type { Rule } from "./types";

/** Seats assigned to users are not removed under them (checked at plan time, not only at apply). */
export const assignedSeats: Rule = {
  id: "assigned-seats",
  rationale: "Removing seats that are assigned to users would leave them unlicensed; Microsoft asks to unassign them first.",
  evaluate(subject, earlier) {
    const { observed, desired, catalog } = subject;
    const assigned = subject.assignedSeats;
    const renewalQuantity = desired.renewal?.quantity;
    const name = offerOf(catalog, observed.offer)?.name ?? observed.offer;
    const warnings: PlanWarning[] = [];
    const lowest = Math.min(subject.quantity, renewalQuantity ?? subject.quantity);
    if (assigned === undefined) {
      if (lowest < observed.quantity && desired.status === "active") {
        warnings.push(
          warning(
            subject,
            "usage-unknown",
            `assigned seats unknown (the backend does not report them for this offer): make sure no more than ${lowest} seats of ${name} are assigned before the reduction`,
          ),
        );
      }
      return { steps: [], warnings };
    }
    if (desired.status === "cancelled" && observed.status === "active" && assigned > 0) {
      warnings.push(
        warning(
          subject,
          "assigned-seats",
          `${plural(assigned, "seat")} of ${name} ${assigned === 1 ? "is" : "are"} assigned to users beyond what other subscriptions hold: cancelling leaves them without a licence (unassign them first)`,
        ),
      );
    }
    if (desired.status === "active" && renewalQuantity !== undefined && renewalQuantity < assigned) {
      warnings.push(
        warning(
          subject,
          "assigned-seats",
          `renewal.quantity ${renewalQuantity} is below the ${assigned} seats of ${name} assigned today: unassign ${assigned - renewalQuantity} before the renewal on ${dayText(renewalAt(observed.endDate))}`,
        ),
      );
    }
    if (desired.status !== "active" || subject.quantity >= observed.quantity || subject.quantity >= assigned || earlier.some((s) => (s.rule === "seat-limits" || s.rule === "business-seat-cap"))) {
      return { steps: [], warnings };
    }
    const step = makeStep(subject, {
      action: "decrease-quantity",
      timing: "blocked",
      from: observed.quantity,
      to: subject.quantity,
      rule: assignedSeats.id,
      reason: `${plural(assigned, "seat")} of ${name} ${assigned === 1 ? "is" : "are"} assigned to users; reducing to ${subject.quantity} would leave ${assigned - subject.quantity} without a licence (unassign them first)`,
      cost: costDelta(catalog, yearlyCost(catalog, observed, subject.quantity), yearlyCost(catalog, observed, observed.quantity)),
      call: { kind: "set-quantity", quantity: subject.quantity },
      ...reductionFix(subject),
    });
    return { steps: [step], warnings };
  },
};
