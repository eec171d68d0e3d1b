import {
  formatWireDate,
  splitCatalogItemId,
  offerKeyOf,
  type WireEligibilityError,
  type WireTransition,
  type WireTransitionEligibility,
} from "../../backends/partner-center/wire";
import { utcMs } from "../dates";
import { CODES, SimError } from "../errors";
import type { SimSubscription, SimTransition } from "../state";
import type { CommerceContext } from "./context";
import { day, type Eligibility, enumKey, invalidInput, takeSeats } from "./values";


/** Transitions (upgrades now) and their eligibilities. */

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
      eligibilities: [{ isEligible: eligible, transitionType: "transition_only", errors: sourceErrors }],
      attributes: { objectType: "TransitionEligibility" },
    };
    if (kind === "scheduled") return item;
    return {
      ...item,
      subscriptionEligibilities: customer.subscriptions
        .filter((s) => s.id !== sub.id && s.status !== "deleted" && s.status !== "expired" && offerKeyOf(s.offerId) === target.offer)
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

/** Why seats cannot merge into `target` (Partner Center's codes: 1 not active, 4 earlier end date). */
function intoErrors(ctx: CommerceContext, source: SimSubscription, target: SimSubscription): WireEligibilityError[] {
  if (target.status !== "active") return [{ code: 1, description: `Subscription ${target.id} is ${target.status}, not active` }];
  if (utcMs(target.commitmentEndDate) < utcMs(source.commitmentEndDate)) {
    return [
      {
        code: 4,
        description: `Subscription ${target.id} ends on ${day(utcMs(target.commitmentEndDate))}, before the source's end date ${day(utcMs(source.commitmentEndDate))}`,
      },
    ];
  }
  return [];
}

/**
 * Upgrade seats now (irreversible). A full transition leaves the source at 0 seats (it
 * expires at its term end); the target — new, or an existing subscription of the target offer
 * ending no earlier than the source — carries the seats with their batches. A new target
 * takes the source's term, billing, end date and cancellation window.
 */
export function transition(ctx: CommerceContext, customerId: string, subscriptionId: string, body: unknown): WireTransition {
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
    const reason =
      into.id === source.id
        ? "it is the source itself"
        : into.status !== "active"
          ? `it is ${into.status}`
          : offerKeyOf(into.offerId) !== target.offer
            ? `it is ${offerKeyOf(into.offerId)}, not ${target.offer}`
            : intoErrors(ctx, source, into)[0]?.description;
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
      id: ctx.newId(),
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
  const transition: SimTransition = {
    operationId: ctx.newId(),
    fromCatalogItemId: source.offerId,
    fromSubscriptionId: source.id,
    toCatalogItemId: ctx.index.catalogItemId(target),
    toSubscriptionId: targetSub.id,
    quantity: moving,
    termDuration: targetSub.termDuration,
    billingCycle: targetSub.billingCycle,
    transitionType: typeof request["transitionType"] === "string" ? request["transitionType"] : "transition_only",
    status: "completed",
    events: [{ name: "Conversion", status: "Completed", timestamp: formatWireDate(ctx.now) }],
    attributes: { objectType: "Transition" },
  };
  (customer.transitions ??= []).push(transition);
  return structuredClone(transition);
}

export function listTransitions(ctx: CommerceContext, customerId: string, subscriptionId: string): WireTransition[] {
  const customer = ctx.customer(customerId);
  const sub = ctx.subscription(customer, subscriptionId);
  return structuredClone((customer.transitions ?? []).filter((t) => t.fromSubscriptionId === sub.id));
}
