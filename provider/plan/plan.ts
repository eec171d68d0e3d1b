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
  UnmanagedSubscription,
} from "../domain/types";
import {
  AFTER_PURCHASE_RULES,
  FULL_UPGRADE_RULES,
  purchase,
  type PurchaseSubject,
  type Rule,
  SUBSCRIPTION_RULES,
  type Subject,
  subscriptionStatus,
} from "../rules";
import { isoOf, meaningfulSchedule, offerOf, termEnd, withFix } from "../rules/support";
import { compare, type ResolvedEntry, resolveCustomer } from "./resolve";
import { costSummary } from "./totals";
import type { Observation, ObservedCustomer, PlanContext } from "./types";

/**
 * The plan (design §4): for every entry of the YAML, the calls that bring the tenant to it —
 * now, at renewal, irreversibly — or why they cannot happen and which YAML would work. Pure:
 * everything it knows comes in through `observation` and `ctx`.
 */
export function plan(desired: DesiredState, observation: Observation, ctx: PlanContext): Plan {
  const steps: PlanStep[] = [];
  const warnings: PlanWarning[] = [];
  const unmanaged: UnmanagedSubscription[] = [];
  let unchanged = 0;
  for (const customer of [...desired.customers].sort((a, b) => compare(a.key, b.key))) {
    const observed = observation.customers[customer.key];
    if (observed === undefined) throw new Error(`plan: customer ${customer.key} was not observed`);
    const resolved = resolveCustomer(customer, observed.subscriptions);
    const claimed = new Set<string>();
    for (const entry of resolved) {
      const outcome = planEntry(customer, entry, resolved, observed, observation.catalog, desired.policy, ctx.now);
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
    },
    steps,
    unmanaged,
    warnings: warnings.sort(
      (a, b) => compare(a.customer, b.customer) || compare(a.subscription ?? "", b.subscription ?? "") || compare(a.code, b.code),
    ),
  };
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
  now: Date,
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
      return desired.status === "cancelled" ? { steps: [], warnings: [] } : planPurchase(customer, entry, resolved, observed, catalog, policy, now);
    case "id":
    case "friendlyName":
      return planMatched(customer, entry, resolved, match.observed, observed, catalog, policy, now);
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
  now: Date,
): Outcome {
  const { desired } = entry;
  const subject: PurchaseSubject = {
    customer: customer.key,
    tenantId: customer.tenantId,
    desired,
    catalog,
    now,
    alignment: alignment(entry, resolved, observed),
    ended: observed.subscriptions
      .filter((s) => (s.status === "deleted" || s.status === "expired") && s.friendlyName === desired.friendlyName)
      .map((s) => s.id)
      .sort(compare),
  };
  const bought = purchase.evaluate(subject);
  if (bought.timing === "blocked" || typeof bought.to !== "object" || bought.to === null) return { steps: [bought], warnings: [] };
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
  return runRules(AFTER_PURCHASE_RULES, subjectOf(customer, entry, fresh, catalog, policy, now, undefined, undefined), [bought]);
}

function alignment(entry: ResolvedEntry, resolved: readonly ResolvedEntry[], observed: ObservedCustomer): PurchaseSubject["alignment"] {
  const { desired } = entry;
  const align = desired.alignEndDate;
  if (align === undefined) return undefined;
  const offered = observed.customTermEndDates?.[desired.key];
  if (align !== "calendar-month") {
    const m = resolved.find((r) => r.desired.key === align.subscription)?.match;
    if (m === undefined || (m.kind !== "id" && m.kind !== "friendlyName")) {
      return { problem: `alignEndDate names ${align.subscription}, which does not exist yet (plan again once it is bought)` };
    }
    if (offered === undefined) return { problem: "the backend offers no custom term end dates" };
    const date = offered.find((d) => d.kind === "subscription" && d.cotermSubscriptionIds.includes(m.observed.id));
    return date === undefined ? { problem: `no ${desired.term} end date aligned with ${align.subscription} is offered` } : { date: date.date };
  }
  if (offered === undefined) return { problem: "the backend offers no custom term end dates" };
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
  now: Date,
): Outcome {
  const upgrade = entry.upgrade && { ...entry.upgrade, eligibilities: observed.eligibilities?.[live.id] };
  const subject = subjectOf(customer, entry, live, catalog, policy, now, assignedSeats(live, observed, resolved), upgrade);
  const everySeat = entry.upgrade !== undefined && entry.upgrade.seats === entry.desired.quantity;
  const rules = !everySeat ? SUBSCRIPTION_RULES : entry.upgrade?.state === "done" ? [] : FULL_UPGRADE_RULES;
  const planned = runRules(rules, subject, []);
  return subscriptionStatus.apply(subject, planned);
}

/**
 * Seats of this offer assigned in the tenant beyond what the customer's other subscriptions of it
 * keep once the plan ran: counting their seats as they are would let two reductions of one offer
 * each pass the guard and together leave users without a licence.
 */
function assignedSeats(live: ObservedSubscription, observed: ObservedCustomer, resolved: readonly ResolvedEntry[]): number | undefined {
  if (observed.usage === undefined) return undefined;
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
  now: Date,
  assigned: number | undefined,
  upgrade: Subject["upgrade"],
): Subject {
  return { customer: customer.key, desired: entry.desired, observed: live, catalog, now, policy, quantity: entry.quantity, assignedSeats: assigned, upgrade };
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
