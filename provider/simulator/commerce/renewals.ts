import { formatWireDate } from "../../wire/partner-center";
import { renewalAt, startOfDay, termEnd, utcMs } from "../dates";
import type { SimSubscription } from "../state";
import type { CommerceContext } from "./context";
import { endsAtTermEnd, enterEst, estEligible } from "./est";
import { billingOf, termOf } from "./values";


/** Renewals and expiries as the simulated clock passes term ends. */


/** True when some subscription (of one customer, or of all) has a renewal or expiry due. */
export function hasDueRenewals(ctx: CommerceContext, customerId?: string): boolean {
  const customers = customerId === undefined ? ctx.state.customers : [ctx.customer(customerId)];
  return customers.some((c) => c.subscriptions.some((s) => isDue(ctx, s)));
}

/** Process every renewal and expiry due at `now` (of one customer, or of all). */
export function processRenewals(ctx: CommerceContext, customerId?: string): void {
  const customers = customerId === undefined ? ctx.state.customers : [ctx.customer(customerId)];
  for (const customer of customers) {
    for (const sub of customer.subscriptions) {
      while (isDue(ctx, sub)) renew(ctx, sub);
    }
  }
}

function isDue(ctx: CommerceContext, sub: SimSubscription): boolean {
  return sub.status === "active" && renewalAt(utcMs(sub.commitmentEndDate)) <= ctx.now;
}

/**
 * End of term: with auto-renew on, a new term starts the next day 00:00 UTC with the scheduled
 * instructions applied (offer, term, billing, quantity, end date), a trial becomes paid, and
 * the seats form one new batch with a new window. Auto-renew off (or no seats left after a
 * full transition): the subscription expires.
 */
function renew(ctx: CommerceContext, sub: SimSubscription): void {
  const at = renewalAt(utcMs(sub.commitmentEndDate));
  if (!sub.autoRenewEnabled || sub.quantity === 0) {
    // Since 4 May 2026 auto-renew off alone moves an eligible subscription into the paid
    // extended service term; only an explicit cancellation at term end ends it (./est.ts).
    if (!endsAtTermEnd(sub) && estEligible(sub)) {
      enterEst(ctx, sub, at);
      return;
    }
    sub.status = "expired";
    sub.scheduledNextTermInstructions = null;
    delete sub.cancelAtTermEnd;
    ctx.touch(sub);
    return;
  }
  const next = sub.scheduledNextTermInstructions;
  let term = termOf(sub.termDuration, "termDuration");
  // A trial converts to the paid offer: 25 seats, P1Y billed monthly, unless a conversion is
  // scheduled ("Manage trials for new commerce").
  if (sub.isTrial === true && !next) {
    term = "P1Y";
    sub.termDuration = "P1Y";
    sub.billingCycle = "monthly";
  }
  let end: number | undefined;
  if (next) {
    const target = ctx.index.offer(`${next.product.productId}:${next.product.skuId}`);
    if (target) {
      sub.offerId = ctx.index.catalogItemId(target);
      sub.offerName = target.name;
    }
    term = termOf(next.product.termDuration, "termDuration");
    sub.termDuration = term;
    sub.billingCycle = billingOf(next.product.billingCycle, "billingCycle");
    sub.quantity = next.quantity;
    if (next.customTermEndDate) end = startOfDay(utcMs(next.customTermEndDate));
  }
  sub.isTrial = false;
  sub.effectiveStartDate = formatWireDate(at);
  sub.commitmentEndDate = formatWireDate(end ?? termEnd(at, term));
  sub.cancellationAllowedUntilDate = formatWireDate(at + ctx.windowMs);
  sub.seatLots = [{ quantity: sub.quantity, allowedUntilDateTime: formatWireDate(at + ctx.windowMs) }];
  sub.scheduledNextTermInstructions = null;
  ctx.touch(sub);
}
