import fc from "fast-check";
import { DateTime } from "luxon";
import { describe, expect, it } from "vitest";
import { addUtcMonths, dayText, instantText, renewalAt, startOfUtcDay, termEnd } from "../provider/domain/time";

describe("time", () => {
  it("counts terms by the calendar, inclusive of the last day, in UTC", () => {
    expect(termEnd(new Date("2026-01-31T15:00:00Z"), "P1M")).toBe("2026-02-27T00:00:00.000Z");
    expect(termEnd(new Date("2024-02-29T23:59:59Z"), "P1Y")).toBe("2025-02-27T00:00:00.000Z");
    expect(termEnd(new Date("2026-03-10T00:00:00Z"), "P3Y")).toBe("2029-03-09T00:00:00.000Z");
    expect(termEnd(new Date("2026-03-10T00:00:00Z"), "P1Y", "2026-12-31T18:00:00Z")).toBe("2026-12-31T00:00:00.000Z");
  });

  it("renews at 00:00 UTC the day after the last day", () => {
    expect(renewalAt("2026-12-12T00:00:00Z")).toBe("2026-12-13T00:00:00.000Z");
    expect(renewalAt("2026-12-31T23:30:00+00:00")).toBe("2027-01-01T00:00:00.000Z");
    expect(startOfUtcDay(Date.parse("1969-12-31T12:00:00Z"))).toBe(Date.parse("1969-12-31T00:00:00Z"));
  });

  it("adds calendar months as luxon does (the last day of a shorter month, leap years), without it", () => {
    // Plain arithmetic replaced luxon on the hot path: the two must agree on every instant.
    const instant = fc.integer({ min: Date.parse("1900-01-01T00:00:00Z"), max: Date.parse("2200-12-31T23:59:59Z") });
    fc.assert(
      fc.property(instant, fc.integer({ min: 0, max: 120 }), (t, months) => {
        expect(addUtcMonths(t, months)).toBe(DateTime.fromMillis(t, { zone: "utc" }).plus({ months }).toMillis());
      }),
      { numRuns: 5000 },
    );
    expect(new Date(addUtcMonths(Date.parse("2024-02-29T12:00:00Z"), 12)).toISOString()).toBe("2025-02-28T12:00:00.000Z");
    expect(new Date(addUtcMonths(Date.parse("2026-12-31T00:00:00Z"), 2)).toISOString()).toBe("2027-02-28T00:00:00.000Z");
  });

  it("writes instants and days for people", () => {
    expect(instantText("2022-01-05T00:00:00.000Z")).toBe("2022-01-05T00:00:00Z");
    expect(dayText("2022-01-05T13:00:00.000Z")).toBe("2022-01-05");
  });
});
