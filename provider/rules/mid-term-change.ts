import type { PlanStep, YamlEdit } from "../domain/types";
import { dayText, renewalAt } from "../domain/time";
import { costDelta, offerOf, renewalOffers, yearlyCost } from "./catalog";
import { makeStep, withFix } from "./steps";
import { NOTHING, type Rule } from "./types";

/** Offer, term and billing are fixed for the term (NCE): they move to `renewal:`, or the offer to `upgrade:`. */
export const midTermChange: Rule = {
  id: "mid-term-change",
  rationale: "Offer, term and billing frequency are fixed for the term; they change at renewal, or the offer through an upgrade.",
  evaluate(subject) {
    const { desired, observed, catalog } = subject;
    if (desired.status !== "active") return NOTHING;
    const when = dayText(renewalAt(observed.endDate));
    const renews: YamlEdit[] = desired.autoRenew ? [] : [{ path: "autoRenew", value: true }];
    const now = yearlyCost(catalog, observed, observed.quantity);
    const steps: PlanStep[] = [];
    if (desired.offer !== observed.offer) {
      const edits: YamlEdit[] = [{ path: "offer", value: observed.offer }];
      // Renewing into another offer is an upgrade path too; anything else needs a new subscription.
      const upgradable = renewalOffers(catalog, observed.offer).includes(desired.offer);
      const viaRenewal = upgradable && desired.renewal?.offer === undefined;
      if (viaRenewal) edits.push({ path: "renewal.offer", value: desired.offer }, ...renews);
      steps.push(
        makeStep(subject, {
          action: "upgrade",
          timing: "blocked",
          from: observed.offer,
          to: desired.offer,
          rule: midTermChange.id,
          reason:
            `the offer of a subscription cannot change mid-term (${observed.offer} → ${desired.offer})` +
            (upgradable
              ? `; an upgrade (upgrade.to: ${desired.offer}, irreversible) would switch now`
              : `, and ${desired.offer} is not an upgrade of it`),
          cost: costDelta(catalog, yearlyCost(catalog, { ...observed, offer: desired.offer }, observed.quantity), now),
          ...withFix(edits, viaRenewal ? `to switch at renewal on ${when}` : `to keep it (add a new entry to buy ${desired.offer})`),
        }),
      );
    }
    if (desired.term !== observed.term || desired.billing !== observed.billing) {
      // Moving the change to renewal only helps if the offer renewed into is sold that way.
      const renewsInto = offerOf(catalog, desired.renewal?.offer ?? observed.offer);
      const unsold = renewsInto?.terms.some((t) => t.term === desired.term && t.billing === desired.billing) === false ? renewsInto : undefined;
      const edits: YamlEdit[] = [];
      for (const field of ["term", "billing"] as const) {
        if (desired[field] === observed[field]) continue;
        edits.push({ path: field, value: observed[field] });
        if (unsold === undefined && desired.renewal?.[field] === undefined) edits.push({ path: `renewal.${field}`, value: desired[field] });
      }
      steps.push(
        makeStep(subject, {
          action: "schedule-renewal",
          timing: "blocked",
          from: { term: observed.term, billing: observed.billing },
          to: { term: desired.term, billing: desired.billing },
          rule: midTermChange.id,
          reason: `term and billing frequency cannot change mid-term (${observed.term}/${observed.billing} → ${desired.term}/${desired.billing})`,
          cost: costDelta(catalog, yearlyCost(catalog, { ...observed, term: desired.term, billing: desired.billing }, observed.quantity), now),
          ...(unsold === undefined
            ? withFix([...edits, ...renews], `to change them at renewal on ${when}`)
            : withFix(edits, `to keep them (${unsold.name} is not sold as ${desired.term}/${desired.billing})`)),
        }),
      );
    }
    return { steps, warnings: [] };
  },
};
