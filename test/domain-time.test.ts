import { describe, expect, it } from "vitest";
import { dayText, instantText, renewalAt, startOfUtcDay, termEnd } from "../provider/domain/time";

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

  it("writes instants and days for people", () => {
    expect(instantText("2022-01-05T00:00:00.000Z")).toBe("2022-01-05T00:00:00Z");
    expect(dayText("2022-01-05T13:00:00.000Z")).toBe("2022-01-05");
  });
});
