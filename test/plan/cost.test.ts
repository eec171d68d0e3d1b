import { afterEach, describe, expect, it } from "vitest";
import { APPS, desiredOf, type Entry, entryOf, EXCHANGE, FRESH, type LiveSpec, OFFERS, stateOf, Tenant, yamlOf } from "./fixtures";

/**
 * Cost per step: the change of the yearly cost in the catalog currency. Annual prices are per
 * year, monthly prices ×12; a renewal-time step compares the year after renewal with and without it.
 */
const ROWS: readonly (readonly [string, readonly LiveSpec[], Readonly<Record<string, Entry>>, "block" | "defer", readonly (readonly [string, number | null])[]])[] = [
  ["2 seats added at 105.60 a year", [APPS], { apps: entryOf(APPS, { quantity: 5 }) }, "block", [["increase-quantity", 211.2]]],
  ["a seat removed at 6.30 a month", [FRESH], { basic: entryOf(FRESH, { quantity: 4 }) }, "block", [["decrease-quantity", -75.6]]],
  ["a reduction deferred to renewal", [APPS], { apps: entryOf(APPS, { quantity: 1 }) }, "defer", [["decrease-quantity", -211.2]]],
  ["a renewal switched to monthly billing (9.24 a month)", [APPS], { apps: entryOf(APPS, { renewal: { billing: "monthly" } }) }, "block", [["schedule-renewal", 15.84]]],
  ["auto-renew off drops the next year", [APPS], { apps: entryOf(APPS, { autoRenew: false }) }, "block", [["disable-auto-renew", -316.8]]],
  // Auto-renew on renews the subscription as it is; the renewal change is the next step's delta (the two add up).
  ["auto-renew on with fewer seats at renewal", [{ ...APPS, autoRenew: false }], { apps: entryOf(APPS, { renewal: { quantity: 1 } }) }, "block", [["enable-auto-renew", 316.8], ["schedule-renewal", -211.2]]],
  ["auto-renew on with a reduction deferred to renewal", [{ ...APPS, autoRenew: false }], { apps: entryOf(APPS, { quantity: 1 }) }, "defer", [["enable-auto-renew", 316.8], ["decrease-quantity", -211.2]]],
  ["a cancellation inside the window", [FRESH], { basic: entryOf(FRESH, { status: "cancelled" }) }, "block", [["cancel", -378]]],
  ["an upgrade from Exchange Plan 1 to Plan 2", [EXCHANGE], { exchange: entryOf(EXCHANGE, { upgrade: { to: OFFERS.exchange2, acknowledge: "irreversible" } }) }, "block", [["upgrade", 480]]],
  ["a purchase of 5 Entra ID P1 seats", [], { entra: { offer: OFFERS.entraP1, term: "P1Y", billing: "annual", quantity: 5 } }, "block", [["purchase", 360]]],
  ["a rename costs nothing", [APPS], { office: entryOf(APPS, { id: APPS.id }) }, "block", [["rename", null]]],
];

describe("plan: cost per step", () => {
  let tenant: Tenant | undefined;
  afterEach(() => tenant?.close());

  it.each(ROWS)("%s", async (_name, live, entries, policy, expected) => {
    tenant = await Tenant.of(stateOf({ name: "", live, entries, expect: [] }));
    const p = await tenant.plan(desiredOf(yamlOf(policy, entries)));
    expect(p.steps.map((s) => [s.action, s.cost?.annualDelta ?? null])).toEqual(expected);
    expect(p.steps.every((s) => s.cost === null || s.cost.currency === "EUR")).toBe(true);
  });
});
