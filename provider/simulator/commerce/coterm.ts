import { formatWireDate, type WireCustomTermEndDate } from "../../wire/partner-center";
import type { Term } from "../../domain/types";
import { lastMonthEndOnOrBefore, startOfDay, termEnd, utcMs } from "../dates";
import type { SimCustomer } from "../state";
import type { CommerceContext } from "./context";
import { instantOf, invalidInput, termOf } from "./values";


/** Custom term end dates (co-terming a new purchase). */

/**
 * End dates a new purchase may use instead of its natural one: the last calendar-month end
 * within the term, and the end dates of the customer's active subscriptions that fall within
 * the term (co-terming). `termStartDate` defaults to now and may not be in the past.
 */
export function customTermEndDates(
  ctx: CommerceContext,
  customerId: string,
  query: { termDuration: unknown; termStartDate?: unknown; targetCotermSubscriptionId?: string },
): WireCustomTermEndDate[] {
  const customer = ctx.customer(customerId);
  const term = termOf(query.termDuration, "term_duration");
  let start = ctx.now;
  if (query.termStartDate !== undefined && query.termStartDate !== "") {
    start = instantOf(query.termStartDate, "term_start_date");
    if (startOfDay(start) < startOfDay(ctx.now)) throw invalidInput("term_start_date cannot be in the past");
  }
  if (query.targetCotermSubscriptionId !== undefined) ctx.subscription(customer, query.targetCotermSubscriptionId);
  return customTermEndDatesFor(ctx, customer, term, start, query.targetCotermSubscriptionId);
}

export function customTermEndDatesFor(ctx: CommerceContext, customer: SimCustomer, term: Term, start: number, onlySubscription?: string): WireCustomTermEndDate[] {
  const first = startOfDay(start);
  const natural = termEnd(start, term);
  const out: WireCustomTermEndDate[] = [];
  const monthEnd = lastMonthEndOnOrBefore(natural);
  if (monthEnd >= first && onlySubscription === undefined) {
    out.push({ allowedCustomTermEndDateType: "calendarMonthAligned", allowedCustomTermEndDate: formatWireDate(monthEnd) });
  }
  const byDate = new Map<number, string[]>();
  for (const sub of customer.subscriptions) {
    if (sub.status !== "active") continue;
    if (onlySubscription !== undefined && sub.id.toLowerCase() !== onlySubscription.toLowerCase()) continue;
    const end = startOfDay(utcMs(sub.commitmentEndDate));
    if (end < first || end > natural) continue;
    byDate.set(end, [...(byDate.get(end) ?? []), sub.id]);
  }
  for (const [end, ids] of [...byDate].sort((a, b) => a[0] - b[0])) {
    out.push({ allowedCustomTermEndDateType: "subscriptionAligned", allowedCustomTermEndDate: formatWireDate(end), cotermSubscriptionIds: ids });
  }
  return out;
}
