import type { PlanStep, Term, YamlEdit } from "../domain/types";
import { dayText, isoOf, renewalAt } from "../domain/time";
import { costDelta, offerOf, renewalOffers, yearlyCost } from "./catalog";
import { makeStep, withFix } from "./steps";
import { NOTHING, type Rule, type Subject } from "./types";

const TERM_MONTHS: Readonly<Record<Term, number>> = { P1M: 1, P1Y: 12, P3Y: 36 };
/** Since this instant the billing frequency of a triennial term cannot change mid-term. */
export const TRIENNIAL_BILLING_LOCKED_FROM = "2025-04-01T00:00:00.000Z";

/**
 * Why the term/billing change of the YAML cannot happen mid-term (Microsoft Learn, "Manage term
 * duration and billing frequency": a longer term any time, never a shorter one; the billing
 * frequency any time, triennial terms excepted since 1 April 2025), or why the backend cannot
 * (capability `changeTerm`); null when it can.
 */
function termRefusal(subject: Subject): string | null {
  const { desired, observed, now } = subject;
  if (TERM_MONTHS[desired.term] < TERM_MONTHS[observed.term]) {
    return `a term cannot be shortened mid-term (${observed.term} → ${desired.term})`;
  }
  if (desired.term === observed.term && observed.term === "P3Y" && desired.billing !== observed.billing && now.getTime() >= Date.parse(TRIENNIAL_BILLING_LOCKED_FROM)) {
    return `the billing frequency of a triennial term cannot change mid-term since 2025-04-01 (${observed.billing} → ${desired.billing})`;
  }
  // A backend without the call says so by name (a downgrade, not Microsoft's refusal).
  if (subject.capabilities?.changeTerm === false) {
    return `the ${subject.backend ?? "current"} backend cannot change the term or billing frequency mid-term (${observed.term}/${observed.billing} → ${desired.term}/${desired.billing})`;
  }
  return null;
}

/**
 * The offer is fixed for the term (NCE): it moves to `renewal:`, or to `upgrade:`. A longer term
 * or another billing frequency can change now, as Microsoft documents; a shorter term (or a
 * triennial billing change) moves to `renewal:`.
 */
export const midTermChange: Rule = {
  id: "mid-term-change",
  rationale: "The offer is fixed for the term; a longer term or another billing frequency may change now, a shorter term only at renewal.",
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
      const sold = offerOf(catalog, observed.offer)?.terms.some((t) => t.term === desired.term && t.billing === desired.billing) !== false;
      const refusal = termRefusal(subject);
      if (refusal === null && sold && desired.offer === observed.offer) {
        const longer = TERM_MONTHS[desired.term] > TERM_MONTHS[observed.term];
        steps.push(
          makeStep(subject, {
            action: "change-term",
            timing: "now",
            from: { term: observed.term, billing: observed.billing },
            to: { term: desired.term, billing: desired.billing },
            rule: midTermChange.id,
            reason: longer
              ? `a longer term starts now (${desired.term} from ${dayText(isoOf(subject.now))}); the current term's remaining days are credited`
              : "the billing frequency changes now; the term and its end date stay",
            cost: costDelta(catalog, yearlyCost(catalog, { ...observed, term: desired.term, billing: desired.billing }, observed.quantity), now),
            call: { kind: "change-term", term: desired.term, billing: desired.billing },
          }),
        );
        return { steps, warnings: [] };
      }
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
          action: "change-term",
          timing: "blocked",
          from: { term: observed.term, billing: observed.billing },
          to: { term: desired.term, billing: desired.billing },
          rule: midTermChange.id,
          reason:
            refusal ??
            (unsold !== undefined
              ? `${unsold.name} is not sold as ${desired.term}/${desired.billing}`
              : `the offer changes too: term and billing change with it at renewal`),
          cost: costDelta(catalog, yearlyCost(catalog, { ...observed, term: desired.term, billing: desired.billing }, observed.quantity), now),
          call: { kind: "change-term", term: desired.term, billing: desired.billing },
          ...(unsold === undefined
            ? withFix([...edits, ...renews], `to change them at renewal on ${when}`)
            : withFix(edits, `to keep them (${unsold.name} is not sold as ${desired.term}/${desired.billing})`)),
        }),
      );
    }
    return { steps, warnings: [] };
  },
};
