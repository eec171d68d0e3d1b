import { costDelta, yearlyCost } from "./catalog";
import { makeStep } from "./steps";
import { NOTHING, type Rule } from "./types";

/** Seats can be added at any time; the new batch gets its own reduction window. */
export const addSeats: Rule = {
  id: "add-seats",
  rationale: "Seats can be added at any time; the new batch gets its own 7-day reduction window.",
  evaluate(subject, earlier) {
    const { observed, catalog } = subject;
    if (subject.desired.status !== "active" || subject.quantity <= observed.quantity || earlier.some((s) => (s.rule === "seat-limits" || s.rule === "business-seat-cap"))) return NOTHING;
    const added = subject.quantity - observed.quantity;
    return {
      steps: [
        makeStep(subject, {
          action: "increase-quantity",
          timing: "now",
          from: observed.quantity,
          to: subject.quantity,
          rule: addSeats.id,
          cost: costDelta(catalog, yearlyCost(catalog, observed, added), 0),
          call: { kind: "set-quantity", quantity: subject.quantity },
        }),
      ],
      warnings: [],
    };
  },
};
