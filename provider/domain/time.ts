import type { IsoDate, Term } from "./types";

/**
 * Time as the commerce rules count it: UTC instants and calendar terms. Pure — the clock is
 * always an argument (`now`), never read here. Plain millisecond arithmetic, not a date library:
 * UTC has no daylight saving, and the planner and the simulator count a term end or a renewal
 * per subscription on every plan (tens of thousands of times for a big tenant).
 */

/** Milliseconds in a (UTC) day. */
export const DAY_MS = 86_400_000;

/** An instant as ISO 8601 with milliseconds, in UTC (`2022-01-05T00:00:00.000Z`). */
export function isoOf(t: Date | number): IsoDate {
  return new Date(t).toISOString();
}

/** `2022-01-05T00:00:00Z`: instants in reasons, without the noise of milliseconds. */
export function instantText(iso: IsoDate): string {
  return isoOf(Date.parse(iso)).replace(/\.000Z$/, "Z");
}

/** `2022-01-05`: days in hints. */
export function dayText(iso: IsoDate): string {
  return isoOf(Date.parse(iso)).slice(0, 10);
}

/** 00:00 UTC of the day of `t` (ms). */
export function startOfUtcDay(t: number): number {
  return t - (((t % DAY_MS) + DAY_MS) % DAY_MS);
}

/** NCE renewals start the day after the (inclusive) last day of the term, at 00:00 UTC. */
export function renewalAt(endDate: IsoDate): IsoDate {
  return isoOf(startOfUtcDay(Date.parse(endDate)) + DAY_MS);
}

/** Inclusive end (00:00 UTC of the last day) of a term starting on the day of `start`. */
export function termEnd(start: Date, term: Term, customEnd?: IsoDate): IsoDate {
  if (customEnd !== undefined) return isoOf(startOfUtcDay(Date.parse(customEnd)));
  // Calendar arithmetic (a month from 31 January ends on 27 February), as Partner Center counts.
  const months = term === "P1M" ? 1 : term === "P1Y" ? 12 : 36;
  return isoOf(addUtcMonths(startOfUtcDay(start.getTime()), months) - DAY_MS);
}

/**
 * `months` calendar months after `t` (UTC), the day of the month kept where the target month has
 * it and otherwise its last day (31 January + 1 month = 28/29 February), the time of day kept:
 * calendar arithmetic as Partner Center counts terms.
 */
export function addUtcMonths(t: number, months: number): number {
  const d = new Date(t);
  const month = d.getUTCMonth() + months;
  const year = d.getUTCFullYear() + Math.floor(month / 12);
  const target = month - Math.floor(month / 12) * 12;
  // Day 0 of the next month is the last day of the target one (setUTCFullYear: years 0–99 stay themselves).
  const last = new Date(0);
  last.setUTCFullYear(year, target + 1, 0);
  d.setUTCFullYear(year, target, Math.min(d.getUTCDate(), last.getUTCDate()));
  return d.getTime();
}
