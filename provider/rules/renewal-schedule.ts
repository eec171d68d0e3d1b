import { renewalCost, renewalTarget } from "./renewal-target";
import type { PlanStep, RenewalInstructions, YamlEdit } from "../domain/types";
import { dayText, renewalAt } from "../domain/time";
import { offerOf, renewalOffers } from "./catalog";
import { defaultRenewal, meaningfulSchedule, renewalValue, sameRenewal } from "./renewal";
import { isImmediate, makeStep, quantityAfter, warning, withFix, withoutRenewal } from "./steps";
import { NOTHING, type Rule, type Subject } from "./types";

/** `renewal:` becomes the subscription's scheduled next-term instructions (or clears them). */
export const renewalSchedule: Rule = {
  id: "renewal-schedule",
  rationale: "Quantity, term, billing and offer changes for the next term are scheduled instructions that apply at renewal.",
  evaluate(subject, earlier) {
    const { desired, observed } = subject;
    if (desired.status !== "active" || !desired.autoRenew) return NOTHING;
    // A deferred reduction planned earlier already schedules this very target (or says why it cannot).
    if (earlier.some((s) => s.rule === "reduction-window" && s.call?.kind === "schedule-renewal")) return NOTHING;
    const target = renewalTarget(subject, earlier);
    const immediate = earlier.find(isImmediate);
    const wiped = immediate !== undefined;
    const current = wiped ? null : meaningfulSchedule(observed);
    const live = meaningfulSchedule(observed);
    if (wiped && target === null && live !== null) {
      // The YAML has no renewal: block, yet the tenant has one that the immediate change deletes:
      // that is a change of what renews (and of its cost), so it shows as a step of its own.
      const when = dayText(renewalAt(observed.endDate));
      const step = makeStep(subject, {
        action: "clear-renewal",
        timing: "at-renewal",
        from: renewalValue(live),
        to: null,
        rule: renewalSchedule.id,
        reason:
          `${immediate.action} takes effect now and deletes the renewal scheduled for ${when} (${describeRenewal(live)}); ` +
          "the YAML has no renewal: block, so it renews as it is — add renewal: to keep the scheduled change",
        cost: renewalCost(subject, earlier, null),
        call: { kind: "clear-renewal" },
      });
      const note = warning(subject, "renewal-wiped", `${immediate.action} deletes the renewal change scheduled for ${when} (${describeRenewal(live)}), and the YAML does not schedule it again`);
      return { steps: [step], warnings: [note] };
    }
    if (sameRenewal(current, target)) return NOTHING;
    const base = { timing: "at-renewal", rule: renewalSchedule.id, cost: renewalCost(subject, earlier, target) } as const;
    if (target === null) {
      // `current` is not null here: a wiped schedule needs no clearing.
      const from = current === null ? null : renewalValue(current);
      return { steps: [makeStep(subject, { ...base, action: "clear-renewal", from, to: null, call: { kind: "clear-renewal" } })], warnings: [] };
    }
    // Re-scheduling the same instructions after an immediate change is the reapply-renewal rule's step.
    if (wiped && sameRenewal(meaningfulSchedule(observed), target)) return NOTHING;
    // What renews without this step, so a lower renewal.quantity reads as the reduction it is.
    const from = renewalValue(current ?? defaultRenewal(observed, quantityAfter(observed, earlier)));
    const refusal = renewalRefusal(subject, target, earlier);
    if (refusal !== null) {
      const step = makeStep(subject, {
        ...base,
        timing: "blocked",
        action: "schedule-renewal",
        from,
        to: renewalValue(target),
        reason: refusal.reason,
        call: { kind: "schedule-renewal", instructions: target },
        ...withFix(refusal.edits, refusal.purpose),
      });
      return { steps: [step], warnings: [] };
    }
    const step = makeStep(subject, {
      ...base,
      action: "schedule-renewal",
      from,
      to: renewalValue(target),
      call: { kind: "schedule-renewal", instructions: target },
    });
    return { steps: [step], warnings: [] };
  },
};

/**
 * What the catalog refuses about the next term — an offer it cannot renew into, a combination it
 * does not sell, a seat count out of bounds — and what the backend cannot express (capabilities
 * `renewalOffer`, `renewalQuantity`: the reason names the backend).
 */
export function renewalRefusal(
  subject: Subject,
  target: RenewalInstructions,
  earlier: readonly PlanStep[] = [],
): { reason: string; edits: readonly YamlEdit[]; purpose: string } | null {
  const { observed, catalog, desired } = subject;
  const backend = subject.backend ?? "this backend";
  if (subject.capabilities?.renewalOffer === false && target.offer !== observed.offer) {
    return {
      reason: `the ${backend} backend cannot schedule another offer for the renewal (${target.offer}): its renewal settings hold term and billing only`,
      edits: withoutRenewal(desired, ["offer"]),
      purpose: "to renew into the same offer (buy the other offer as a new entry, or upgrade)",
    };
  }
  const after = quantityAfter(observed, earlier);
  if (subject.capabilities?.renewalQuantity === false && target.quantity !== after) {
    // A renewal.quantity goes; a deferred reduction (policy defer) keeps the seats instead.
    const offset = subject.quantity - desired.quantity;
    return {
      reason: `the ${backend} backend cannot schedule a seat count for the renewal (${target.quantity} instead of ${after}): its renewal settings hold term and billing only`,
      edits: desired.renewal?.quantity !== undefined ? withoutRenewal(desired, ["quantity"]) : [{ path: "quantity", value: after - offset }],
      purpose: `to renew with the seats it has (then reduce inside the new term's cancellation window, which opens on ${dayText(renewalAt(observed.endDate))})`,
    };
  }
  const options = renewalOffers(catalog, observed.offer);
  if (!options.includes(target.offer)) {
    return {
      reason: `${observed.offer} cannot renew into ${target.offer} (renewal options: ${options.join(", ")})`,
      edits: withoutRenewal(desired, ["offer"]),
      purpose: "to renew into the same offer (add a new entry to buy the other one)",
    };
  }
  const offer = offerOf(catalog, target.offer);
  if (offer === undefined) return null;
  if (!offer.terms.some((t) => t.term === target.term && t.billing === target.billing)) {
    const choseTerms = desired.renewal?.term !== undefined || desired.renewal?.billing !== undefined;
    return {
      reason: `${offer.name} is not sold as ${target.term}/${target.billing}`,
      edits: withoutRenewal(desired, choseTerms ? ["term", "billing"] : ["offer"]),
      purpose: "to renew with a term and billing the catalog sells",
    };
  }
  if (target.quantity < offer.minQuantity || target.quantity > offer.maxQuantity) {
    return {
      reason: `${offer.name} allows ${offer.minQuantity} to ${offer.maxQuantity} seats per subscription`,
      edits: [{ path: "renewal.quantity", value: target.quantity > offer.maxQuantity ? offer.maxQuantity : offer.minQuantity }],
      purpose: "to stay within the SKU's seat limits",
    };
  }
  return null;
}

function describeRenewal(r: RenewalInstructions): string {
  return `${r.quantity} seats, ${r.offer}, ${r.term}/${r.billing}`;
}
