import {
  formatWireDate,
  NCE_PRODUCT_TYPE,
  offerKeyOf,
  type WireScheduledNextTermInstructions,
  type WireSubscription,
} from "../../wire/partner-center";
import type { BillingCycle, CatalogOffer, Term } from "../../domain/types";
import { DAY_MS, parseInstant, renewalAt, startOfDay, termEnd, utcMs } from "../dates";
import { CODES, SimError } from "../errors";
import type { SimCustomer, SimSubscription } from "../state";
import type { CommerceContext } from "./context";
import { cancelAtTermEndIn, endsAtTermEnd, renderedActions } from "./est";
import { billingOf, day, enumKey, etagOf, instantOf, invalidInput, takeSeats, termOf } from "./values";


/**
 * Subscriptions: reads, and the PATCH of the full resource (quantity, auto-renew, friendly name,
 * cancel, scheduled renewal changes), each validated in full before anything changes.
 */

export function listSubscriptions(ctx: CommerceContext, customerId: string, filter: { orderId?: string } = {}): WireSubscription[] {
  const customer = ctx.customer(customerId);
  return customer.subscriptions
    .filter((s) => filter.orderId === undefined || s.orderId === filter.orderId)
    .map((s) => renderSubscription(ctx, customer, s));
}

export function getSubscription(ctx: CommerceContext, customerId: string, subscriptionId: string): WireSubscription {
  const customer = ctx.customer(customerId);
  return renderSubscription(ctx, customer, ctx.subscription(customer, subscriptionId));
}

/** The subscription as Partner Center shows it at `now`. */
export function renderSubscription(ctx: CommerceContext, customer: SimCustomer, sub: SimSubscription): WireSubscription {
  const active = sub.status === "active";
  const open = active ? ctx.lotsOf(sub).filter((l) => utcMs(l.allowedUntilDateTime) >= ctx.now) : [];
  open.sort((a, b) => utcMs(a.allowedUntilDateTime) - utcMs(b.allowedUntilDateTime));
  return {
    id: sub.id,
    offerId: sub.offerId,
    offerName: sub.offerName,
    friendlyName: sub.friendlyName,
    quantity: sub.quantity,
    unitType: "Licenses",
    status: sub.status,
    autoRenewEnabled: sub.autoRenewEnabled,
    termDuration: sub.termDuration,
    billingCycle: sub.billingCycle,
    billingType: "license",
    ...(sub.creationDate !== undefined ? { creationDate: sub.creationDate } : {}),
    effectiveStartDate: sub.effectiveStartDate,
    commitmentEndDate: sub.commitmentEndDate,
    cancellationAllowedUntilDate: ctx.cancellationDeadline(sub),
    refundableQuantity: {
      totalQuantity: open.reduce((n, l) => n + l.quantity, 0),
      details: open.map((l) => ({ quantity: l.quantity, allowedUntilDateTime: l.allowedUntilDateTime })),
    },
    scheduledNextTermInstructions: sub.scheduledNextTermInstructions ? structuredClone(sub.scheduledNextTermInstructions) : null,
    isTrial: sub.isTrial === true,
    scheduledActions: renderedActions(sub),
    ...(sub.extendedServiceTerm === true ? { extendedServiceTerm: true } : {}),
    ...(sub.orderId !== undefined ? { orderId: sub.orderId } : {}),
    productType: { ...NCE_PRODUCT_TYPE },
    contractType: "subscription",
    links: { self: { uri: `/customers/${customer.id}/subscriptions/${sub.id}`, method: "GET", headers: [] } },
    attributes: { objectType: "Subscription", etag: etagOf(sub) },
  };
}

/** The answer to a PATCH: the subscription, and whether the change was only accepted (202). */
export interface PatchResult {
  readonly subscription: WireSubscription;
  /** True: the change takes effect later (`--async-ms`); `subscription` still shows the old state. */
  readonly accepted: boolean;
}

/**
 * Apply a PATCH body (the full subscription as read, with some fields changed). Fields that
 * equal the current values are not changes; read-only fields are ignored. `ifMatch` is the
 * `If-Match` header, an alternative to `attributes.etag`.
 *
 * With `ctx.deferred` a valid change is accepted and recorded as pending instead (202); it is
 * applied later by calling this again with `applying` (no etag, no pending check).
 */
export function patchSubscription(
  ctx: CommerceContext,
  customerId: string,
  subscriptionId: string,
  body: unknown,
  ifMatch?: string,
  applying = false,
): PatchResult {
  const customer = ctx.customer(customerId);
  const sub = ctx.subscription(customer, subscriptionId);
  if (typeof body !== "object" || body === null || Array.isArray(body)) throw invalidInput("the body must be a subscription object");
  const patch = body as Record<string, unknown>;
  if (!applying) ctx.checkNotPending(customer.id, sub.id);

  if (sub.status === "deleted") {
    throw new SimError(400, CODES.deleted, `Cannot update a subscription with deleted status (${sub.id} was cancelled); buy a new subscription instead`);
  }
  // Every etag sent must be the current one (body and If-Match alike), and one must be sent:
  // a PATCH without an etag would silently overwrite a change made since the client's read.
  // (An accepted write applied later was checked when it was accepted.)
  if (!applying) checkEtags(sub, patch, ifMatch);

  const offer = ctx.offerOf(sub);
  const has = (name: string): boolean => patch[name] !== undefined;

  if (has("offerId") && patch["offerId"] !== sub.offerId) {
    throw invalidInput(
      "the offer of a subscription cannot change mid-term; upgrade it with POST …/transitions or schedule the new offer for renewal (scheduledNextTermInstructions)",
    );
  }
  const term = has("termDuration") ? termOf(patch["termDuration"], "termDuration") : termOf(sub.termDuration, "termDuration");
  const billingCycle = has("billingCycle") ? billingOf(patch["billingCycle"], "billingCycle") : billingOf(sub.billingCycle, "billingCycle");
  const termChanged = term !== termOf(sub.termDuration, "termDuration") || billingCycle !== billingOf(sub.billingCycle, "billingCycle");

  // Projected values.
  const friendlyName = has("friendlyName") ? patch["friendlyName"] : sub.friendlyName;
  if (typeof friendlyName !== "string" || friendlyName.trim() === "") throw invalidInput("friendlyName must be a non-empty string");
  const quantity = has("quantity") ? patch["quantity"] : sub.quantity;
  if (!Number.isInteger(quantity)) throw invalidInput("quantity must be an integer");
  const autoRenew = has("autoRenewEnabled") ? patch["autoRenewEnabled"] : sub.autoRenewEnabled;
  if (typeof autoRenew !== "boolean") throw invalidInput("autoRenewEnabled must be true or false");
  const status = has("status") ? enumKey(patch["status"]) : sub.status;
  const scheduleSent = "scheduledNextTermInstructions" in patch;
  const schedule = scheduleSent ? patch["scheduledNextTermInstructions"] ?? null : sub.scheduledNextTermInstructions ?? null;
  const scheduleChanged = scheduleSent && !sameSchedule(schedule, sub.scheduledNextTermInstructions ?? null);
  // The explicit end-of-term cancellation (EST era); auto-renew on drops it.
  const askedCancelAtEnd = cancelAtTermEndIn(patch);
  const endsAtEnd = autoRenew === true ? false : (askedCancelAtEnd ?? endsAtTermEnd(sub));
  const endChanged = endsAtEnd !== endsAtTermEnd(sub);

  const quantityChanged = quantity !== sub.quantity;
  const autoRenewChanged = autoRenew !== sub.autoRenewEnabled;
  const cancelling = status !== sub.status && status === "deleted";
  const anyChange = friendlyName !== sub.friendlyName || quantityChanged || autoRenewChanged || scheduleChanged || status !== sub.status || endChanged || termChanged;
  if (!anyChange) return { subscription: renderSubscription(ctx, customer, sub), accepted: false };

  if (sub.status !== "active") {
    throw new SimError(400, CODES.notActive, `Subscription ${sub.id} is ${sub.status} and can no longer be changed; buy a new subscription instead`);
  }
  if (status !== sub.status && !cancelling) {
    throw new SimError(400, CODES.statusChange, `Cannot update the status for this subscription to "${String(patch["status"])}"; only "deleted" (cancel) is allowed`);
  }
  if (askedCancelAtEnd === true && autoRenew === true && !endsAtTermEnd(sub)) {
    throw invalidInput("a cancellation at term end (scheduledActions TermEnd/Cancel) needs autoRenewEnabled: false");
  }
  if (sub.isTrial === true && (quantityChanged || cancelling || termChanged)) {
    throw new SimError(
      400,
      CODES.trialLocked,
      `Subscription ${sub.id} is a trial: its licence count, status and term cannot change during the trial; ` +
        "convert it now (POST …/transitions), schedule the conversion (scheduledNextTermInstructions), or turn auto-renew off to let it lapse",
    );
  }
  if (sub.extendedServiceTerm === true && (quantityChanged || autoRenewChanged || scheduleChanged || termChanged)) {
    throw new SimError(
      400,
      CODES.extendedServiceTerm,
      `Subscription ${sub.id} is in the extended service term: only cancelling it (prorated refund) is supported here; cancel it and buy a new subscription to change it`,
    );
  }
  if (termChanged) checkTermChange(ctx, sub, offer, term, billingCycle);
  if (quantityChanged) checkQuantityChange(ctx, sub, offer, quantity as number);
  if (quantityChanged && (quantity as number) > sub.quantity) ctx.checkPool(customer, offer, quantity as number, sub);
  let nextSchedule: WireScheduledNextTermInstructions | null = null;
  if (scheduleChanged && schedule !== null) {
    if (!autoRenew) {
      throw new SimError(
        400,
        CODES.autoRenewRequired,
        `Scheduled changes require auto-renew: turn autoRenewEnabled on for subscription ${sub.id} before setting scheduledNextTermInstructions`,
      );
    }
    nextSchedule = checkSchedule(ctx, sub, schedule);
  }
  if (cancelling) checkCancel(ctx, sub);

  if (ctx.deferred && !applying) {
    const { attributes: _attributes, ...rest } = patch;
    ctx.addPending({
      kind: "patch",
      ...ctx.pendingTimes(),
      customerId: customer.id,
      holds: [sub.id],
      subscriptionId: sub.id,
      body: rest,
    });
    return { subscription: renderSubscription(ctx, customer, sub), accepted: true };
  }

  // Apply. Order matters: an immediate change wipes the old schedule, a new one is set after.
  sub.friendlyName = friendlyName;
  if (termChanged) changeTerm(ctx, sub, term, billingCycle);
  if (quantityChanged) changeQuantity(ctx, sub, quantity as number);
  if (autoRenewChanged) {
    sub.autoRenewEnabled = autoRenew;
    // A schedule cannot outlive auto-renew (renewal instructions need a renewal).
    if (!autoRenew) sub.scheduledNextTermInstructions = null;
  }
  if (scheduleChanged) sub.scheduledNextTermInstructions = nextSchedule;
  if (endsAtEnd) sub.cancelAtTermEnd = true;
  else delete sub.cancelAtTermEnd;
  if (cancelling) {
    sub.status = "deleted";
    sub.scheduledNextTermInstructions = null;
  }
  ctx.touch(sub);
  return { subscription: renderSubscription(ctx, customer, sub), accepted: false };
}

function checkQuantityChange(ctx: CommerceContext, sub: SimSubscription, offer: CatalogOffer | undefined, quantity: number): void {
  ctx.checkBounds(offer, quantity, sub.offerId);
  if (quantity >= sub.quantity) return;
  const removing = sub.quantity - quantity;
  const open = ctx.openLots(sub);
  const removable = open.reduce((n, l) => n + l.quantity, 0);
  if (removing > removable) {
    const until = open.map((l) => `${l.quantity} until ${l.allowedUntilDateTime}`).join(", ");
    throw new SimError(
      400,
      CODES.lateDecrease,
      `Subscription quantity cannot be decreased: removing ${removing} seat${removing === 1 ? "" : "s"} from ${sub.quantity}, ` +
        `but only ${removable} ${removable === 1 ? "is" : "are"} within the cancellation window now${until ? ` (${until})` : ""}; ` +
        `schedule the lower quantity for the renewal on ${day(renewalAt(utcMs(sub.commitmentEndDate)))} (scheduledNextTermInstructions.quantity) instead`,
    );
  }
}

function checkCancel(ctx: CommerceContext, sub: SimSubscription): void {
  // In the extended service term a subscription can be cancelled at any time (prorated refund).
  if (sub.extendedServiceTerm === true) return;
  const deadline = ctx.cancellationDeadline(sub);
  if (deadline === null || ctx.now > utcMs(deadline)) {
    const days = Math.round(ctx.windowMs / DAY_MS);
    throw new SimError(
      400,
      CODES.lateCancel,
      `You have passed your ${days}-day cancellation window. We are unable to cancel your purchase` +
        (deadline ? ` (the window closed at ${deadline})` : "") +
        `; cancel it at term end instead (autoRenewEnabled: false with scheduledActions [{scheduleType: "TermEnd", actionType: "Cancel"}]) so that subscription ${sub.id} ends with its term on ${day(utcMs(sub.commitmentEndDate))} — auto-renew off alone moves it into the extended service term`,
    );
  }
}

/** Validate scheduledNextTermInstructions against the catalog; returns the normalised form. */
function checkSchedule(ctx: CommerceContext, sub: SimSubscription, value: unknown): WireScheduledNextTermInstructions {
  if (typeof value !== "object" || value === null) throw invalidInput("scheduledNextTermInstructions must be an object or null");
  const instructions = value as Record<string, unknown>;
  const product = instructions["product"];
  if (typeof product !== "object" || product === null) throw invalidInput("scheduledNextTermInstructions.product is required");
  const p = product as Record<string, unknown>;
  if (typeof p["productId"] !== "string" || typeof p["skuId"] !== "string") {
    throw invalidInput("scheduledNextTermInstructions.product needs productId and skuId");
  }
  const key = `${p["productId"]}:${p["skuId"]}`;
  const targets = ctx.eligibleOffers(sub, "scheduled");
  const target = targets.find((o) => o.offer === key);
  if (!target) {
    throw new SimError(
      400,
      CODES.notEligible,
      `${key} is not a renewal option of ${offerKeyOf(sub.offerId)}; renew into ${targets.map((o) => o.offer).join(", ") || "the same offer"} (GET …/transitionEligibilities?eligibilityType=scheduled)`,
    );
  }
  const availabilityId = typeof p["availabilityId"] === "string" && p["availabilityId"] !== "" ? p["availabilityId"] : target.availabilityId;
  if (availabilityId !== target.availabilityId) throw ctx.staleAvailability(`${key}:${availabilityId}`, target);
  const term = termOf(p["termDuration"], "scheduledNextTermInstructions.product.termDuration");
  const billing = billingOf(p["billingCycle"], "scheduledNextTermInstructions.product.billingCycle");
  ctx.checkSold(target, term, billing);
  const quantity = instructions["quantity"];
  if (!Number.isInteger(quantity)) throw invalidInput("scheduledNextTermInstructions.quantity must be an integer");
  ctx.checkBounds(target, quantity as number, key);
  const normalised: WireScheduledNextTermInstructions = {
    product: { productId: target.productId, skuId: target.skuId, availabilityId, billingCycle: billing, termDuration: term },
    quantity: quantity as number,
  };
  const custom = instructions["customTermEndDate"];
  if (custom === undefined || custom === null || custom === "") return normalised;
  const end = startOfDay(instantOf(custom, "scheduledNextTermInstructions.customTermEndDate"));
  const renewal = renewalAt(utcMs(sub.commitmentEndDate));
  if (end < renewal || end > termEnd(renewal, term)) {
    throw new SimError(
      400,
      CODES.invalidCustomTermEndDate,
      `customTermEndDate ${day(end)} is outside the next term (${day(renewal)} to ${day(termEnd(renewal, term))}); leave it out to keep the natural end date`,
    );
  }
  return { ...normalised, customTermEndDate: formatWireDate(end) };
}

const TERM_MONTHS: Readonly<Record<Term, number>> = { P1M: 1, P1Y: 12, P3Y: 36 };
/** Since this instant billing frequency changes of triennial terms are refused mid-term. */
export const TRIENNIAL_BILLING_LOCKED_FROM = Date.parse("2025-04-01T00:00:00Z");

/**
 * Mid-term term and billing changes (Microsoft Learn, "Manage term duration and billing
 * frequency"): a longer term any time (the new term starts now), never a shorter one; the billing
 * frequency any time, except on triennial terms since 1 April 2025.
 */
function checkTermChange(ctx: CommerceContext, sub: SimSubscription, offer: CatalogOffer | undefined, term: Term, billing: BillingCycle): void {
  const current = termOf(sub.termDuration, "termDuration");
  if (TERM_MONTHS[term] < TERM_MONTHS[current]) {
    throw new SimError(
      400,
      CODES.billingChange,
      `Cannot move subscription ${sub.id} to a shorter term mid-term (${current} → ${term}); schedule it for renewal with scheduledNextTermInstructions`,
    );
  }
  if (term === current && current === "P3Y" && billing !== billingOf(sub.billingCycle, "billingCycle") && ctx.now >= TRIENNIAL_BILLING_LOCKED_FROM) {
    throw new SimError(
      400,
      CODES.billingChange,
      `Billing frequency changes of triennial terms are blocked mid-term since 2025-04-01; schedule it for renewal with scheduledNextTermInstructions`,
    );
  }
  if (offer) ctx.checkSold(offer, term, billing);
}

function changeTerm(ctx: CommerceContext, sub: SimSubscription, term: Term, billing: BillingCycle): void {
  if (term !== termOf(sub.termDuration, "termDuration")) {
    // A longer term starts now; the seats keep their refund windows.
    sub.effectiveStartDate = formatWireDate(ctx.now);
    sub.commitmentEndDate = formatWireDate(termEnd(ctx.now, term));
  }
  sub.termDuration = term;
  sub.billingCycle = billing;
  sub.scheduledNextTermInstructions = null;
}

function changeQuantity(ctx: CommerceContext, sub: SimSubscription, quantity: number): void {
  const lots = ctx.materialiseLots(sub);
  if (quantity > sub.quantity) {
    lots.push({ quantity: quantity - sub.quantity, allowedUntilDateTime: formatWireDate(ctx.now + ctx.windowMs) });
  } else {
    takeSeats(lots.filter((l) => utcMs(l.allowedUntilDateTime) >= ctx.now), sub.quantity - quantity);
    sub.seatLots = lots.filter((l) => l.quantity > 0);
  }
  sub.quantity = quantity;
  // Microsoft: any mid-term (immediate) change deletes every scheduled renewal change.
  sub.scheduledNextTermInstructions = null;
}

function sameSchedule(a: unknown, b: WireScheduledNextTermInstructions | null): boolean {
  if (a === null || b === null) return a === b;
  if (typeof a !== "object") return false;
  const x = a as Partial<WireScheduledNextTermInstructions>;
  const p = x.product;
  const endOf = (v: unknown): number | null => (v === undefined || v === null || v === "" ? null : parseInstant(v));
  return (
    p !== undefined &&
    p.productId === b.product.productId &&
    p.skuId === b.product.skuId &&
    // A client may leave the availability out; it then means the current one.
    (!p.availabilityId || p.availabilityId === b.product.availabilityId) &&
    enumKey(p.billingCycle) === enumKey(b.product.billingCycle) &&
    enumKey(p.termDuration) === enumKey(b.product.termDuration) &&
    x.quantity === b.quantity &&
    endOf(x.customTermEndDate) === endOf(b.customTermEndDate)
  );
}

/** Every etag sent (body and If-Match) is the current one, and at least one is sent. */
function checkEtags(sub: SimSubscription, patch: Record<string, unknown>, ifMatch: string | undefined): void {
  const attributes = patch["attributes"];
  const bodyEtag =
    typeof attributes === "object" && attributes !== null && typeof (attributes as Record<string, unknown>)["etag"] === "string"
      ? ((attributes as Record<string, unknown>)["etag"] as string)
      : undefined;
  const sent = [bodyEtag, ifMatch].filter((e): e is string => e !== undefined);
  if (sent.length === 0) {
    throw invalidInput(`the subscription's etag is required: GET ${sub.id}, change the fields and PATCH the whole resource back with its attributes.etag (or send it as If-Match)`);
  }
  if (sent.some((e) => e.replace(/^W\//, "").replace(/^"(.*)"$/, "$1") !== etagOf(sub))) {
    throw new SimError(400, CODES.staleEtag, `Etag is no longer valid: subscription ${sub.id} changed since it was read; GET it again and re-apply the change`);
  }
}
