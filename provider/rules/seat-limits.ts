import { costDelta, offerOf, yearlyCost } from "./catalog";
import { makeStep, withFix } from "./steps";
import { NOTHING, type Rule } from "./types";

/** The SKU's seat bounds (Partner Center answers 2002 outside them). */
export const seatLimits: Rule = {
  id: "seat-limits",
  rationale: "Every SKU has a minimum and maximum seat count; Partner Center refuses quantities outside them (2002).",
  evaluate(subject) {
    const { observed, catalog, desired } = subject;
    const offer = offerOf(catalog, observed.offer);
    if (subject.desired.status !== "active" || offer === undefined || subject.quantity === observed.quantity) return NOTHING;
    const bound = subject.quantity > offer.maxQuantity ? offer.maxQuantity : subject.quantity < offer.minQuantity ? offer.minQuantity : null;
    if (bound === null) return NOTHING;
    // The YAML quantity may differ from the subscription's own target (upgrades move seats).
    const yamlBound = bound - (subject.quantity - desired.quantity);
    return {
      steps: [
        makeStep(subject, {
          action: subject.quantity > observed.quantity ? "increase-quantity" : "decrease-quantity",
          timing: "blocked",
          from: observed.quantity,
          to: subject.quantity,
          rule: seatLimits.id,
          reason: `${offer.name} allows ${offer.minQuantity} to ${offer.maxQuantity} seats per subscription`,
          cost: costDelta(catalog, yearlyCost(catalog, observed, subject.quantity), yearlyCost(catalog, observed, observed.quantity)),
          call: { kind: "set-quantity", quantity: subject.quantity },
          ...withFix([{ path: "quantity", value: yamlBound }], "to stay within the SKU's seat limits (buy a second subscription for more)"),
        }),
      ],
      warnings: [],
    };
  },
};
