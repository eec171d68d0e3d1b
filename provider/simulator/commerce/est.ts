import { formatWireDate, type WireScheduledAction } from "../../wire/partner-center";
import type { CatalogOffer } from "../../domain/types";
import { termEnd, utcMs } from "../dates";
import type { SimSubscription } from "../state";
import type { CommerceContext } from "./context";

/**
 * The extended service term (EST), as the simulator enforces it.
 *
 * Source: Microsoft Learn, "Use Extended Service Terms (EST) for CSP subscriptions" (free grace
 * period discontinued on 4 May 2026; EST billed monthly at the monthly term rate + 3 %, + 23 %
 * where no monthly plan exists; cancellable any time with a prorated refund, month to month until
 * cancelled). Eligibility (licence-based, purchased or renewed on/after 1 April 2025, term ending
 * on/after 4 May 2026, auto-renew off, not a trial) follows CloudBlue's and CloudFactory's
 * distributor notes. The explicit end-of-term cancellation that avoids EST is read here in the
 * shape `scheduledActions: [{scheduleType: "TermEnd", actionType: "Cancel"}]` (pliancy client
 * code, low confidence) — the simulator's twin of `wire/est.ts`.
 */

export const EST_FROM = Date.parse("2026-05-04T00:00:00Z");
export const EST_PURCHASED_FROM = Date.parse("2025-04-01T00:00:00Z");
export const EST_UPLIFT = 0.03;
export const EST_UPLIFT_NO_MONTHLY = 0.23;

function key(value: unknown): string {
  return typeof value === "string" ? value.replace(/[\s_]/g, "").toLowerCase() : "";
}

function isCancelAction(a: unknown): boolean {
  if (typeof a !== "object" || a === null) return false;
  const r = a as Record<string, unknown>;
  return key(r["scheduleType"] ?? r["ScheduleType"]) === "termend" && key(r["actionType"] ?? r["ActionType"]) === "cancel";
}

/** The PATCH body's end-of-term cancellation: true (asked), false (sent without it), undefined (not sent). */
export function cancelAtTermEndIn(patch: Record<string, unknown>): boolean | undefined {
  const actions = patch["scheduledActions"] ?? patch["ScheduledActions"];
  if (actions === undefined) return undefined;
  return Array.isArray(actions) && actions.some(isCancelAction);
}

export function endsAtTermEnd(sub: SimSubscription): boolean {
  return sub.cancelAtTermEnd === true;
}

export function renderedActions(sub: SimSubscription): WireScheduledAction[] {
  return endsAtTermEnd(sub) ? [{ scheduleType: "TermEnd", actionType: "Cancel" }] : [];
}

/** Does auto-renew off move this subscription into EST at its term end (rather than end it)? */
export function estEligible(sub: SimSubscription): boolean {
  if (sub.isTrial === true || sub.quantity === 0) return false;
  if (sub.extendedServiceTerm === true) return true;
  return utcMs(sub.commitmentEndDate) >= EST_FROM && utcMs(sub.effectiveStartDate) >= EST_PURCHASED_FROM;
}

/** The EST price per seat and month: the monthly term rate + 3 %, or the annual term's monthly rate + 23 % without one. */
export function estMonthlyPrice(offer: CatalogOffer | undefined): number | undefined {
  if (!offer) return undefined;
  const monthly = offer.prices["P1M/monthly"];
  if (monthly !== undefined) return monthly * (1 + EST_UPLIFT);
  const annual = offer.prices["P1Y/annual"];
  const annualMonthly = annual !== undefined ? annual / 12 : offer.prices["P1Y/monthly"];
  return annualMonthly === undefined ? undefined : annualMonthly * (1 + EST_UPLIFT_NO_MONTHLY);
}

/** Start (or continue) a month of EST at `at`: monthly, no refundable seats, cancellable any time. */
export function enterEst(ctx: CommerceContext, sub: SimSubscription, at: number): void {
  sub.extendedServiceTerm = true;
  sub.termDuration = "P1M";
  sub.billingCycle = "monthly";
  sub.effectiveStartDate = formatWireDate(at);
  sub.commitmentEndDate = formatWireDate(termEnd(at, "P1M"));
  // Cancellable any time (prorated refund), so until the month ends; no 7-day seat window.
  sub.cancellationAllowedUntilDate = sub.commitmentEndDate;
  sub.seatLots = [{ quantity: sub.quantity, allowedUntilDateTime: formatWireDate(at - 1) }];
  sub.scheduledNextTermInstructions = null;
  delete sub.cancelAtTermEnd;
  ctx.touch(sub);
}
