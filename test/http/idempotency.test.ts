import { describe, expect, it } from "vitest";
import { deriveRequestId } from "../../provider/http/idempotency";

describe("deriveRequestId", () => {
  it("gives the same GUID-shaped id for the same key and step, and different ids otherwise", () => {
    const id = deriveRequestId("purchase-key-1", "checkout");
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(deriveRequestId("purchase-key-1", "checkout")).toBe(id);
    expect(deriveRequestId("purchase-key-1", "cart")).not.toBe(id);
    expect(deriveRequestId("purchase-key-2", "checkout")).not.toBe(id);
  });
});
