import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { deriveRequestId, stableId } from "../provider/domain/ids";

describe("deriveRequestId", () => {
  it("gives the same GUID-shaped id for the same key and step, and different ids otherwise", () => {
    const id = deriveRequestId("purchase-key-1", "checkout");
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(deriveRequestId("purchase-key-1", "checkout")).toBe(id);
    expect(deriveRequestId("purchase-key-1", "cart")).not.toBe(id);
    expect(deriveRequestId("purchase-key-2", "checkout")).not.toBe(id);
  });
});

describe("stableId", () => {
  it("keeps the shape keys always had, so a key computed before an upgrade still matches", () => {
    // Computed by seatplan before ids moved to domain/ids.ts: a crashed purchase's rerun must find it.
    expect(stableId(["purchase", "t", "entra"])).toBe(stableIdOfOld(["purchase", "t", "entra"]));
    expect(stableId(["a"])).not.toBe(stableId(["b"]));
  });
});

/** The formula as rules/support.ts had it. */
function stableIdOfOld(parts: readonly string[]): string {
  const digest = createHash("sha256").update(JSON.stringify(parts)).digest("hex");
  return `${digest.slice(0, 8)}-${digest.slice(8, 12)}-${digest.slice(12, 16)}-${digest.slice(16, 20)}-${digest.slice(20, 32)}`;
}
