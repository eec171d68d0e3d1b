import type { CatalogOffer } from "../../domain/types";
import { DEFAULT_CURRENCY } from "../catalog";
import type { SimSubscription } from "../state";
import type { CommerceContext } from "./context";
import { estMonthlyPrice } from "./est";
import { enumKey } from "./values";

/**
 * What the simulator bills (`GET /_sim/billing?customer=ID`): the annualised run rate of every
 * subscription at `now` — what it would cost over a year if nothing changed. Not Partner Center
 * (there, invoices and reconciliation files say it); tests compare it with the plan's cost deltas.
 */

export interface BillingLine {
  readonly subscriptionId: string;
  readonly friendlyName: string;
  readonly offerId: string;
  readonly status: string;
  readonly quantity: number;
  readonly termDuration: string;
  readonly billingCycle: string;
  readonly isTrial: boolean;
  readonly extendedServiceTerm: boolean;
  /** Per year, in `currency`; null when the catalog has no price for it. */
  readonly annualRunRate: number | null;
}

export interface Billing {
  readonly customerId: string;
  readonly now: string;
  readonly currency: string;
  readonly subscriptions: readonly BillingLine[];
  /** Sum of the priced lines. */
  readonly annualRunRate: number;
}

const round = (n: number): number => Math.round(n * 100) / 100;

/** Per seat and year, as billed now. */
function seatYear(sub: SimSubscription, offer: CatalogOffer | undefined): number | undefined {
  if (sub.extendedServiceTerm === true) {
    const monthly = estMonthlyPrice(offer);
    return monthly === undefined ? undefined : monthly * 12;
  }
  const term = enumKey(sub.termDuration).toUpperCase();
  const billing = enumKey(sub.billingCycle);
  const price = offer?.prices[`${term}/${billing}` as keyof CatalogOffer["prices"]];
  if (price === undefined) return undefined;
  // A price is per billing period: a month, a year, or three years.
  const periodsPerYear = billing === "monthly" ? 12 : billing === "annual" ? 1 : 1 / 3;
  return price * periodsPerYear;
}

export function billing(ctx: CommerceContext, customerId: string): Billing {
  const customer = ctx.customer(customerId);
  const lines = customer.subscriptions.map((sub): BillingLine => {
    const billed = sub.status === "active" && sub.isTrial !== true && sub.quantity > 0;
    const perSeat = billed ? seatYear(sub, ctx.offerOf(sub)) : 0;
    return {
      subscriptionId: sub.id,
      friendlyName: sub.friendlyName,
      offerId: sub.offerId,
      status: sub.status,
      quantity: sub.quantity,
      termDuration: sub.termDuration,
      billingCycle: sub.billingCycle,
      isTrial: sub.isTrial === true,
      extendedServiceTerm: sub.extendedServiceTerm === true,
      annualRunRate: perSeat === undefined ? null : round(perSeat * sub.quantity),
    };
  });
  return {
    customerId: customer.id,
    now: new Date(ctx.now).toISOString(),
    currency: ctx.state.settings?.currency ?? DEFAULT_CURRENCY,
    subscriptions: lines,
    annualRunRate: round(lines.reduce((sum, l) => sum + (l.annualRunRate ?? 0), 0)),
  };
}
