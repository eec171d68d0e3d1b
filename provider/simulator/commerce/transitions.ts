import {
  formatWireDate,
  splitCatalogItemId,
  offerKeyOf,
  type WireEligibilityError,
  type WireTransitionEligibility,
} from "../../wire/partner-center";
import { utcMs } from "../dates";
import { CODES, SimError } from "../errors";
import type { SimSubscription, SimTransition } from "../state";
import type { CommerceContext } from "./context";
import { day, type Eligibility, enumKey, invalidInput, takeSeats } from "./values";


/** Transitions (upgrades now) and their eligibilities. */

const TRANSITION_KINDS = ["transition_only", "transition_with_license_transfer"] as const;
const TRANSITION_TYPES: Readonly<Record<string, string>> = {
  transitiononly: "transition_only",
  transitionwithlicensetransfer: "transition_with_license_transfer",
};

export function transitionEligibilities(ctx: CommerceContext, customerId: string, subscriptionId: string, type: string = "immediate"): WireTransitionEligibility[] {
  const customer = ctx.customer(customerId);
  const sub = ctx.subscription(customer, subscriptionId);
  const kind: Eligibility = enumKey(type) === "scheduled" ? "scheduled" : "immediate";
  const sourceErrors: WireEligibilityError[] = [];
  if (sub.status !== "active") sourceErrors.push({ code: 2, description: `Subscription status is ${sub.status}, not active` });
  else if (sub.quantity === 0) sourceErrors.push({ code: 0, description: "The subscription has no seats left to transition" });
  return ctx.eligibleOffers(sub, kind).map((target) => {
    const eligible = sourceErrors.length === 0;
    const item: WireTransitionEligibility = {
      catalogItemId: ctx.index.catalogItemId(target),
      title: target.name,
      description: target.name,
      quantity: sub.quantity,
      // The simulator has no users to move licences between: both kinds are equally eligible.
      eligibilities: TRANSITION_KINDS.map((transitionType) => ({ isEligible: eligible, transitionType, errors: sourceErrors })),
      attributes: { objectType: "TransitionEligibility" },
    };
    // Partner Center: empty for a trial source and for eligibilityType=scheduled.
    if (kind === "scheduled" || sub.isTrial === true) return { ...item, subscriptionEligibilities: [] };
    return {
      ...item,
      subscriptionEligibilities: customer.subscriptions
        .filter((s) => s.id !== sub.id && s.status !== "deleted" && offerKeyOf(s.offerId) === target.offer)
        .map((s) => {
          const errors = intoErrors(ctx, sub, s);
          if (ctx.remainingSeats(customer, target) === 0) {
            errors.push({ code: 800088, description: `The SKU's pooled maximum of ${target.maxQuantity} seats is reached on the tenant: 0 seats remain` });
          }
          return {
            isEligible: eligible && errors.length === 0,
            subscriptionId: s.id,
            subscriptionFriendlyName: s.friendlyName,
            subscriptionTermDuration: s.termDuration,
            subscriptionBillingCycle: s.billingCycle,
            errors,
          };
        }),
    };
  });
}

/**
 * Why seats of `source` cannot move into the existing `target`, with the codes of Partner
 * Center's `subscriptionEligibilities`: 1 not active, 3 a shorter term than the source's, 4 an
 * earlier end date than the source's. Code 2 ("in cancellation window") is not simulated: which
 * subscription's window it means is undocumented, and buying a target then merging into it
 * within days is what seatplan plans for an upgrade into a subscription not bought yet.
 */
function intoErrors(_ctx: CommerceContext, source: SimSubscription, target: SimSubscription): WireEligibilityError[] {
  const errors: WireEligibilityError[] = [];
  if (target.status !== "active") errors.push({ code: 1, description: `Subscription ${target.id} is ${target.status}, not active` });
  if (TERM_MONTHS[target.termDuration] !== undefined && TERM_MONTHS[source.termDuration] !== undefined &&
      (TERM_MONTHS[target.termDuration] as number) < (TERM_MONTHS[source.termDuration] as number)) {
    errors.push({ code: 3, description: `Subscription ${target.id}'s term duration ${target.termDuration} is shorter than the source's ${source.termDuration}` });
  }
  if (utcMs(target.commitmentEndDate) < utcMs(source.commitmentEndDate)) {
    errors.push({
      code: 4,
      description: `Subscription ${target.id} ends on ${day(utcMs(target.commitmentEndDate))}, before the source's end date ${day(utcMs(source.commitmentEndDate))}`,
    });
  }
  return errors;
}

const TERM_MONTHS: Readonly<Record<string, number>> = { P1M: 1, P1Y: 12, P3Y: 36 };

/**
 * Upgrade seats now (irreversible). A full transition leaves the source at 0 seats (it
 * expires at its term end); the target — new, or an existing subscription of the target offer
 * ending no earlier than the source — carries the seats with their batches. A new target
 * takes the source's term, billing, end date and cancellation window.
 *
 * With `ctx.deferred` a valid transition is answered `Started` (the new target's id announced
 * in `toSubscriptionId`) and recorded as pending; `applying` completes it later with those ids.
 */
export function transition(
  ctx: CommerceContext,
  customerId: string,
  subscriptionId: string,
  body: unknown,
  applying?: { readonly operationId: string; readonly newSubscriptionId?: string },
): SimTransition {
  const customer = ctx.customer(customerId);
  const source = ctx.subscription(customer, subscriptionId);
  if (typeof body !== "object" || body === null) throw invalidInput("the body must be a transition");
  const request = body as Record<string, unknown>;
  if (source.status === "deleted") {
    throw new SimError(400, CODES.deleted, `Cannot update a subscription with deleted status (${source.id} was cancelled); buy a new subscription instead`);
  }
  if (source.status !== "active") {
    throw new SimError(400, CODES.notActive, `Subscription ${source.id} is ${source.status} and can no longer be changed; buy a new subscription instead`);
  }
  if (!applying) ctx.checkNotPending(customer.id, source.id);
  const transitionType = TRANSITION_TYPES[enumKey(request["transitionType"] ?? "transition_only")];
  if (!transitionType) {
    throw invalidInput(`transitionType must be transition_only or transition_with_license_transfer (got ${JSON.stringify(request["transitionType"])})`);
  }
  const toCatalogItemId = request["toCatalogItemId"];
  if (typeof toCatalogItemId !== "string") throw invalidInput("toCatalogItemId is required");
  const targets = ctx.eligibleOffers(source, "immediate");
  const target = targets.find((o) => o.offer === offerKeyOf(toCatalogItemId));
  if (!target) {
    throw new SimError(
      400,
      CODES.notEligible,
      `${offerKeyOf(toCatalogItemId)} is not an upgrade of ${offerKeyOf(source.offerId)}; eligible targets: ${targets.map((o) => o.offer).join(", ") || "none"} (GET …/transitionEligibilities)`,
    );
  }
  if (splitCatalogItemId(toCatalogItemId)?.availabilityId !== target.availabilityId) throw ctx.staleAvailability(toCatalogItemId, target);
  const quantity = request["quantity"] ?? source.quantity;
  if (!Number.isInteger(quantity) || (quantity as number) < 1 || (quantity as number) > source.quantity) {
    throw invalidInput(`quantity must be between 1 and ${source.quantity} (the seats of subscription ${source.id})`);
  }
  const moving = quantity as number;
  const toSubscriptionId = request["toSubscriptionId"];
  let into: SimSubscription | undefined;
  if (typeof toSubscriptionId === "string" && toSubscriptionId !== "") {
    into = ctx.subscription(customer, toSubscriptionId);
    if (!applying && into.id !== source.id) ctx.checkNotPending(customer.id, into.id);
    const reason =
      into.id === source.id
        ? "it is the source itself"
        : offerKeyOf(into.offerId) !== target.offer
          ? `it is ${offerKeyOf(into.offerId)}, not ${target.offer}`
          : intoErrors(ctx, source, into)
              .map((e) => e.description)
              .join("; ") || undefined;
    if (reason) {
      throw new SimError(400, CODES.targetNotEligible, `Cannot transition into subscription ${into.id}: ${reason}; transition into a new subscription instead (omit toSubscriptionId)`);
    }
    ctx.checkBounds(target, into.quantity + moving, target.offer);
    ctx.checkPool(customer, target, into.quantity + moving, into);
  } else {
    for (const [name, current] of [["termDuration", source.termDuration], ["billingCycle", source.billingCycle]] as const) {
      if (request[name] !== undefined && request[name] !== null && enumKey(request[name]) !== enumKey(current)) {
        throw new SimError(
          400,
          CODES.billingPlanNotSupported,
          `A transition keeps the source's term and billing (${source.termDuration}/${source.billingCycle}); change them at renewal with scheduledNextTermInstructions`,
        );
      }
    }
    ctx.checkBounds(target, moving, target.offer);
    ctx.checkPool(customer, target, moving);
  }

  if (ctx.deferred && !applying) {
    const newSubscriptionId = into ? undefined : ctx.newId();
    const started: SimTransition = {
      operationId: ctx.newId(),
      fromCatalogItemId: source.offerId,
      fromSubscriptionId: source.id,
      toCatalogItemId: ctx.index.catalogItemId(target),
      toSubscriptionId: into?.id ?? (newSubscriptionId as string),
      quantity: moving,
      termDuration: into?.termDuration ?? source.termDuration,
      billingCycle: into?.billingCycle ?? source.billingCycle,
      transitionType,
      status: "started",
      events: [{ name: "Conversion", status: "Started", timestamp: formatWireDate(ctx.now) }],
      attributes: { objectType: "Transition" },
    };
    (customer.transitions ??= []).push(started);
    ctx.addPending({
      kind: "transition",
      ...ctx.pendingTimes(),
      customerId: customer.id,
      holds: into ? [source.id, into.id] : [source.id],
      subscriptionId: source.id,
      operationId: started.operationId,
      ...(newSubscriptionId !== undefined ? { newSubscriptionId } : {}),
      body: request,
    });
    return structuredClone(started);
  }

  const sourceLots = ctx.materialiseLots(source);
  const moved = takeSeats(sourceLots, moving);
  source.seatLots = sourceLots.filter((l) => l.quantity > 0);
  source.quantity -= moving;
  source.scheduledNextTermInstructions = null;
  ctx.touch(source);
  let targetSub: SimSubscription;
  if (into) {
    targetSub = into;
    targetSub.seatLots = [...ctx.materialiseLots(into), ...moved];
    targetSub.quantity += moving;
    targetSub.scheduledNextTermInstructions = null;
  } else {
    targetSub = {
      id: applying?.newSubscriptionId ?? ctx.newId(),
      offerId: ctx.index.catalogItemId(target),
      offerName: target.name,
      friendlyName: target.name,
      quantity: moving,
      status: "active",
      autoRenewEnabled: source.autoRenewEnabled,
      termDuration: source.termDuration,
      billingCycle: source.billingCycle,
      creationDate: formatWireDate(ctx.now),
      effectiveStartDate: formatWireDate(ctx.now),
      commitmentEndDate: source.commitmentEndDate,
      cancellationAllowedUntilDate: ctx.cancellationDeadline(source),
      scheduledNextTermInstructions: null,
      isTrial: false,
      seatLots: moved,
    };
    customer.subscriptions.push(targetSub);
  }
  ctx.touch(targetSub);
  const completed = { name: "Conversion", status: "Completed", timestamp: formatWireDate(ctx.now) };
  const record = applying && customer.transitions?.find((t) => t.operationId === applying.operationId);
  if (record) {
    record.status = "completed";
    record.toSubscriptionId = targetSub.id;
    record.events.push(completed);
    return structuredClone(record);
  }
  const transition: SimTransition = {
    operationId: applying?.operationId ?? ctx.newId(),
    fromCatalogItemId: source.offerId,
    fromSubscriptionId: source.id,
    toCatalogItemId: ctx.index.catalogItemId(target),
    toSubscriptionId: targetSub.id,
    quantity: moving,
    termDuration: targetSub.termDuration,
    billingCycle: targetSub.billingCycle,
    transitionType,
    status: "completed",
    events: [completed],
    attributes: { objectType: "Transition" },
  };
  (customer.transitions ??= []).push(transition);
  return structuredClone(transition);
}

/** The transitions of a subscription (as source), or the one with `operationId`. */
export function listTransitions(ctx: CommerceContext, customerId: string, subscriptionId: string, operationId?: string): SimTransition[] {
  const customer = ctx.customer(customerId);
  const sub = ctx.subscription(customer, subscriptionId);
  const op = operationId?.toLowerCase();
  return structuredClone(
    (customer.transitions ?? []).filter((t) => t.fromSubscriptionId === sub.id && (op === undefined || t.operationId.toLowerCase() === op)),
  );
}

/** Mark a started transition failed (it could not be applied when due). */
export function failTransition(ctx: CommerceContext, customerId: string, operationId: string, error: { code: string; description: string }): void {
  const record = ctx.customer(customerId).transitions?.find((t) => t.operationId === operationId);
  if (!record) return;
  record.status = "failed";
  const code = Number(error.code);
  record.events.push({
    name: "Conversion",
    status: "Failed",
    timestamp: formatWireDate(ctx.now),
    errors: [{ code: Number.isInteger(code) ? code : 0, description: error.description }],
  });
  ctx.changed = true;
}
