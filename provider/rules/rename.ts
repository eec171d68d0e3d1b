import { makeStep } from "./steps";
import { NOTHING, type Rule } from "./types";

/** The friendly name follows the YAML (only an entry adopted by `id` can differ from it). */
export const rename: Rule = {
  id: "rename",
  rationale: "The friendly name is the identity key of entries without an id, so the live name follows the YAML.",
  evaluate(subject, earlier) {
    const { desired, observed } = subject;
    const cancelled = earlier.some((s) => s.action === "cancel" && s.timing === "now");
    if (desired.friendlyName === observed.friendlyName || cancelled) return NOTHING;
    const step = makeStep(subject, {
      action: "rename",
      timing: "now",
      from: observed.friendlyName,
      to: desired.friendlyName,
      rule: rename.id,
      cost: null,
      call: { kind: "rename", friendlyName: desired.friendlyName },
    });
    return { steps: [step], warnings: [] };
  },
};
