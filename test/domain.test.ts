import { describe, expect, it } from "vitest";
import { BackendError, isBackendError, isSeatplanError, ValidationError } from "../provider/domain/errors";
import { BILLING_FOR_TERM } from "../provider/domain/types";

describe("domain", () => {
  it("allows the term/billing combinations of design §3", () => {
    expect(BILLING_FOR_TERM).toEqual({ P1M: ["monthly"], P1Y: ["monthly", "annual"], P3Y: ["monthly", "annual", "triennial"] });
  });

  it("recognises errors by name when class identity differs (serialized provider)", () => {
    const foreign = Object.assign(new Error("x"), { name: "BackendError", status: 400, code: "800090" });
    expect(isBackendError(foreign)).toBe(true);
    expect(isSeatplanError(foreign)).toBe(true);
    expect(isBackendError(new BackendError("late decrease", 400, "800090", "req-1"))).toBe(true);
    expect(new ValidationError([]).message).toBe("0 problems in the desired state");
  });
});
