import { afterEach, describe, expect, it } from "vitest";
import { APPS, desiredOf, entryOf, FRESH, LOTS, type LiveSpec, stateOf, Tenant, yamlOf } from "./fixtures";

/** Every step whose possibility depends on a window carries the instant the window closes. */

let tenants: Tenant[] = [];
afterEach(() => {
  tenants.forEach((t) => t.close());
  tenants = [];
});

async function deadlines(live: LiveSpec, entry: Record<string, unknown>, policy: "block" | "defer" = "block"): Promise<(string | null | undefined)[][]> {
  const tenant = await Tenant.of(stateOf({ name: "", live: [live], entries: {}, expect: [] }));
  tenants.push(tenant);
  const p = await tenant.plan(desiredOf(yamlOf(policy, { [live.friendlyName]: entry })));
  return p.steps.map((s) => [s.action, s.timing, s.deadline ?? null]);
}

describe("deadlines", () => {
  it.each([
    ["a reduction now: until its batch's window closes", FRESH, entryOf(FRESH, { quantity: 4 }), "block", [["decrease-quantity", "now", "2026-11-28T00:00:00.000Z"]]],
    ["removing only the open batch of seats: until that batch's window closes", LOTS, entryOf(LOTS, { quantity: 6 }), "block", [["decrease-quantity", "now", "2026-11-27T10:00:00.000Z"]]],
    ["a cancel now: until the cancellation window closes", FRESH, entryOf(FRESH, { status: "cancelled" }), "block", [["cancel", "now", "2026-11-28T00:00:00.000Z"]]],
    ["a renewal change: until the term's last day starts", APPS, entryOf(APPS, { renewal: { quantity: 2 } }), "block", [["schedule-renewal", "at-renewal", "2026-12-28T00:00:00.000Z"]]],
    ["a deferred reduction: until the term's last day starts", APPS, entryOf(APPS, { quantity: 1 }), "defer", [["decrease-quantity", "at-renewal", "2026-12-28T00:00:00.000Z"]]],
    ["adding seats: no window, no deadline", APPS, entryOf(APPS, { quantity: 5 }), "block", [["increase-quantity", "now", null]]],
    ["a blocked step: no deadline", APPS, entryOf(APPS, { quantity: 1 }), "block", [["decrease-quantity", "blocked", null]]],
  ] as const)("%s", async (_name, live, entry, policy, expected) => {
    expect(await deadlines(live, entry, policy)).toEqual(expected);
  });
});
