import { DateTime, Duration } from "luxon";
import { addUtcMonths } from "../domain/time";
import type { Term } from "../domain/types";

/**
 * Calendar arithmetic of new-commerce terms, in UTC milliseconds. Terms are inclusive: a P1Y
 * term started on S ends on the day S + 1 year − 1 day (`commitmentEndDate` at 00:00Z of that
 * day, the whole day included); the renewal happens the next day at 00:00 UTC.
 */

export const HOUR_MS = 3_600_000;
export const DAY_MS = 24 * HOUR_MS;

/** Terms in calendar months (a year is twelve of them: 29 February + P1Y ends on 27 February, as luxon and Partner Center count). */
const TERM_MONTHS: Readonly<Record<Term, number>> = { P1M: 1, P1Y: 12, P3Y: 36 };

/** 00:00 UTC of the day `ms` falls on. */
export function startOfDay(ms: number): number {
  return ms - (((ms % DAY_MS) + DAY_MS) % DAY_MS);
}

/** The inclusive last day (00:00 UTC) of a term that starts at `startMs`. */
export function termEnd(startMs: number, term: Term): number {
  // Plain arithmetic, no date objects: every read of a big tenant renews thousands of terms.
  return addUtcMonths(startOfDay(startMs), TERM_MONTHS[term]) - DAY_MS;
}

/** When a term whose last day is `commitmentEndMs` renews: the next day, 00:00 UTC. */
export function renewalAt(commitmentEndMs: number): number {
  return startOfDay(commitmentEndMs) + DAY_MS;
}

/** The last day of the calendar month (00:00 UTC) at or before `ms`'s day. */
export function lastMonthEndOnOrBefore(ms: number): number {
  const day = DateTime.fromMillis(startOfDay(ms), { zone: "utc" });
  const monthEnd = day.endOf("month").startOf("day");
  return (monthEnd.toMillis() === day.toMillis() ? monthEnd : day.startOf("month").minus({ days: 1 })).toMillis();
}

/** `P8D`, `PT36H`, `P1M`… added to `ms` (calendar-aware). Throws on a malformed duration. */
export function addIsoDuration(ms: number, iso: string): number {
  const duration = Duration.fromISO(iso);
  if (!duration.isValid) throw new RangeError(`"${iso}" is not an ISO 8601 duration (e.g. P8D, PT36H)`);
  return DateTime.fromMillis(ms, { zone: "utc" }).plus(duration).toMillis();
}

const HAS_ZONE = /(?:Z|[+-]\d\d(?::?\d\d)?)$/i;

/**
 * A date of the state file → ms. Partner Center's dates are UTC, and a hand-written file may
 * copy them without the `Z`: `Date.parse` would read those in the machine's time zone (a term
 * renewing a day early east of UTC), so a date-time without a zone is read as UTC here.
 */
export function utcMs(iso: string): number {
  // A hand-written file may lack a date the types promise (a lot's deadline): NaN, as Date.parse.
  if (typeof iso !== "string") return Number.NaN;
  return Date.parse(iso.includes("T") && !HAS_ZONE.test(iso) ? `${iso}Z` : iso);
}

/** Strict ISO 8601 instant → ms; NaN when it is not one. Dates without a zone are UTC. */
export function parseInstant(iso: unknown): number {
  if (typeof iso !== "string") return Number.NaN;
  const dt = DateTime.fromISO(iso, { zone: "utc", setZone: true });
  return dt.isValid ? dt.toMillis() : Number.NaN;
}
