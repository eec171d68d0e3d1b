import { type AuditSink, snapshotOf } from "../audit";
import type { Backend, WriteOptions } from "../backends/backend";
import { isBackendError } from "../domain/errors";
import type { ObservedSubscription, PlanStep, StepCall } from "../domain/types";
import { stableId } from "../domain/ids";
import { meaningfulSchedule, sameRenewal } from "../rules/renewal";

/** What happened to one step. */
export type StepOutcome =
  | { readonly step: PlanStep; readonly status: "done"; readonly subscription: ObservedSubscription }
  /** The backend refused or failed the call (`code`: Partner Center's, e.g. `800090`), or the re-read did not show the effect (`verification`). */
  | { readonly step: PlanStep; readonly status: "failed"; readonly code: string; readonly message: string }
  /** Blocked steps are never executed. */
  | { readonly step: PlanStep; readonly status: "blocked"; readonly message: string }
  /** Not run because an earlier step of the same subscription failed (later steps depend on it). */
  | { readonly step: PlanStep; readonly status: "skipped"; readonly message: string };

export interface ApplyContext {
  /** The customer's tenant id (the steps carry the YAML key). */
  readonly customerId: string;
  /**
   * The subscription as read when the steps were planned. Its etag keys the request id of the
   * first write, so the same change made again after another one (auto-renew off, on, off)
   * is a new operation, not a replay of the first — even when both plans ran at the same instant.
   */
  readonly observed?: ObservedSubscription;
  /** Where every write is recorded (the audit log), with what the record says beyond the step. */
  readonly audit?: {
    readonly sink: AuditSink;
    readonly source: "cli" | "pulumi";
    /** The id of the plan being applied (`seatplan apply`); null for a Pulumi write. */
    readonly planId: string | null;
  };
}

/**
 * Executes one subscription's steps through a backend, in plan order, and verifies each write
 * by reading the subscription again. The plan already carries the re-application of a
 * renewal schedule an immediate change wipes (`reapply-renewal`), so the order is the contract.
 * Blocked steps are reported, never run; the first failure stops the subscription.
 */
export async function applySubscription(steps: readonly PlanStep[], backend: Backend, ctx: ApplyContext): Promise<StepOutcome[]> {
  const keys = new Set(steps.map((s) => `${s.customer}/${s.subscription}`));
  if (keys.size > 1) throw new Error(`applySubscription: steps of several subscriptions (${[...keys].join(", ")}); apply them one subscription at a time`);
  let subscriptionId = steps.find((s) => s.subscriptionId !== null)?.subscriptionId ?? null;
  const outcomes: StepOutcome[] = [];
  let failure: string | null = null;
  // The state each write is based on: what was planned on, then what the last write left.
  let basis: string | null = ctx.observed?.etag ?? null;
  let current: ObservedSubscription | null = ctx.observed ?? null;
  for (const step of steps) {
    if (step.timing === "blocked") {
      outcomes.push({ step, status: "blocked", message: `${step.reason ?? "blocked"}${step.hint ? ` (hint: ${step.hint})` : ""}` });
      continue;
    }
    if (failure !== null) {
      outcomes.push({ step, status: "skipped", message: failure });
      continue;
    }
    const outcome = await execute(step, subscriptionId, backend, ctx, basis);
    outcomes.push(outcome);
    if (ctx.audit !== undefined && step.call !== undefined && step.call.kind !== "adopt" && (outcome.status === "done" || outcome.status === "failed")) {
      ctx.audit.sink({
        time: new Date().toISOString(),
        backend: backend.name,
        source: ctx.audit.source,
        customer: step.customer,
        tenantId: ctx.customerId,
        subscription: step.subscription,
        subscriptionId: outcome.status === "done" ? outcome.subscription.id : subscriptionId,
        action: step.action,
        requestId: step.call.kind === "purchase" ? step.call.request.idempotencyKey : requestIdOf(step, ctx.customerId, basis),
        before: snapshotOf(current),
        after: outcome.status === "done" ? snapshotOf(outcome.subscription) : null,
        outcome: outcome.status,
        code: outcome.status === "failed" ? outcome.code : null,
        message: outcome.status === "failed" ? outcome.message : null,
        planId: ctx.audit.planId,
      });
    }
    if (outcome.status === "done") {
      subscriptionId = outcome.subscription.id;
      basis = outcome.subscription.etag ?? null;
      current = outcome.subscription;
    }
    if (outcome.status === "failed") failure = `not run: ${step.action} failed before it (${outcome.code})`;
  }
  return outcomes;
}

/**
 * Same step on the same state ⇒ same request id: a write retried or re-run after a lost response
 * acts once. `basis` is the etag of the subscription the write is based on: a re-run after a lost
 * response finds it unchanged (same id, replayed), a change made after another write finds it
 * changed (new id, acted on). Without an etag: a transition is not idempotent and Partner Center
 * runs it asynchronously, so a re-plan may still see the source untouched — its id must not depend
 * on when it was planned (its `from` seats tell a later, different upgrade apart); a PATCH sets
 * values, so a new plan is a new operation.
 */
export function requestIdOf(step: PlanStep, customerId: string, basis: string | null = null): string {
  const planned = basis !== null ? `etag:${basis}` : step.call?.kind === "transition" ? null : step.effectiveAt;
  return stableId([customerId, step.subscriptionId, step.subscription, step.action, JSON.stringify(step.call ?? null), JSON.stringify(step.from), JSON.stringify(step.to), planned]);
}

async function execute(step: PlanStep, subscriptionId: string | null, backend: Backend, ctx: ApplyContext, basis: string | null): Promise<StepOutcome> {
  const call = step.call;
  if (call === undefined) return { step, status: "failed", code: "no-call", message: `${step.action} carries no call to make` };
  if (call.kind !== "purchase" && subscriptionId === null) {
    return { step, status: "failed", code: "no-subscription", message: `${step.action} needs a subscription id and none is known yet` };
  }
  const options: WriteOptions = { requestId: requestIdOf(step, ctx.customerId, call.kind === "purchase" ? null : basis) };
  try {
    if (call.kind === "transition") return await upgrade(step, call, subscriptionId ?? "", backend, ctx.customerId, options);
    const written = await write(call, subscriptionId ?? "", backend, ctx.customerId, options);
    const reread = await backend.getSubscription(ctx.customerId, written.id);
    const problem = verify(call, reread, backend.capabilities.cancelAtTermEnd);
    if (problem !== null) return { step, status: "failed", code: "verification", message: `${step.action} was accepted but ${problem}` };
    return { step, status: "done", subscription: reread };
  } catch (e) {
    if (isBackendError(e)) return { step, status: "failed", code: e.code, message: e.message };
    return { step, status: "failed", code: "error", message: e instanceof Error ? e.message : String(e) };
  }
}

/** Calls whose effect shows on the subscription itself (a transition also needs its target checked). */
type PlainCall = Exclude<StepCall, { kind: "transition" }>;

async function write(call: PlainCall, id: string, backend: Backend, customer: string, options: WriteOptions): Promise<ObservedSubscription> {
  switch (call.kind) {
    case "purchase":
      return backend.purchase(customer, call.request);
    case "adopt":
      return backend.getSubscription(customer, call.subscriptionId);
    case "set-quantity":
      return backend.setQuantity(customer, id, call.quantity, options);
    case "set-auto-renew":
      return backend.setAutoRenew(customer, id, call.enabled, options);
    case "schedule-renewal":
      return backend.scheduleRenewal(customer, id, call.instructions, options);
    case "clear-renewal":
      return backend.clearRenewal(customer, id, options);
    case "cancel":
      return backend.cancel(customer, id, options);
    case "cancel-at-term-end":
      return backend.cancelAtTermEnd(customer, id, options);
    case "rename":
      return backend.rename(customer, id, call.friendlyName, options);
    case "change-term":
      return backend.changeTerm(customer, id, call.term, call.billing, options);
  }
}

/**
 * A transition is verified on both ends: the source lost the seats (it had `step.from.quantity`
 * when planned — not re-read before, so a re-run after a lost response still verifies), the
 * target has the offer.
 */
async function upgrade(
  step: PlanStep,
  call: Extract<StepCall, { kind: "transition" }>,
  id: string,
  backend: Backend,
  customer: string,
  options: WriteOptions,
): Promise<StepOutcome> {
  const planned = typeof step.from === "object" && step.from !== null ? step.from["quantity"] : undefined;
  if (typeof planned !== "number") return { step, status: "failed", code: "no-call", message: "upgrade does not say how many seats the source has" };
  const result = await backend.transition(customer, id, call.request, options);
  const [source, target] = await Promise.all([backend.getSubscription(customer, id), backend.getSubscription(customer, result.target.id)]);
  const expected = planned - call.request.quantity;
  if (source.quantity !== expected || target.offer !== call.request.to) {
    return {
      step,
      status: "failed",
      code: "verification",
      message: `upgrade was accepted but the subscriptions do not show it (source ${source.quantity} seats, expected ${expected}; target ${target.offer})`,
    };
  }
  return { step, status: "done", subscription: source };
}

/** What the re-read must show for the call to count as done; null when it does. */
/** `explicitEnd`: the backend schedules (and shows) the explicit cancellation at term end; without, auto-renew off is all it can do. */
function verify(call: PlainCall, s: ObservedSubscription, explicitEnd: boolean): string | null {
  const expect = (ok: boolean, what: string): string | null => (ok ? null : `the subscription does not show it (${what})`);
  switch (call.kind) {
    case "purchase":
      // A replayed checkout answers with what it bought then, which may have been cancelled since.
      return expect(
        s.offer === call.request.offer && s.quantity === call.request.quantity && s.status !== "deleted" && s.status !== "expired",
        `offer ${s.offer}, quantity ${s.quantity}, status ${s.status}`,
      );
    case "adopt":
      return expect(s.id === call.subscriptionId, `id ${s.id}`);
    case "set-quantity":
      return expect(s.quantity === call.quantity, `quantity ${s.quantity}`);
    case "set-auto-renew":
      return expect(s.autoRenew === call.enabled, `autoRenew ${s.autoRenew}`);
    case "schedule-renewal":
      return expect(sameRenewal(s.scheduledRenewal, call.instructions), `scheduled ${JSON.stringify(s.scheduledRenewal)}`);
    case "clear-renewal":
      return expect(meaningfulSchedule(s) === null, `scheduled ${JSON.stringify(s.scheduledRenewal)}`);
    case "cancel":
      return expect(s.status === "deleted", `status ${s.status}`);
    case "cancel-at-term-end":
      return expect(!s.autoRenew && (s.endsAtTermEnd === true || !explicitEnd), `autoRenew ${s.autoRenew}, cancel at term end ${s.endsAtTermEnd === true}`);
    case "change-term":
      return expect(s.term === call.term && s.billing === call.billing, `term ${s.term}, billing ${s.billing}`);
    case "rename":
      return expect(s.friendlyName === call.friendlyName, `friendlyName ${s.friendlyName}`);
  }
}
