import type { AuditSink } from "../audit";
import type { Backend } from "../backends/backend";
import type { DesiredState, ObservedSubscription, Plan, PlanStep } from "../domain/types";
import { planJson } from "../plan";
import { linksOf } from "../plan/links";
import { stableId } from "../rules/support";
import { applySubscription, type StepOutcome } from "./index";

/**
 * A saved plan (`seatplan plan FILE --out PLAN.json`, issue 8): the plan as reviewed, plus what
 * `seatplan apply PLAN.json` needs to run exactly those steps and nothing else — each step's
 * executor call, and for each subscription the state its steps were based on (its etag and a
 * fingerprint of what the planner looked at), and the YAML itself, so a subscription that
 * changed since can be planned again and shown.
 */
export interface SavedPlan {
  readonly kind: "seatplan-plan";
  readonly version: 1;
  /** Identifies this plan's content (recorded in the audit log with every write it makes). */
  readonly planId: string;
  /** The YAML file planned, as named on the command line, and its text. */
  readonly file: string;
  readonly desired: string;
  /** `--base`: the YAML before the change, and its text; null without. */
  readonly baseFile: string | null;
  readonly base: string | null;
  /** The plan as `plan --format json` prints it (for people and tools). */
  readonly plan: unknown;
  /** What apply runs, one group per subscription, in plan order. */
  readonly subscriptions: readonly SavedSubscription[];
}

export interface SavedSubscription {
  readonly customer: string;
  readonly tenantId: string;
  readonly subscription: string;
  /** Null for a purchase: the subscription does not exist yet. */
  readonly subscriptionId: string | null;
  /** What the steps were based on. */
  readonly basis: Basis;
  /** The steps with their executor calls. */
  readonly steps: readonly PlanStep[];
  /**
   * Subscription keys (same customer) that link to this one (`upgrade.into`, `alignEndDate`):
   * they run first, and when one of them does not complete, this one does not run either —
   * as `pulumi up` does with the dependency `fromYaml` declares.
   */
  readonly after: readonly string[];
}

/**
 * The state a subscription's steps were planned on: its etag (where the backend has one) and a
 * fingerprint of every field the planner reads; for a purchase, that no live subscription of that
 * name existed.
 */
export type Basis =
  | { readonly kind: "subscription"; readonly etag: string | null; readonly fingerprint: string }
  | { readonly kind: "absent"; readonly friendlyName: string };

/** Every field of a subscription a plan depends on (not the etag: it is compared on its own). */
export function fingerprintOf(s: ObservedSubscription): string {
  const r = s.scheduledRenewal;
  return stableId([
    s.id,
    s.offer,
    s.catalogItemId,
    s.friendlyName,
    s.quantity,
    s.status,
    s.autoRenew,
    s.term,
    s.billing,
    s.startDate,
    s.endDate,
    s.cancellationAllowedUntil,
    JSON.stringify(s.refundableLots),
    r === null ? null : JSON.stringify([r.offer, r.term, r.billing, r.quantity, r.customTermEndDate ?? null]),
  ]);
}

/** Steps grouped by subscription, in plan order. */
export function bySubscription(steps: readonly PlanStep[]): PlanStep[][] {
  const groups = new Map<string, PlanStep[]>();
  for (const s of steps) {
    const key = `${s.customer}/${s.subscription}`;
    groups.set(key, [...(groups.get(key) ?? []), s]);
  }
  return [...groups.values()];
}

/**
 * The saved form of `plan`, made on `subscriptions` (every customer's list as observed, by
 * customer key). `desired`/`base`: the YAML texts (for re-planning a changed subscription).
 */
export function savePlan(
  plan: Plan,
  desired: DesiredState,
  subscriptions: Readonly<Record<string, readonly ObservedSubscription[]>>,
  texts: { readonly file: string; readonly desired: string; readonly baseFile: string | null; readonly base: string | null },
  base?: DesiredState,
): SavedPlan {
  const tenantOf = (customer: string): string =>
    desired.customers.find((c) => c.key === customer)?.tenantId ?? base?.customers.find((c) => c.key === customer)?.tenantId ?? "";
  const groups = bySubscription(plan.steps).map((steps): SavedSubscription => {
    const [first] = steps;
    if (first === undefined) throw new Error("savePlan: empty group");
    const id = steps.find((s) => s.subscriptionId !== null)?.subscriptionId ?? null;
    const live = id === null ? undefined : subscriptions[first.customer]?.find((s) => s.id === id);
    const purchase = steps.find((s) => s.call?.kind === "purchase")?.call;
    const basis: Basis =
      live !== undefined
        ? { kind: "subscription", etag: live.etag ?? null, fingerprint: fingerprintOf(live) }
        : { kind: "absent", friendlyName: purchase?.kind === "purchase" ? purchase.request.friendlyName : first.subscription };
    const entries = desired.customers.find((c) => c.key === first.customer)?.subscriptions ?? [];
    const after = entries.filter((e) => linksOf(e).includes(first.subscription)).map((e) => e.key);
    return { customer: first.customer, tenantId: tenantOf(first.customer), subscription: first.subscription, subscriptionId: id, basis, steps, after };
  });
  const content = { file: texts.file, desired: texts.desired, baseFile: texts.baseFile, base: texts.base, plan: planJson(plan), subscriptions: groups };
  const planId = stableId([JSON.stringify(content)]);
  return { kind: "seatplan-plan", version: 1, planId, ...content };
}

/** The groups in plan order, except that a subscription comes after those linking to it. */
function linkFirst(groups: readonly SavedSubscription[]): SavedSubscription[] {
  const out: SavedSubscription[] = [];
  const placed = new Set<string>();
  const visiting = new Set<string>();
  const visit = (g: SavedSubscription): void => {
    if (placed.has(g.subscription) || visiting.has(g.subscription)) return;
    visiting.add(g.subscription);
    groups.filter((o) => (g.after ?? []).includes(o.subscription)).forEach(visit);
    visiting.delete(g.subscription);
    placed.add(g.subscription);
    out.push(g);
  };
  groups.forEach(visit);
  return out;
}

/** A saved plan read from a file: the checks that keep a hand-edited or foreign file from running. */
export function parseSavedPlan(text: string, file: string): SavedPlan {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw new Error(`${file} is not JSON (${e instanceof Error ? e.message : String(e)}): write it with \`seatplan plan FILE --out ${file}\``);
  }
  const d = data as Partial<SavedPlan>;
  if (typeof data !== "object" || data === null || d.kind !== "seatplan-plan" || d.version !== 1 || !Array.isArray(d.subscriptions) || typeof d.planId !== "string") {
    throw new Error(`${file} is not a saved seatplan plan (kind "seatplan-plan", version 1): write it with \`seatplan plan FILE --out ${file}\``);
  }
  const { planId: _id, kind: _kind, version: _version, ...content } = d as SavedPlan;
  if (stableId([JSON.stringify(content)]) !== d.planId) {
    throw new Error(`${file} was changed after it was written (its content does not match plan id ${d.planId}): plan again with \`seatplan plan FILE --out ${file}\``);
  }
  return d as SavedPlan;
}

/** Why a subscription's steps do not run; null when they may. */
export function refusalOf(group: SavedSubscription, live: readonly ObservedSubscription[], now: Date): string | null {
  const late = group.steps.find((s) => typeof s.deadline === "string" && Date.parse(s.deadline) < now.getTime());
  if (late !== undefined) return `the deadline of ${late.action} passed (it could run until ${String(late.deadline).replace(/\.000Z$/, "Z")}; it is now ${now.toISOString().replace(/\.000Z$/, "Z")})`;
  const basis = group.basis;
  if (basis.kind === "absent") {
    const found = live.filter((s) => s.friendlyName === basis.friendlyName && s.status !== "deleted");
    return found.length === 0 ? null : `a subscription named "${basis.friendlyName}" exists now (${found.map((s) => s.id).join(", ")}); it did not when the plan was made`;
  }
  const current = live.find((s) => s.id === group.subscriptionId);
  if (current === undefined) return `subscription ${group.subscriptionId ?? "?"} is no longer listed for the customer`;
  if (basis.etag !== null && current.etag !== undefined) {
    return basis.etag === current.etag ? null : "the subscription changed since the plan was made (its etag differs)";
  }
  return fingerprintOf(current) === basis.fingerprint ? null : "the subscription changed since the plan was made (quantity, auto-renew, renewal, status or dates differ)";
}

/** What happened to one subscription of a saved plan. */
export type GroupResult =
  | { readonly group: SavedSubscription; readonly status: "applied"; readonly outcomes: readonly StepOutcome[] }
  /** A blocked step: none of the subscription's steps run (as `pulumi up` refuses the resource). */
  | { readonly group: SavedSubscription; readonly status: "blocked"; readonly outcomes: readonly StepOutcome[] }
  /** Changed since the plan, or a deadline passed: nothing ran; plan again. */
  | { readonly group: SavedSubscription; readonly status: "refused"; readonly reason: string }
  /** A subscription linking to this one did not complete: nothing ran. */
  | { readonly group: SavedSubscription; readonly status: "skipped"; readonly outcomes: readonly StepOutcome[] };

export interface RunOptions {
  /** The instant deadlines are judged at, asked after each customer's read (a REST backend learns the server's clock from it). */
  readonly now: () => Promise<Date>;
  readonly audit?: AuditSink;
  /** Called before each subscription (for progress). */
  readonly onGroup?: (info: { readonly customerIndex: number; readonly customers: number; readonly customer: string; readonly step: number; readonly steps: number }) => void;
  /** Called after each subscription, with what happened. */
  readonly onResult?: (result: GroupResult) => void | Promise<void>;
}

/**
 * Runs a saved plan: exactly its steps, nothing else. Each customer's subscriptions are read once
 * before its steps; a subscription that changed since the plan (etag or fingerprint), or whose
 * step's deadline passed, runs none of its steps (`refused`), the others still run. A subscription
 * with a blocked step runs none of them either. One executor (`applySubscription`) for all writes.
 */
export async function runSavedPlan(saved: SavedPlan, backend: Backend, options: RunOptions): Promise<GroupResult[]> {
  const results: GroupResult[] = [];
  const customers = [...new Set(saved.subscriptions.map((g) => g.customer))];
  const total = saved.subscriptions.reduce((n, g) => n + g.steps.length, 0);
  let done = 0;
  for (const [ci, customer] of customers.entries()) {
    const groups = linkFirst(saved.subscriptions.filter((g) => g.customer === customer));
    const tenant = groups[0]?.tenantId ?? "";
    const needsRead = groups.some((g) => !g.steps.some((s) => s.timing === "blocked"));
    const live = needsRead ? await backend.listSubscriptions(tenant) : [];
    const now = await options.now();
    const incomplete = new Set<string>();
    for (const group of groups) {
      options.onGroup?.({ customerIndex: ci + 1, customers: customers.length, customer, step: done + 1, steps: total });
      done += group.steps.length;
      let result: GroupResult;
      const waiting = (group.after ?? []).find((k) => incomplete.has(k));
      if (waiting !== undefined) {
        result = {
          group,
          status: "skipped",
          outcomes: group.steps.map((step): StepOutcome => ({ step, status: "skipped", message: `not run: ${waiting} links to this subscription and did not complete` })),
        };
      } else if (group.steps.some((s) => s.timing === "blocked")) {
        const blocked = group.steps.find((s) => s.timing === "blocked");
        result = {
          group,
          status: "blocked",
          outcomes: group.steps.map((step): StepOutcome =>
            step.timing === "blocked"
              ? { step, status: "blocked", message: `${step.reason ?? "blocked"}${step.hint ? ` (hint: ${step.hint})` : ""}` }
              : { step, status: "skipped", message: `not run: ${blocked?.action ?? "a step"} of the same subscription is blocked` },
          ),
        };
      } else {
        const reason = refusalOf(group, live, now);
        if (reason !== null) {
          result = { group, status: "refused", reason };
        } else {
          const observed = live.find((s) => s.id === group.subscriptionId);
          const outcomes = await applySubscription(group.steps, backend, {
            customerId: tenant,
            ...(observed === undefined ? {} : { observed }),
            ...(options.audit === undefined ? {} : { audit: { sink: options.audit, source: "cli", planId: saved.planId } }),
          });
          result = { group, status: "applied", outcomes };
        }
      }
      if (result.status !== "applied" || result.outcomes.some((o) => o.status !== "done")) incomplete.add(group.subscription);
      results.push(result);
      await options.onResult?.(result);
    }
  }
  return results;
}
