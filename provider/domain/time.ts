import { DateTime } from "luxon";
import type { IsoDate, Term } from "./types";

/**
 * Time as the commerce rules count it: UTC instants and calendar terms, on luxon. Pure — the
 * clock is always an argument (`now`), never read here.
 */

/** Milliseconds in a (UTC) day. */
export const DAY_MS = 86_400_000;

function utc(t: Date | number | IsoDate): DateTime {
  if (typeof t === "string") return DateTime.fromISO(t, { zone: "utc" });
  return DateTime.fromMillis(typeof t === "number" ? t : t.getTime(), { zone: "utc" });
}

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
  return utc(t).startOf("day").toMillis();
}

/** NCE renewals start the day after the (inclusive) last day of the term, at 00:00 UTC. */
export function renewalAt(endDate: IsoDate): IsoDate {
  return isoOf(utc(startOfUtcDay(Date.parse(endDate))).plus({ days: 1 }).toMillis());
}

/** Inclusive end (00:00 UTC of the last day) of a term starting on the day of `start`. */
export function termEnd(start: Date, term: Term, customEnd?: IsoDate): IsoDate {
  if (customEnd !== undefined) return isoOf(startOfUtcDay(Date.parse(customEnd)));
  // Calendar arithmetic (a month from 31 January ends on 27 February), as Partner Center counts.
  const months = term === "P1M" ? 1 : term === "P1Y" ? 12 : 36;
  return isoOf(utc(startOfUtcDay(start.getTime())).plus({ months }).minus({ days: 1 }).toMillis());
}
