import type { StepValue, YamlEdit } from "../domain/types";
import { poolReason, remainingFor } from "./seat-limits";
import { dayText } from "../domain/time";
import { costDelta, currentYearly, offerOf, yearlyCost } from "./catalog";
import { makeStep, withFix } from "./steps";
import { NOTHING, type Rule, type Subject } from "./types";

/**
 * `upgrade:` transitions seats to a higher offer now, irreversibly: only to a target the backend
 * lists as eligible, acknowledged in the YAML, within the target SKU's pooled maximum, and into an
 * existing subscription only when Partner Center's eligibility lists it as a merge target.
 */
export const upgrade: Rule = {
  id: "upgrade",
  rationale: "An upgrade is immediate and irreversible: it must be an eligible transition, acknowledged, into a target ending no earlier.",
  evaluate(subject, earlier) {
    const { desired, observed, catalog } = subject;
    const u = desired.upgrade;
    const resolved = subject.upgrade;
    if (u === undefined || resolved === undefined || resolved.state === "done" || desired.status !== "active") return NOTHING;
    // An offer that differs from the live one is the mid-term-change rule's step.
    if (earlier.some((s) => s.rule === "mid-term-change" && s.action === "upgrade")) return NOTHING;
    const seats = resolved.seats;
    const into = resolved.into?.observed ?? null;
    const renewsAs = into ?? observed;
    const cost = costDelta(
      catalog,
      yearlyCost(catalog, { offer: u.to, term: renewsAs.term, billing: renewsAs.billing }, seats),
      currentYearly(catalog, observed, seats),
    );
    // `from` is the source as it is (its seats let the executor verify the move); `to` what moves where.
    const from: StepValue = { offer: observed.offer, quantity: observed.quantity };
    const to: StepValue = { offer: u.to, quantity: seats, into: into?.id ?? null };
    const call = { kind: "transition", request: { to: u.to, quantity: seats, ...(into === null ? {} : { toSubscriptionId: into.id }) } } as const;
    const refusal = refuse(subject);
    if (refusal !== null) {
      const step = makeStep(subject, {
        action: "upgrade",
        timing: "blocked",
        from,
        to,
        rule: upgrade.id,
        reason: refusal.reason,
        cost,
        ...(refusal.callRefused ? { call } : {}),
        ...withFix(refusal.edits, refusal.purpose),
      });
      return { steps: [step], warnings: [] };
    }
    const step = makeStep(subject, {
      action: "upgrade",
      timing: "irreversible",
      from,
      to,
      rule: upgrade.id,
      reason: into === null ? null : `merges into ${into.friendlyName} (${into.id}), which ends on ${dayText(into.endDate)}`,
      cost,
      call,
    });
    return { steps: [step], warnings: [] };
  },
};

interface Refusal {
  readonly reason: string;
  readonly edits: readonly YamlEdit[];
  readonly purpose: string;
  /** The backend would refuse the transition call itself, not only the planner. */
  readonly callRefused: boolean;
}

/** Why the upgrade cannot run, in the order a reader would fix it; null when it can. */
function refuse(subject: Subject): Refusal | null {
  const { desired, observed } = subject;
  const u = desired.upgrade;
  const resolved = subject.upgrade;
  if (u === undefined || resolved === undefined) return null;
  const withoutUpgrade = { edits: [{ path: "upgrade", value: null }], purpose: "to keep the subscription as it is" } as const;
  const withoutInto = { edits: [{ path: "upgrade.into", value: null }], purpose: `to upgrade into a new ${u.to} subscription` } as const;
  const refused = { callRefused: true } as const;
  const plannerOnly = { callRefused: false } as const;
  if ((u.acknowledge as string) !== "irreversible") {
    return {
      reason: "an upgrade cannot be undone and must be acknowledged",
      edits: [{ path: "upgrade.acknowledge", value: "irreversible" }],
      purpose: "to confirm the upgrade",
      ...plannerOnly,
    };
  }
  if (observed.quantity !== desired.quantity) {
    const edits: YamlEdit[] = [{ path: "quantity", value: observed.quantity }];
    if (u.quantity !== undefined && u.quantity > observed.quantity) edits.push({ path: "upgrade.quantity", value: null });
    return {
      reason: `the subscription has ${observed.quantity} seats and the YAML says quantity: ${desired.quantity}; seats cannot change in the same step as an upgrade`,
      edits,
      purpose: "to upgrade the seats it has (change the quantity in a later plan)",
      ...plannerOnly,
    };
  }
  if (resolved.eligibilities === undefined) {
    return { reason: "the backend does not report transition eligibilities, so the upgrade cannot be checked", ...withoutUpgrade, ...plannerOnly };
  }
  const eligibility = resolved.eligibilities.find((e) => e.offer === u.to);
  if (eligibility === undefined || !eligibility.isEligible) {
    const errors = eligibility?.errors.length ? `: ${eligibility.errors.join("; ")}` : "";
    const eligible = eligibleTargets(subject);
    const reason = `${u.to} is not an eligible upgrade for ${observed.offer}${errors}`;
    const [best] = eligible;
    if (best === undefined) return { reason: `${reason}; it has no eligible upgrade`, ...withoutUpgrade, ...refused };
    // Suggest the highest eligible offer (the closest to an upgrade the reader asked for); the reason lists them all.
    const edits: YamlEdit[] = [{ path: "upgrade.to", value: best.offer }];
    if (u.into !== undefined) edits.push({ path: "upgrade.into", value: null });
    return {
      reason: `${reason}; eligible: ${eligible.map((o) => `${o.offer} (${o.name})`).join(", ")}`,
      edits,
      purpose: `to upgrade to ${best.name} instead, or remove upgrade to keep the subscription as it is`,
      ...refused,
    };
  }
  // Partner Center pools the target SKU's maximum on the tenant (a merge target's seats included).
  const targetOffer = offerOf(subject.catalog, u.to);
  if (targetOffer !== undefined && resolved.seats > remainingFor(targetOffer, subject.pool)) {
    const remaining = remainingFor(targetOffer, subject.pool);
    return {
      reason: poolReason(targetOffer, subject.pool, resolved.seats),
      edits: remaining > 0 ? [{ path: "upgrade.quantity", value: remaining }] : [{ path: "upgrade", value: null }],
      purpose: remaining > 0 ? `to upgrade the ${remaining} seats that remain of the target SKU's pooled maximum` : "to keep the subscription as it is (the target SKU has no seats left)",
      ...refused,
    };
  }
  if (resolved.into === undefined) return null;
  const into = resolved.into.observed;
  if (into === null) return { reason: `upgrade.into names ${resolved.into.key}, which does not exist yet`, ...withoutInto, ...plannerOnly };
  // Whether seats may merge into it (status, end date, seats left) is Partner Center's answer:
  // transitionEligibilities' subscriptionEligibilities, read as it is.
  const target = eligibility.into.find((t) => t.subscriptionId === into.id);
  if (target === undefined) {
    return {
      // Named: CloudCockpit lists only the targets a merge is possible into, without Partner Center's reasons.
      reason: `the ${subject.backend === undefined ? "" : `${subject.backend} `}backend does not list ${resolved.into.key} (${into.offer}, ${into.status}) among the subscriptions this upgrade can merge into`,
      ...withoutInto,
      ...refused,
    };
  }
  if (!target.isEligible) {
    const errors = target.errors.length ? `: ${target.errors.join("; ")}` : "";
    return { reason: `the backend refuses merging into ${resolved.into.key}${errors}`, ...withoutInto, ...refused };
  }
  return null;
}

/** The offers the backend lists as eligible targets, highest catalog rank first. */
function eligibleTargets(subject: Subject): { readonly offer: string; readonly name: string; readonly rank: number }[] {
  const offers = new Map(subject.catalog.offers.map((o) => [o.offer, o]));
  return (subject.upgrade?.eligibilities ?? [])
    .filter((e) => e.isEligible)
    .map((e) => ({ offer: e.offer, name: offers.get(e.offer)?.name ?? e.offer, rank: offers.get(e.offer)?.rank ?? 0 }))
    .sort((a, b) => b.rank - a.rank || (a.offer < b.offer ? -1 : a.offer > b.offer ? 1 : 0));
}
