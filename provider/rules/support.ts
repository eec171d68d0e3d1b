import { createHash } from "node:crypto";
import { DateTime } from "luxon";
import type {
  BillingCycle,
  Catalog,
  CatalogOffer,
  DesiredRenewal,
  DesiredSubscription,
  IsoDate,
  ObservedSubscription,
  OfferKey,
  PlanStep,
  PlanWarning,
  RenewalInstructions,
  StepCall,
  StepCost,
  StepValue,
  Term,
  Timing,
  YamlEdit,
} from "../domain/types";
import type { Subject } from "./types";

// ---------------------------------------------------------------------------------------------
// Dates. Everything is UTC; the clock is `subject.now`, never read here.
// ---------------------------------------------------------------------------------------------

const DAY_MS = 86_400_000;

export function isoOf(t: Date | number): IsoDate {
  return new Date(t).toISOString();
}

/** `2022-01-05T00:00:00Z`: instants in reasons, without the noise of milliseconds. */
export function instantText(iso: IsoDate): string {
  return isoOf(Date.parse(iso)).replace(/\.000Z$/, "Z");
}

/** `2022-01-05`: days in hints. */
export function dayText(iso: IsoDate): string {
  return isoOf(Date.parse(iso)).slice(0, 10);
}

function startOfDay(t: number): number {
  return t - (((t % DAY_MS) + DAY_MS) % DAY_MS);
}

/** NCE renewals start the day after the (inclusive) last day of the term, at 00:00 UTC. */
export function renewalAt(endDate: IsoDate): IsoDate {
  return isoOf(startOfDay(Date.parse(endDate)) + DAY_MS);
}

/** Inclusive end (00:00 UTC of the last day) of a term starting on the day of `start`. */
export function termEnd(start: Date, term: Term, customEnd?: IsoDate): IsoDate {
  if (customEnd !== undefined) return isoOf(startOfDay(Date.parse(customEnd)));
  // Calendar arithmetic (a month from 31 January ends on 27 February), as Partner Center counts.
  const months = term === "P1M" ? 1 : term === "P1Y" ? 12 : 36;
  return isoOf(DateTime.fromMillis(startOfDay(start.getTime()), { zone: "utc" }).plus({ months }).minus({ days: 1 }).toMillis());
}

// ---------------------------------------------------------------------------------------------
// Seats
// ---------------------------------------------------------------------------------------------

/**
 * Seats removable at `now`: the lots whose window is still open. `allowedUntil` is the last
 * instant allowed, inclusive — as for `cancellationAllowedUntilDate`, and as the simulator judges.
 */
export function refundableAt(observed: ObservedSubscription, now: Date): number {
  return observed.refundableLots
    .filter((lot) => Date.parse(lot.allowedUntil) >= now.getTime())
    .reduce((sum, lot) => sum + lot.quantity, 0);
}

/** When the last reduction window closed (for messages); null when nothing says. */
export function lastClosedWindow(observed: ObservedSubscription, now: Date): IsoDate | null {
  const closed = [...observed.refundableLots.map((l) => l.allowedUntil), ...(observed.cancellationAllowedUntil ? [observed.cancellationAllowedUntil] : [])]
    .filter((d) => Date.parse(d) < now.getTime())
    .sort((a, b) => Date.parse(b) - Date.parse(a));
  return closed[0] ?? null;
}

export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

// ---------------------------------------------------------------------------------------------
// Money: annualised list prices from the catalog.
// ---------------------------------------------------------------------------------------------

export function offerOf(catalog: Catalog, offer: OfferKey): CatalogOffer | undefined {
  return catalog.offers.find((o) => o.offer === offer);
}

/** What `seats` seats of `offer` cost per year on that term and billing; undefined when unpriced. */
export function yearlyCost(
  catalog: Catalog,
  at: { readonly offer: OfferKey; readonly term: Term; readonly billing: BillingCycle },
  seats: number,
): number | undefined {
  const price = offerOf(catalog, at.offer)?.prices[`${at.term}/${at.billing}`];
  if (price === undefined) return undefined;
  // Catalog prices are per billing period: a year, a month, or three years.
  const perYear = at.billing === "monthly" ? price * 12 : at.billing === "triennial" ? price / 3 : price;
  return perYear * seats;
}

// ---------------------------------------------------------------------------------------------
// The extended service term (EST). Source: Microsoft Learn, "Use Extended Service Terms (EST) for
// CSP subscriptions": from 4 May 2026 a licence subscription that is not renewed and not
// explicitly cancelled at term end moves into EST, billed monthly at the monthly term rate + 3 %
// (+ 23 % where the offer has no monthly plan), cancellable any time with a prorated refund, until
// cancelled. Eligibility (bought or renewed on/after 1 April 2025, term ending on/after 4 May 2026,
// not a trial) from CloudBlue's and CloudFactory's distributor notes.
// ---------------------------------------------------------------------------------------------

export const EST_START = "2026-05-04T00:00:00.000Z";
export const EST_PURCHASED_FROM = "2025-04-01T00:00:00.000Z";

/** Would auto-renew off move this subscription into EST at its term end (instead of ending it)? */
export function estEligible(observed: ObservedSubscription): boolean {
  if (observed.isTrial || observed.quantity === 0) return false;
  if (observed.extendedServiceTerm === true) return true;
  return Date.parse(observed.endDate) >= Date.parse(EST_START) && Date.parse(observed.startDate) >= Date.parse(EST_PURCHASED_FROM);
}

/** The EST price per seat and month; undefined when unpriced. */
export function estMonthlyPrice(catalog: Catalog, offer: OfferKey): number | undefined {
  const o = offerOf(catalog, offer);
  if (o === undefined) return undefined;
  const monthly = o.prices["P1M/monthly"];
  if (monthly !== undefined) return monthly * 1.03;
  const annual = o.prices["P1Y/annual"];
  const perMonth = annual !== undefined ? annual / 12 : o.prices["P1Y/monthly"];
  return perMonth === undefined ? undefined : perMonth * 1.23;
}

/** What `seats` seats in EST cost per year. */
export function estYearly(catalog: Catalog, offer: OfferKey, seats: number): number | undefined {
  const monthly = estMonthlyPrice(catalog, offer);
  return monthly === undefined ? undefined : monthly * 12 * seats;
}

/** What `seats` seats of the subscription cost per year as it is billed now: nothing for a trial, the EST rate in EST. */
export function currentYearly(catalog: Catalog, observed: ObservedSubscription, seats: number): number | undefined {
  if (observed.isTrial) return 0;
  if (observed.extendedServiceTerm === true) return estYearly(catalog, observed.offer, seats);
  return yearlyCost(catalog, observed, seats);
}

/**
 * What follows the term when it does not renew: EST (priced) unless an explicit cancellation at
 * term end is scheduled or the subscription is not eligible, then nothing.
 */
export function lapseYearly(catalog: Catalog, observed: ObservedSubscription, seats: number, cancelled: boolean): number | undefined {
  if (cancelled || observed.endsAtTermEnd === true || !estEligible(observed)) return 0;
  return estYearly(catalog, observed.offer, seats);
}

/** `after - before` as a step cost; null when either side is unpriced. */
export function costDelta(catalog: Catalog, after: number | undefined, before: number | undefined): StepCost | null {
  if (after === undefined || before === undefined) return null;
  return { currency: catalog.currency, annualDelta: Math.round((after - before) * 100) / 100 };
}

/**
 * Offers a subscription may renew into: its own, and the catalog's upgrade paths of the same
 * segment (a downgrade needs a new subscription).
 */
export function renewalOffers(catalog: Catalog, offer: OfferKey): readonly OfferKey[] {
  const own = offerOf(catalog, offer);
  if (own === undefined) return [offer];
  return [offer, ...own.upgradesTo.filter((to) => offerOf(catalog, to)?.segment === own.segment)];
}

// ---------------------------------------------------------------------------------------------
// Renewal instructions
// ---------------------------------------------------------------------------------------------

export function sameRenewal(a: RenewalInstructions | null, b: RenewalInstructions | null): boolean {
  if (a === null || b === null) return a === b;
  return a.offer === b.offer && a.term === b.term && a.billing === b.billing && a.quantity === b.quantity;
}

export function renewalValue(r: RenewalInstructions): StepValue {
  return { offer: r.offer, term: r.term, billing: r.billing, quantity: r.quantity };
}

/**
 * What renews when no instructions are scheduled: the same offer, term, billing and seats; a
 * trial converts to the paid offer on a one-year term billed monthly ("Manage trials for new commerce").
 */
export function defaultRenewal(observed: ObservedSubscription, quantity: number): RenewalInstructions {
  if (observed.isTrial) return { offer: observed.offer, term: "P1Y", billing: "monthly", quantity };
  return { offer: observed.offer, term: observed.term, billing: observed.billing, quantity };
}

/** What renews without instructions once the earlier steps ran (their seat count, a term or billing changed now). */
export function renewsAfter(observed: ObservedSubscription, earlier: readonly PlanStep[]): RenewalInstructions {
  const plain = defaultRenewal(observed, quantityAfter(observed, earlier));
  const changed = earlier.find((s) => s.timing !== "blocked" && s.call?.kind === "change-term")?.call;
  return changed?.kind === "change-term" ? { ...plain, term: changed.term, billing: changed.billing } : plain;
}

/** The scheduled instructions, unless they only repeat what renews anyway. */
export function meaningfulSchedule(observed: ObservedSubscription): RenewalInstructions | null {
  const s = observed.scheduledRenewal;
  return s === null || sameRenewal(s, defaultRenewal(observed, observed.quantity)) ? null : s;
}

// ---------------------------------------------------------------------------------------------
// Steps, hints and warnings
// ---------------------------------------------------------------------------------------------

/** True for calls that take effect immediately (and so wipe scheduled renewal changes). */
export function isImmediate(step: PlanStep): boolean {
  return step.timing !== "blocked" && (step.call?.kind === "set-quantity" || step.call?.kind === "transition" || step.call?.kind === "change-term");
}

/** The seat count the subscription has once the earlier steps ran. */
export function quantityAfter(observed: ObservedSubscription, earlier: readonly PlanStep[]): number {
  let q = observed.quantity;
  for (const s of earlier) {
    if (s.timing === "blocked" || s.call === undefined) continue;
    if (s.call.kind === "set-quantity") q = s.call.quantity;
    if (s.call.kind === "transition") q -= s.call.request.quantity;
  }
  return q;
}

function yamlScalar(v: string | number | boolean): string {
  if (typeof v !== "string") return String(v);
  return /^[\s'"{[&*!|>%@`#,?-]|: |\s#|\s$|^$/.test(v) ? JSON.stringify(v) : v;
}

/** `set quantity: 3 and renewal.quantity: 1` / `remove upgrade.into`. */
export function describeEdits(edits: readonly YamlEdit[]): string {
  const removed = edits.filter((e) => e.value === null).map((e) => (e.path === "" ? "this entry" : e.path));
  const set = edits.flatMap((e) => (e.value === null ? [] : [`${e.path}: ${yamlScalar(e.value)}`]));
  return [removed.length ? `remove ${removed.join(" and ")}` : "", set.length ? `set ${set.join(" and ")}` : ""]
    .filter(Boolean)
    .join(" and ");
}

/** Edits removing `fields` from `renewal:`; the whole block when nothing would be left (an empty one is invalid). */
export function withoutRenewal(desired: DesiredSubscription, fields: readonly (keyof DesiredRenewal)[]): YamlEdit[] {
  const left = Object.keys(desired.renewal ?? {}).filter((k) => !fields.includes(k as keyof DesiredRenewal));
  if (left.length === 0) return [{ path: "renewal", value: null }];
  return fields.filter((f) => desired.renewal?.[f] !== undefined).map((f) => ({ path: `renewal.${f}`, value: null }));
}

/** A hint is always the YAML edits spelled out plus what they achieve, so it can be applied and re-planned. */
export function withFix(edits: readonly YamlEdit[], purpose: string): { readonly hint: string; readonly fix: readonly YamlEdit[] } {
  return { hint: `${describeEdits(edits)} ${purpose}`, fix: edits };
}

export interface StepFields {
  readonly action: PlanStep["action"];
  readonly timing: Timing;
  readonly from: StepValue;
  readonly to: StepValue;
  readonly rule: string;
  readonly reason?: string | null;
  readonly cost: StepCost | null;
  readonly call?: StepCall;
  readonly hint?: string;
  readonly fix?: readonly YamlEdit[];
}

/** A step of `subject`'s subscription; `effectiveAt` follows from the timing (design §4). */
export function makeStep(subject: Pick<Subject, "customer" | "desired" | "observed" | "now">, f: StepFields): PlanStep {
  const effectiveAt =
    f.timing === "blocked" ? null : f.timing === "at-renewal" ? renewalAt(subject.observed.endDate) : isoOf(subject.now);
  return {
    customer: subject.customer,
    subscription: subject.desired.key,
    subscriptionId: subject.observed.id === "" ? null : subject.observed.id,
    action: f.action,
    timing: f.timing,
    from: f.from,
    to: f.to,
    effectiveAt,
    rule: f.rule,
    reason: f.reason ?? null,
    hint: f.timing === "blocked" ? (f.hint ?? null) : null,
    cost: f.cost,
    // Blocked steps keep the call they would make: the executor never runs them, but it says what was refused.
    ...(f.call !== undefined ? { call: f.call } : {}),
    ...(f.timing === "blocked" && f.fix !== undefined ? { fix: f.fix } : {}),
  };
}

export function warning(subject: Pick<Subject, "customer" | "desired">, code: string, message: string): PlanWarning {
  return { customer: subject.customer, subscription: subject.desired.key, code, message };
}

/** A short, stable id from its parts (idempotency keys, request ids). */
export function stableId(parts: readonly (string | number | boolean | null | undefined)[]): string {
  const digest = createHash("sha256").update(JSON.stringify(parts)).digest("hex");
  // GUID-shaped so it can travel as an MS-RequestId header.
  return `${digest.slice(0, 8)}-${digest.slice(8, 12)}-${digest.slice(12, 16)}-${digest.slice(16, 20)}-${digest.slice(20, 32)}`;
}
