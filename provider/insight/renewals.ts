import type { Catalog, DesiredSubscription, IsoDate, ObservedSubscription, OfferKey, RenewalInstructions, YamlEdit } from "../domain/types";
import { compare, resolveCustomer } from "../plan/resolve";
import { estEligible } from "../rules/renewal";
import { estYearly } from "../rules/catalog";
import { dayText, instantText, renewalAt } from "../domain/time";
import { defaultRenewal, meaningfulSchedule, sameRenewal } from "../rules/renewal";
import { describeEdits, plural } from "../rules/steps";
import { offerOf, yearlyCost } from "../rules/catalog";
import { assignedBySubscription } from "./usage";
import { type Money, round2, type TenantCustomer } from "./types";

/**
 * The renewal radar (`seatplan renewals`): every date in a window that needs a decision, across
 * customers, sorted by date — with the money at stake and the YAML change that acts on it.
 * Pure: the tenant's data, the catalog and `now` come in.
 */

export type RadarKind =
  /** A batch of seats stops being removable (refundableQuantity details). */
  | "reduction-window"
  /** The subscription stops being cancellable with a refund. */
  | "cancellation-deadline"
  /** The term renews (auto-renew on): what renews is fixed by then. */
  | "renewal"
  /** A trial converts to a paid subscription. */
  | "trial-conversion"
  /** Auto-renew off on a term ending after 2026-05-04: a paid extended service term starts. */
  | "extended-service-term"
  /** Auto-renew off: the subscription ends (a trial, or a term ending before 2026-05-04). */
  | "expiry";

export const RADAR_KINDS: readonly RadarKind[] = ["reduction-window", "cancellation-deadline", "renewal", "trial-conversion", "extended-service-term", "expiry"];

export interface RadarEntry {
  /** The decision must be made before this instant. */
  readonly date: IsoDate;
  readonly kind: RadarKind;
  readonly customer: string;
  readonly customerName: string;
  /** The YAML key of the entry that manages it, else the subscription's friendly name. */
  readonly subscription: string;
  readonly subscriptionId: string;
  /** True when a YAML entry manages the subscription. */
  readonly managed: boolean;
  readonly offer: OfferKey;
  readonly product: string;
  /** Seats concerned: the batch, the subscription, or what renews. */
  readonly seats: number;
  /** What happens at `date`, in a sentence. */
  readonly what: string;
  /** The money at stake a year; null when the catalog has no price. */
  readonly money: Money | null;
  /** The YAML change that acts on it (or why none is needed). */
  readonly hint: string;
  /** The edits `hint` spells out, relative to the subscription entry; empty when none. */
  readonly edits: readonly YamlEdit[];
  /** With a YAML: how the tenant's renewal differs from what the YAML says; null when it does not. */
  readonly drift: string | null;
}

export interface RadarInput {
  readonly customers: readonly TenantCustomer[];
  readonly catalog: Catalog;
  readonly now: Date;
  /** The end of the window (inclusive). */
  readonly until: Date;
}

export interface Radar {
  readonly now: IsoDate;
  readonly until: IsoDate;
  readonly entries: readonly RadarEntry[];
}

/** Monthly-price uplift of an extended service term: +3 % on the monthly plan, +23 % when none exists. */
export const EST_UPLIFT = { monthlyPlan: 0.03, noMonthlyPlan: 0.23 } as const;

/** What `seats` seats cost a year in an extended service term; undefined when unpriced (the planner's own price, `rules/catalog`). */
export function estAnnualCost(catalog: Catalog, offer: OfferKey, seats: number): number | undefined {
  return estYearly(catalog, offer, seats);
}

export function radar(input: RadarInput): Radar {
  const { catalog, now, until } = input;
  const inWindow = (iso: IsoDate | null): iso is IsoDate => iso !== null && Date.parse(iso) >= now.getTime() && Date.parse(iso) <= until.getTime();
  const entries: RadarEntry[] = [];
  for (const customer of input.customers) {
    const resolved = customer.desired === undefined ? [] : resolveCustomer(customer.desired, customer.subscriptions);
    const entryOf = (s: ObservedSubscription): { desired: DesiredSubscription; quantity: number } | undefined => {
      const r = resolved.find(({ match: m }) => (m.kind === "id" || m.kind === "friendlyName") && m.observed.id === s.id);
      return r === undefined ? undefined : { desired: r.desired, quantity: r.quantity };
    };
    const assigned = assignedBySubscription(customer);
    for (const s of customer.subscriptions) {
      if (s.status !== "active") continue;
      const entry = entryOf(s);
      const base = {
        customer: customer.key,
        customerName: customer.name,
        subscription: entry?.desired.key ?? s.friendlyName,
        subscriptionId: s.id,
        managed: entry !== undefined,
        offer: s.offer,
        product: offerOf(catalog, s.offer)?.name ?? s.offerName,
      };
      const used = assigned === null ? null : (assigned.get(s.id) ?? 0);
      const money = (amount: number | undefined): Money | null => (amount === undefined ? null : { currency: catalog.currency, annual: round2(amount) });
      const subject: Subject = { s, used, catalog };
      const drift = customer.desired === undefined ? null : driftOf(s, entry);
      if (!s.isTrial) {
        for (const lot of s.refundableLots.filter((l) => inWindow(l.allowedUntil))) {
          entries.push({ ...base, date: lot.allowedUntil, kind: "reduction-window", seats: lot.quantity, ...windowText(subject, lot.quantity, lot.allowedUntil), money: money(yearlyCost(catalog, s, lot.quantity)), drift: null });
        }
        if (inWindow(s.cancellationAllowedUntil)) {
          entries.push({ ...base, date: s.cancellationAllowedUntil, kind: "cancellation-deadline", seats: s.quantity, ...cancelText(s, s.cancellationAllowedUntil), money: money(yearlyCost(catalog, s, s.quantity)), drift: null });
        }
      }
      const at = renewalAt(s.endDate);
      if (!inWindow(at)) continue;
      const renews = s.scheduledRenewal ?? defaultRenewal(s, s.quantity);
      if (s.autoRenew) {
        const kind = s.isTrial ? "trial-conversion" : "renewal";
        entries.push({ ...base, date: at, kind, seats: renews.quantity, ...renewalText(subject, renews, kind), money: money(yearlyCost(catalog, renews, renews.quantity)), drift });
      } else if (estEligible(s) && s.endsAtTermEnd !== true) {
        entries.push({ ...base, date: at, kind: "extended-service-term", seats: s.quantity, ...estText(subject), money: money(estAnnualCost(catalog, s.offer, s.quantity)), drift });
      } else {
        const what = `${s.isTrial ? "the trial" : "the subscription"} ends: ${plural(s.quantity, "seat")} of ${productOf(catalog, s)} stop working`;
        const edits: YamlEdit[] = [{ path: "autoRenew", value: true }];
        entries.push({ ...base, date: at, kind: "expiry", seats: s.quantity, what, hint: `${describeEdits(edits)} to keep it`, edits, money: money(yearlyCost(catalog, s, s.quantity)), drift });
      }
    }
  }
  entries.sort(
    (a, b) =>
      compare(a.date, b.date) || compare(a.customer, b.customer) || compare(a.subscription, b.subscription) || RADAR_KINDS.indexOf(a.kind) - RADAR_KINDS.indexOf(b.kind),
  );
  return { now: now.toISOString(), until: until.toISOString(), entries };
}

interface Subject {
  readonly s: ObservedSubscription;
  /** Seats assigned to this subscription's users; null without usage access. */
  readonly used: number | null;
  readonly catalog: Catalog;
}

type Advice = Pick<RadarEntry, "what" | "hint" | "edits">;

function productOf(catalog: Catalog, s: { readonly offer: OfferKey }): string {
  return offerOf(catalog, s.offer)?.name ?? s.offer;
}

function perYear(catalog: Catalog, amount: number | undefined): string {
  return amount === undefined ? "" : ` (${round2(amount).toFixed(2)} ${catalog.currency} a year)`;
}

function windowText({ s, used, catalog }: Subject, seats: number, until: IsoDate): Advice {
  const what = `${plural(seats, "seat")} of ${s.quantity} can be removed until ${instantText(until)}; after that they are paid until ${dayText(s.endDate)}`;
  if (used === null) {
    const edits: YamlEdit[] = [{ path: "quantity", value: Math.max(1, s.quantity - seats) }];
    return { what, hint: `${describeEdits(edits)} before ${instantText(until)} to remove them (seatplan usage shows how many are assigned)`, edits };
  }
  const removable = Math.min(seats, s.quantity - used);
  if (removable <= 0) return { what, hint: `no change: all ${plural(s.quantity, "seat")} are assigned to users`, edits: [] };
  const edits: YamlEdit[] = [{ path: "quantity", value: Math.max(1, s.quantity - removable) }];
  return { what, hint: `${describeEdits(edits)} before ${instantText(until)} to remove ${removable} unused${perYear(catalog, yearlyCost(catalog, s, removable))}`, edits };
}

function cancelText(s: ObservedSubscription, until: IsoDate): Advice {
  const edits: YamlEdit[] = [{ path: "status", value: "cancelled" }];
  return {
    what: `cancellable with a refund until ${instantText(until)}; after that it runs until ${dayText(s.endDate)}`,
    hint: `${describeEdits(edits)} to cancel it before then`,
    edits,
  };
}

/** `3 seats P1Y/annual`, or `3 × Microsoft 365 Business Premium P1Y/annual` when the offer changes. */
function describeRenewal(catalog: Catalog, r: RenewalInstructions, own: OfferKey): string {
  return `${r.offer === own ? plural(r.quantity, "seat") : `${r.quantity} × ${productOf(catalog, r)}`} ${r.term}/${r.billing}`;
}

function renewalText({ s, used, catalog }: Subject, renews: RenewalInstructions, kind: "renewal" | "trial-conversion"): Advice {
  const scheduled = meaningfulSchedule(s);
  const changes = scheduled === null ? "" : `; scheduled change from ${describeRenewal(catalog, defaultRenewal(s, s.quantity), s.offer)}`;
  const what = `${kind === "renewal" ? "renews" : "the trial converts to paid:"} ${describeRenewal(catalog, renews, s.offer)}${perYear(catalog, yearlyCost(catalog, renews, renews.quantity))}${changes}`;
  const stop = kind === "renewal" ? "end it at term end" : "let the trial end";
  if (used === 0 && kind === "trial-conversion") {
    const edits: YamlEdit[] = [{ path: "autoRenew", value: false }];
    return { what, hint: `${describeEdits(edits)} to let the trial end: no seat is assigned to a user`, edits };
  }
  if (used !== null && used < renews.quantity) {
    const keep = Math.max(1, used);
    const edits: YamlEdit[] = [{ path: "renewal.quantity", value: keep }];
    const saved = yearlyCost(catalog, renews, renews.quantity - keep);
    const saving = saved === undefined ? "" : `, ${round2(saved).toFixed(2)} ${catalog.currency} a year less`;
    const verb = kind === "renewal" ? "renew" : "convert";
    return { what, hint: `${describeEdits(edits)} to ${verb} only the ${plural(used, "assigned seat")}${saving}; or autoRenew: false to ${stop}`, edits };
  }
  if (used !== null) return { what, hint: `no change: all ${plural(renews.quantity, "renewing seat")} are assigned to users`, edits: [] };
  if (kind === "trial-conversion") {
    const edits: YamlEdit[] = [{ path: "autoRenew", value: false }];
    return { what, hint: `${describeEdits(edits)} to let the trial end, or renewal.quantity: N to convert fewer seats`, edits };
  }
  return { what, hint: `set renewal.quantity: N to renew fewer seats (seatplan usage shows how many are assigned), or autoRenew: false to ${stop}`, edits: [] };
}

function estText({ s }: Subject): Advice {
  const edits: YamlEdit[] = [{ path: "status", value: "cancelled" }];
  return {
    what: `auto-renew is off: the term ends on ${dayText(s.endDate)} and moves into a paid extended service term (monthly price + 3 %, + 23 % without a monthly plan) unless cancelled at term end`,
    hint: `${describeEdits(edits)} to end it at term end (on Partner Center also choose "cancel at end of term"), or autoRenew: true to renew it`,
    edits,
  };
}

/**
 * How the tenant's renewal differs from what the YAML entry says; null when they agree or the
 * subscription is not in the YAML (`seatplan plan` lists those as unmanaged).
 */
function driftOf(s: ObservedSubscription, entry: { desired: DesiredSubscription; quantity: number } | undefined): string | null {
  if (entry === undefined) return null;
  const { desired } = entry;
  const tenant: RenewalInstructions | null = s.autoRenew ? (s.scheduledRenewal ?? defaultRenewal(s, s.quantity)) : null;
  const yaml: RenewalInstructions | null =
    desired.status !== "active" || !desired.autoRenew
      ? null
      : {
          offer: desired.renewal?.offer ?? desired.offer,
          term: desired.renewal?.term ?? desired.term,
          billing: desired.renewal?.billing ?? desired.billing,
          quantity: desired.renewal?.quantity ?? entry.quantity,
        };
  if (sameRenewal(tenant, yaml)) return null;
  const before = `: apply the YAML (seatplan plan, then apply) before ${dayText(renewalAt(s.endDate))}`;
  if (tenant === null || yaml === null) {
    return `the tenant ${tenant === null ? "does not renew it" : "renews it"}, the YAML says it ${yaml === null ? "should not renew" : "renews"}${before}`;
  }
  const fields = (["quantity", "offer", "term", "billing"] as const).filter((f) => tenant[f] !== yaml[f]);
  const say = (r: RenewalInstructions): string => fields.map((f) => (f === "quantity" ? plural(r.quantity, "seat") : r[f])).join(" ");
  return `the tenant renews ${say(tenant)}, the YAML says ${say(yaml)}${before}`;
}
