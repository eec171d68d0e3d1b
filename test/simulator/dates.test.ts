import { describe, expect, it } from "vitest";
import { addIsoDuration, lastMonthEndOnOrBefore, renewalAt, termEnd, utcMs } from "../../provider/simulator/dates";

/** Term arithmetic of new commerce: inclusive end dates, renewal the next day at 00:00 UTC. */

const iso = (t: number): string => new Date(t).toISOString();
const ms = (s: string): number => Date.parse(s);

describe("term dates", () => {
  it.each`
    start                         | term     | end
    ${"2022-12-29T00:00:00Z"}     | ${"P1Y"} | ${"2023-12-28T00:00:00.000Z"}
    ${"2026-11-23T10:12:00Z"}     | ${"P1Y"} | ${"2027-11-22T00:00:00.000Z"}
    ${"2026-01-31T00:00:00Z"}     | ${"P1M"} | ${"2026-02-27T00:00:00.000Z"}
    ${"2026-03-01T00:00:00Z"}     | ${"P1M"} | ${"2026-03-31T00:00:00.000Z"}
    ${"2026-06-01T00:00:00Z"}     | ${"P3Y"} | ${"2029-05-31T00:00:00.000Z"}
  `("a $term term started $start ends (inclusive) on $end", ({ start, term, end }) => {
    expect(iso(termEnd(ms(start), term))).toBe(end);
  });

  it("renews the day after the last day, at 00:00 UTC", () => {
    expect(iso(renewalAt(ms("2023-12-28T00:00:00Z")))).toBe("2023-12-29T00:00:00.000Z");
  });

  it.each`
    day                       | monthEnd
    ${"2027-11-22T00:00:00Z"} | ${"2027-10-31T00:00:00.000Z"}
    ${"2027-05-31T00:00:00Z"} | ${"2027-05-31T00:00:00.000Z"}
    ${"2028-03-01T00:00:00Z"} | ${"2028-02-29T00:00:00.000Z"}
  `("the last calendar-month end on or before $day is $monthEnd", ({ day, monthEnd }) => {
    expect(iso(lastMonthEndOnOrBefore(ms(day)))).toBe(monthEnd);
  });

  it("advances the clock by ISO durations and refuses anything else", () => {
    expect(iso(addIsoDuration(ms("2026-01-31T10:00:00Z"), "P1M"))).toBe("2026-02-28T10:00:00.000Z");
    expect(iso(addIsoDuration(ms("2026-01-31T10:00:00Z"), "PT36H"))).toBe("2026-02-01T22:00:00.000Z");
    expect(() => addIsoDuration(0, "8 days")).toThrow('"8 days" is not an ISO 8601 duration (e.g. P8D, PT36H)');
  });
});

describe("dates of the state file", () => {
  it.each`
    stored                         | instant
    ${"2027-01-09T00:00:00Z"}      | ${"2027-01-09T00:00:00.000Z"}
    ${"2027-01-09T00:00:00"}       | ${"2027-01-09T00:00:00.000Z"}
    ${"2027-01-09T00:00:00.5"}     | ${"2027-01-09T00:00:00.500Z"}
    ${"2027-01-09T02:00:00+02:00"} | ${"2027-01-09T00:00:00.000Z"}
    ${"2027-01-09T02:00:00+0200"}  | ${"2027-01-09T00:00:00.000Z"}
    ${"2027-01-09"}                | ${"2027-01-09T00:00:00.000Z"}
  `("$stored is the instant $instant (no zone: UTC)", ({ stored, instant }) => {
    expect(iso(utcMs(stored))).toBe(instant);
  });

  it("a missing date (a hand-written file) is NaN, not a crash", () => {
    expect(utcMs(undefined as unknown as string)).toBeNaN();
  });
});
