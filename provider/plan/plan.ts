import type {
  Action,
  Catalog,
  DesiredCustomer,
  DesiredState,
  ObservedSubscription,
  Plan,
  PlanStep,
  PlanWarning,
  Policy,
  RemovedEntry,
  DesiredSubscription,
  UnmanagedSubscription,
} from "../domain/types";
import {
  AFTER_PURCHASE_RULES,
  businessOver,
  businessWarning,
  EXTENDED_TERM_RULES,
  inBusinessFamily,
  type SeatPool,
  TRIAL_RULES,
  FULL_UPGRADE_RULES,
  purchase,
  type PurchaseSubject,
  type Rule,
  SUBSCRIPTION_RULES,
  type Subject,
  subscriptionStatus,
} from "../rules";
import { dayText, instantText, isoOf, termEnd } from "../domain/time";
import { offerOf } from "../rules/catalog";
import { meaningfulSchedule } from "../rules/renewal";
import { withFix } from "../rules/steps";
import { withDeadlines } from "./deadlines";
import { compare, type ResolvedEntry, resolveCustomer } from "./resolve";
import { costSummary } from "./totals";
import type { Observation, ObservedCustomer, PlanContext } from "./types";

/**
 * The plan (design §4): for every entry of the YAML, the calls that bring the tenant to it —
 * now, at renewal, irreversibly — or why they cannot happen and which YAML would work. Pure:
 * everything it knows comes in through `observation` and `ctx`.
 */
export function plan(desired: DesiredState, observation: Observation, ctx: PlanContext, options: PlanOptions = {}): Plan {
  const steps: PlanStep[] = [];
  const warnings: PlanWarning[] = [];
  const unmanaged: UnmanagedSubscription[] = [];
  let unchanged = 0;
  const removals = options.base === undefined ? undefined : planRemovals(options.base, desired, observation, ctx);
  for (const customer of [...desired.customers].sort((a, b) => compare(a.key, b.key))) {
    const observed = observation.customers[customer.key];
    if (observed === undefined) throw new Error(`plan: customer ${customer.key} was not observed`);
    const resolved = resolveCustomer(customer, observed.subscriptions);
    const claimed = new Set<string>();
    const seats = new SeatTally(observed.subscriptions, desired.policy.businessSeatCap ?? "warn");
    for (const entry of resolved) {
      const outcome = planEntry(customer, entry, resolved, observed, observation.catalog, desired.policy, ctx, seats);
      seats.record(entry, outcome.steps);
      steps.push(...outcome.steps);
      warnings.push(...outcome.warnings);
      const m = entry.match;
      if (m.kind === "id" || m.kind === "friendlyName") {
        claimed.add(m.observed.id);
        if (outcome.steps.length === 0) unchanged += 1;
      }
      if (m.kind === "ambiguous") m.candidates.forEach((c) => claimed.add(c.id));
      warnings.push(...mergeWipes(customer, entry, outcome.steps));
    }
    // A removed entry's subscription is listed under `removed`, with what happens to it.
    removals?.removed.forEach((r) => r.customer === customer.key && r.subscriptionId !== null && r.outcome !== "kept" && claimed.add(r.subscriptionId));
    unmanaged.push(
      ...observed.subscriptions
        // Ended subscriptions stay listed by Partner Center for years; they are nobody's to manage.
        .filter((s) => s.status !== "deleted" && s.status !== "expired" && !claimed.has(s.id))
        .sort((a, b) => compare(a.friendlyName, b.friendlyName) || compare(a.id, b.id))
        .map((s) => ({
          customer: customer.key,
          subscriptionId: s.id,
          offer: s.offer,
          friendlyName: s.friendlyName,
          quantity: s.quantity,
          status: s.status,
        })),
    );
  }
  if (removals !== undefined) {
    steps.push(...removals.steps);
    warnings.push(...removals.warnings);
  }
  const count = (timing: PlanStep["timing"]): number => steps.filter((s) => s.timing === timing).length;
  return {
    version: 1,
    now: isoOf(ctx.now),
    backend: ctx.backend,
    summary: {
      now: count("now"),
      atRenewal: count("at-renewal"),
      irreversible: count("irreversible"),
      blocked: count("blocked"),
      unchanged,
      unmanaged: unmanaged.length,
      cost: costSummary(steps, observation.catalog.currency),
      ...(removals === undefined ? {} : { removed: removals.removed.length }),
    },
    steps,
    unmanaged,
    ...(removals === undefined ? {} : { removed: removals.removed }),
    warnings: warnings.sort(
      (a, b) => compare(a.customer, b.customer) || compare(a.subscription ?? "", b.subscription ?? "") || compare(a.code, b.code),
    ),
  };
}

export interface PlanOptions {
  /**
   * The YAML before the change (`plan --base`): entries it has and `desired` does not are
   * removals, planned under `desired.policy.removed` and listed in `plan.removed`.
   */
  readonly base?: DesiredState;
}

/** What removing entries from the YAML does: the steps (policy `cancel`) and one line per entry. */
export interface Removals {
  readonly steps: readonly PlanStep[];
  readonly removed: readonly RemovedEntry[];
  readonly warnings: readonly PlanWarning[];
}

/**
 * The entries of `base` that `desired` no longer has (by customer and subscription key), each
 * with what `desired.policy.removed` does to its subscription: `release` calls nothing; `cancel`
 * cancels inside the cancellation window, otherwise ends it at term end (never blocked for being
 * late: ending is always possible). A subscription another entry of `desired` still matches (a
 * renamed key) is kept. The Pulumi provider's delete runs this same function, so `pulumi up` does
 * what `plan --base` showed. `observation` must hold every customer of `base` with removed entries.
 */
export function planRemovals(base: DesiredState, desired: DesiredState, observation: Observation, at: Date | PlanContext): Removals {
  // A bare instant plans with every capability (the backend unnamed).
  const ctx: PlanContext = at instanceof Date ? { now: at, backend: "" } : at;
  const steps: PlanStep[] = [];
  const removed: RemovedEntry[] = [];
  const warnings: PlanWarning[] = [];
  const policy = desired.policy.removed;
  for (const before of [...base.customers].sort((a, b) => compare(a.key, b.key))) {
    const after = desired.customers.find((c) => c.key === before.key);
    const gone = before.subscriptions.filter((e) => after?.subscriptions.some((n) => n.key === e.key) !== true);
    if (gone.length === 0) continue;
    const observed = observation.customers[before.key];
    if (observed === undefined) throw new Error(`plan: customer ${before.key} (removed entries) was not observed`);
    // What the new YAML still manages: those subscriptions are not removed, whatever the key says.
    // (any customer key of the same tenant: a renamed customer key keeps its subscriptions).
    const kept = new Map<string, string>();
    for (const other of desired.customers.filter((c) => c.tenantId === before.tenantId)) {
      for (const r of resolveCustomer(other, observed.subscriptions)) {
        if (r.match.kind === "id" || r.match.kind === "friendlyName") kept.set(r.match.observed.id, `${other.key}/${r.desired.key}`);
      }
    }
    const resolved = resolveCustomer(before, observed.subscriptions);
    for (const entry of [...gone].sort((a, b) => compare(a.key, b.key))) {
      const m = resolved.find((r) => r.desired.key === entry.key)?.match ?? { kind: "none" as const };
      const id = m.kind === "id" || m.kind === "friendlyName" ? m.observed.id : null;
      const line = (outcome: RemovedEntry["outcome"], note: string): RemovedEntry => ({ customer: before.key, subscription: entry.key, subscriptionId: id, policy, outcome, note });
      if (m.kind !== "id" && m.kind !== "friendlyName") {
        removed.push(line("gone", "no live subscription matches it; nothing to do"));
        continue;
      }
      const live = m.observed;
      const other = kept.get(live.id);
      if (other !== undefined) {
        removed.push(line("kept", `entry ${other} still manages subscription ${live.id}; nothing is called for the removal`));
        continue;
      }
      if (live.status === "deleted" || live.status === "expired") {
        removed.push(line("ended", `subscription ${live.id} is already ${live.status === "deleted" ? "cancelled" : "expired"}; nothing to do`));
        continue;
      }
      if (policy === "release") {
        removed.push(line("released", `policy.removed: release: subscription ${live.id} is no longer managed and stays as it is (${live.quantity} seats, auto-renew ${live.autoRenew ? "on" : "off"}); nothing is called`));
        continue;
      }
      // The live subscription as it is, cancelled: nothing else of the old entry applies any more.
      const cancelled: DesiredSubscription = {
        customer: before.key,
        key: entry.key,
        id: live.id,
        offer: live.offer,
        term: live.term,
        billing: live.billing,
        quantity: live.quantity,
        autoRenew: live.autoRenew,
        status: "cancelled",
        friendlyName: live.friendlyName,
        ...(entry.source === undefined ? {} : { source: entry.source }),
      };
      const customer: DesiredCustomer = { ...before, subscriptions: [cancelled] };
      const [resolvedEntry] = resolveCustomer(customer, [live]);
      if (resolvedEntry === undefined) continue;
      // Ending is always possible: outside the window, the end of the term is what `cancel` means.
      const outcome = planMatched(
        customer,
        resolvedEntry,
        [resolvedEntry],
        live,
        { subscriptions: [live] },
        observation.catalog,
        { reductions: "defer", removed: policy },
        ctx,
        new SeatTally([live], "warn"),
      );
      const ran = outcome.steps.map((s) =>
        s.action === "cancel-at-term-end" ? { ...s, reason: `removed from the YAML; ${s.reason?.replace("policy.reductions: defer", "policy.removed: cancel") ?? ""}` } : s.action === "cancel" ? { ...s, reason: "removed from the YAML; policy.removed: cancel, inside the cancellation window" } : s,
      );
      steps.push(...ran);
      warnings.push(...outcome.warnings);
      const blocked = ran.find((s) => s.timing === "blocked");
      const until = live.cancellationAllowedUntil;
      const closed = until === null ? "Partner Center reports no cancellation window for it" : `its cancellation window closed on ${instantText(until)}`;
      removed.push(
        blocked !== undefined
          ? line("blocked", `policy.removed: cancel cannot run: ${blocked.reason ?? "the commerce rules refuse it"}`)
          : ran.some((s) => s.action === "cancel")
            ? line("cancel", `policy.removed: cancel: subscription ${live.id} is cancelled now, inside its cancellation window (open until ${instantText(until ?? "")})`)
            : ran.some((s) => s.action === "cancel-at-term-end")
              ? line(
                  "cancel-at-term-end",
                  `policy.removed: cancel: subscription ${live.id} cannot be cancelled any more (${closed}); it is cancelled at term end (auto-renew off with the explicit cancellation, so no extended service term follows) and ends on ${dayText(live.endDate)}`,
                )
              : ran.some((s) => s.action === "disable-auto-renew")
                ? line("cancel-at-term-end", `policy.removed: cancel: trial ${live.id} cannot be cancelled; auto-renew is turned off, so it lapses on ${dayText(live.endDate)} without converting`)
                : line("cancel-at-term-end", `policy.removed: cancel: subscription ${live.id} cannot be cancelled any more (${closed}); it already ends at term end on ${dayText(live.endDate)}; nothing to call`),
      );
    }
  }
  return { steps, removed, warnings };
}

/** The customers and entries of `base` that `desired` removed: what `observe` must read for `planRemovals`. */
export function removedState(base: DesiredState, desired: DesiredState): DesiredState {
  const customers = base.customers
    .map((c) => ({ ...c, subscriptions: c.subscriptions.filter((e) => desired.customers.find((n) => n.key === c.key)?.subscriptions.some((n) => n.key === e.key) !== true) }))
    .filter((c) => c.subscriptions.length > 0);
  return { ...base, customers };
}

interface Outcome {
  readonly steps: readonly PlanStep[];
  readonly warnings: readonly PlanWarning[];
}

function planEntry(
  customer: DesiredCustomer,
  entry: ResolvedEntry,
  resolved: readonly ResolvedEntry[],
  observed: ObservedCustomer,
  catalog: Catalog,
  policy: Policy,
  ctx: PlanContext,
  seats: SeatTally,
): Outcome {
  const { desired, match } = entry;
  switch (match.kind) {
    case "unknown-id":
      return identityBlocked(customer, entry, `no subscription ${match.id} exists for customer ${customer.key} (tenant ${customer.tenantId})`, {
        edits: [{ path: "id", value: null }],
        purpose: "to match by friendlyName or buy a new subscription",
      });
    case "ambiguous": {
      // Suggest one that can still be managed: adopting an expired one would only block again.
      const [first] = [...match.candidates].sort((a, b) => Number(b.status === "active") - Number(a.status === "active"));
      return identityBlocked(
        customer,
        entry,
        `${match.candidates.length} live subscriptions are named "${desired.friendlyName}" (${match.candidates.map((c) => c.id).join(", ")}): the entry could mean any of them`,
        { edits: [{ path: "id", value: first?.id ?? null }], purpose: "to adopt that one (the others stay unmanaged)" },
      );
    }
    case "none":
      return desired.status === "cancelled" ? { steps: [], warnings: [] } : planPurchase(customer, entry, resolved, observed, catalog, policy, ctx, seats);
    case "id":
    case "friendlyName":
      return planMatched(customer, entry, resolved, match.observed, observed, catalog, policy, ctx, seats);
  }
}

/**
 * Merging seats into another subscription is an immediate change of that one too: its scheduled
 * renewal is deleted. Its own steps cannot re-apply it (they may run before the upgrade), so say it.
 */
function mergeWipes(customer: DesiredCustomer, entry: ResolvedEntry, steps: readonly PlanStep[]): PlanWarning[] {
  const into = entry.upgrade?.into?.observed;
  const merging = steps.some((s) => s.action === "upgrade" && s.timing === "irreversible");
  if (!merging || into === undefined || into === null || meaningfulSchedule(into) === null) return [];
  return [
    {
      customer: customer.key,
      subscription: entry.upgrade?.into?.key ?? null,
      code: "renewal-wiped",
      message: `the upgrade of ${entry.desired.key} into this subscription deletes its scheduled renewal changes; plan again after applying to schedule them again`,
    },
  ];
}

function identityBlocked(
  customer: DesiredCustomer,
  entry: ResolvedEntry,
  reason: string,
  fix: { readonly edits: Parameters<typeof withFix>[0]; readonly purpose: string },
): Outcome {
  const step: PlanStep = {
    customer: customer.key,
    subscription: entry.desired.key,
    subscriptionId: null,
    action: "adopt",
    timing: "blocked",
    from: null,
    to: null,
    effectiveAt: null,
    rule: "identity",
    reason,
    cost: null,
    ...withFix(fix.edits, fix.purpose),
  };
  return { steps: [step], warnings: [] };
}

function planPurchase(
  customer: DesiredCustomer,
  entry: ResolvedEntry,
  resolved: readonly ResolvedEntry[],
  observed: ObservedCustomer,
  catalog: Catalog,
  policy: Policy,
  ctx: PlanContext,
  seats: SeatTally,
): Outcome {
  const { now } = ctx;
  const { desired } = entry;
  const pool = seats.poolFor(null);
  const subject: PurchaseSubject = {
    pool,
    customer: customer.key,
    tenantId: customer.tenantId,
    desired,
    catalog,
    now,
    alignment: alignment(entry, resolved, observed, ctx),
    ended: observed.subscriptions
      .filter((s) => (s.status === "deleted" || s.status === "expired") && s.friendlyName === desired.friendlyName)
      .map((s) => s.id)
      .sort(compare),
  };
  const bought = purchase.evaluate(subject);
  if (bought.timing === "blocked" || typeof bought.to !== "object" || bought.to === null) return { steps: [bought], warnings: [] };
  const over = inBusinessFamily(desired.offer) ? businessOver(pool, desired.quantity) : null;
  const capWarnings = over === null ? [] : [businessWarning({ customer: customer.key, desired }, over)];
  // The rest of the entry (auto-renew, renewal) applies to the subscription about to exist.
  const offer = offerOf(catalog, desired.offer);
  const fresh: ObservedSubscription = {
    id: "",
    customerId: customer.tenantId,
    offer: desired.offer,
    catalogItemId: `${desired.offer}:${desired.availabilityId ?? offer?.availabilityId ?? ""}`,
    offerName: offer?.name ?? desired.offer,
    friendlyName: desired.friendlyName,
    quantity: desired.quantity,
    status: "active",
    autoRenew: true,
    term: desired.term,
    billing: desired.billing,
    startDate: isoOf(now),
    endDate: String(bought.to["endDate"] ?? termEnd(now, desired.term)),
    cancellationAllowedUntil: null,
    refundableLots: [],
    scheduledRenewal: null,
    isTrial: false,
  };
  const after = runRules(AFTER_PURCHASE_RULES, subjectOf(customer, entry, fresh, catalog, policy, ctx, undefined, undefined), [bought]);
  return { steps: after.steps, warnings: [...capWarnings, ...after.warnings] };
}

function alignment(entry: ResolvedEntry, resolved: readonly ResolvedEntry[], observed: ObservedCustomer, ctx: PlanContext): PurchaseSubject["alignment"] {
  // A backend without the capability says so by name (a downgrade, not a tenant's refusal).
  const none = ctx.capabilities?.customTermEndDates === false ? `the ${ctx.backend} backend cannot read custom term end dates` : "the backend offers no custom term end dates";
  const { desired } = entry;
  const align = desired.alignEndDate;
  if (align === undefined) return undefined;
  const offered = observed.customTermEndDates?.[desired.key];
  if (align !== "calendar-month") {
    const m = resolved.find((r) => r.desired.key === align.subscription)?.match;
    if (m === undefined || (m.kind !== "id" && m.kind !== "friendlyName")) {
      return { problem: `alignEndDate names ${align.subscription}, which does not exist yet (plan again once it is bought)` };
    }
    if (offered === undefined) return { problem: none };
    const date = offered.find((d) => d.kind === "subscription" && d.cotermSubscriptionIds.includes(m.observed.id));
    return date === undefined ? { problem: `no ${desired.term} end date aligned with ${align.subscription} is offered` } : { date: date.date };
  }
  if (offered === undefined) return { problem: none };
  const date = offered.find((d) => d.kind === "calendar-month");
  return date === undefined ? { problem: `no calendar-month end date is offered for ${desired.term}` } : { date: date.date };
}

function planMatched(
  customer: DesiredCustomer,
  entry: ResolvedEntry,
  resolved: readonly ResolvedEntry[],
  live: ObservedSubscription,
  observed: ObservedCustomer,
  catalog: Catalog,
  policy: Policy,
  ctx: PlanContext,
  seats: SeatTally,
): Outcome {
  const upgrade = entry.upgrade && { ...entry.upgrade, eligibilities: observed.eligibilities?.[live.id] };
  const subject: Subject = {
    ...subjectOf(customer, entry, live, catalog, policy, ctx, assignedSeats(live, observed, resolved), upgrade),
    pool: seats.poolFor(live),
  };
  const everySeat = entry.upgrade !== undefined && entry.upgrade.seats === entry.desired.quantity;
  const rules = live.extendedServiceTerm === true
    ? EXTENDED_TERM_RULES
    : !everySeat
      ? live.isTrial
        ? TRIAL_RULES
        : SUBSCRIPTION_RULES
      : entry.upgrade?.state === "done"
        ? []
        : FULL_UPGRADE_RULES;
  const planned = runRules(rules, subject, []);
  const result = subscriptionStatus.apply(subject, planned);
  return { ...result, steps: withDeadlines(result.steps, live, ctx.now) };
}

/**
 * Seats of this offer assigned in the tenant beyond what the customer's other subscriptions of it
 * keep once the plan ran: counting their seats as they are would let two reductions of one offer
 * each pass the guard and together leave users without a licence.
 */
function assignedSeats(live: ObservedSubscription, observed: ObservedCustomer, resolved: readonly ResolvedEntry[]): number | undefined {
  // Usage the backend could not map to this offer (its Graph SKU id unknown to the catalog) is
  // unknown, never zero: the guard would otherwise be silently off.
  if (observed.usage === undefined || !Object.prototype.hasOwnProperty.call(observed.usage, live.offer)) return undefined;
  const kept = (s: ObservedSubscription): number => {
    const r = resolved.find(({ match: m }) => (m.kind === "id" || m.kind === "friendlyName") && m.observed.id === s.id);
    if (r === undefined) return s.quantity;
    return r.desired.status === "active" ? Math.min(s.quantity, r.quantity) : 0;
  };
  const others = observed.subscriptions
    .filter((s) => s.id !== live.id && s.offer === live.offer && s.status === "active")
    .reduce((sum, s) => sum + kept(s), 0);
  return Math.max(0, (observed.usage[live.offer] ?? 0) - others);
}

function subjectOf(
  customer: DesiredCustomer,
  entry: ResolvedEntry,
  live: ObservedSubscription,
  catalog: Catalog,
  policy: Policy,
  ctx: PlanContext,
  assigned: number | undefined,
  upgrade: Subject["upgrade"],
): Subject {
  return {
    customer: customer.key,
    desired: entry.desired,
    observed: live,
    catalog,
    now: ctx.now,
    policy,
    quantity: entry.quantity,
    assignedSeats: assigned,
    upgrade,
    backend: ctx.backend,
    capabilities: ctx.capabilities,
  };
}

function runRules(rules: readonly Rule[], subject: Subject, first: readonly PlanStep[]): { steps: PlanStep[]; warnings: PlanWarning[] } {
  const steps = [...first];
  const warnings: PlanWarning[] = [];
  for (const rule of rules) {
    const result = rule.evaluate(subject, steps);
    steps.push(...result.steps);
    warnings.push(...result.warnings);
  }
  return { steps: sortSteps(steps), warnings };
}

/** Design §4 order: purchase, upgrade, quantity, auto-renew, renewal schedule (and re-apply), cancel; renames last. */
function slot(step: PlanStep): number {
  const action: Action = step.action;
  switch (action) {
    case "purchase":
    case "adopt":
      return 0;
    case "upgrade":
    case "change-term":
      return 1;
    case "increase-quantity":
      return 2;
    case "decrease-quantity":
      // A deferred reduction is a renewal schedule: it needs auto-renew on first.
      return step.timing === "at-renewal" ? 4 : 2;
    case "enable-auto-renew":
    case "disable-auto-renew":
      return 3;
    case "schedule-renewal":
    case "clear-renewal":
    case "reapply-renewal":
      return 4;
    case "cancel":
    case "cancel-at-term-end":
      return 5;
    case "rename":
      return 6;
  }
}

function sortSteps(steps: readonly PlanStep[]): PlanStep[] {
  return steps.map((s, i) => ({ s, i })).sort((a, b) => slot(a.s) - slot(b.s) || a.i - b.i).map(({ s }) => s);
}

/**
 * The customer's seats per offer as the plan's steps run, entry after entry (the order apply
 * follows): Partner Center pools a product SKU's maximum on the tenant, and the Business family's
 * licence terms cap its plans at 300 together. Seats leave the tally only when a step removes them
 * now; renewal-time reductions still hold them until then.
 */
class SeatTally {
  private readonly held = new Map<string, number>();

  constructor(
    live: readonly ObservedSubscription[],
    private readonly businessSeatCap: "warn" | "block",
  ) {
    for (const s of live) if (s.status === "active") this.add(s.offer, s.quantity);
  }

  private add(offer: string, n: number): void {
    this.held.set(offer, (this.held.get(offer) ?? 0) + n);
  }

  /** What the customer's other subscriptions hold, seen from `live` (null: a purchase). */
  poolFor(live: ObservedSubscription | null): SeatPool {
    const own = live !== null && live.status === "active" ? live : null;
    const heldOf = (offer: string): number => (this.held.get(offer) ?? 0) - (own !== null && own.offer === offer ? own.quantity : 0);
    let business = 0;
    for (const [offer, n] of this.held) if (inBusinessFamily(offer)) business += n;
    if (own !== null && inBusinessFamily(own.offer)) business -= own.quantity;
    return { held: heldOf, businessHeld: business, businessSeatCap: this.businessSeatCap };
  }

  /** Count what the entry's steps change now. */
  record(entry: ResolvedEntry, steps: readonly PlanStep[]): void {
    const live = entry.match.kind === "id" || entry.match.kind === "friendlyName" ? entry.match.observed : null;
    for (const step of steps) {
      if (step.timing === "blocked" || step.timing === "at-renewal" || step.call === undefined) continue;
      const call = step.call;
      if (call.kind === "purchase") this.add(call.request.offer, call.request.quantity);
      if (live === null || live.status !== "active") continue;
      if (call.kind === "set-quantity" && typeof step.from === "number") this.add(live.offer, call.quantity - step.from);
      if (call.kind === "cancel") this.add(live.offer, -live.quantity);
      if (call.kind === "transition") {
        this.add(live.offer, -call.request.quantity);
        this.add(call.request.to, call.request.quantity);
      }
    }
  }
}
