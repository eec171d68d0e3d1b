import { afterEach, describe, expect, it } from "vitest";
import { APPS, desiredOf, type Entry, entryOf, EXCHANGE, FRESH, type LiveSpec, OFFERS, stateOf, Tenant, yamlOf } from "./fixtures";

const TRIAL: LiveSpec = {
  id: "3f2a8c1e-5b7d-4e9a-8c6f-1d2e3f4a5b03",
  offer: OFFERS.businessPremium,
  friendlyName: "trial",
  quantity: 25,
  term: "P1M",
  billing: "monthly",
  start: "2026-11-18T00:00:00.000Z",
  end: "2026-12-17T00:00:00.000Z",
  isTrial: true,
};

/**
 * Cost per step: the change of the yearly cost in the catalog currency. Annual prices are per
 * year, monthly prices ×12; a renewal-time step compares the year after renewal with and without it.
 */
const ROWS: readonly (readonly [string, readonly LiveSpec[], Readonly<Record<string, Entry>>, "block" | "defer", readonly (readonly [string, number | null])[]])[] = [
  ["2 seats added at 105.60 a year", [APPS], { apps: entryOf(APPS, { quantity: 5 }) }, "block", [["increase-quantity", 211.2]]],
  ["a seat removed at 6.30 a month", [FRESH], { basic: entryOf(FRESH, { quantity: 4 }) }, "block", [["decrease-quantity", -75.6]]],
  ["a reduction deferred to renewal", [APPS], { apps: entryOf(APPS, { quantity: 1 }) }, "defer", [["decrease-quantity", -211.2]]],
  ["a renewal switched to monthly billing (9.24 a month)", [APPS], { apps: entryOf(APPS, { renewal: { billing: "monthly" } }) }, "block", [["schedule-renewal", 15.84]]],
  // Since 4 May 2026 auto-renew off alone moves the subscription into the extended service term:
  // 3 seats at 10.56 a month + 3 % (391.56 a year) instead of 316.80 — it costs more, it saves nothing.
  ["auto-renew off moves into the extended service term, dearer than renewing", [APPS], { apps: entryOf(APPS, { autoRenew: false }) }, "block", [["disable-auto-renew", 74.76]]],
  ["an explicit cancellation at term end saves the renewal", [APPS], { apps: entryOf(APPS, { status: "cancelled", autoRenew: false }) }, "block", [["cancel-at-term-end", -316.8]]],
  // Auto-renew on renews the subscription as it is instead of EST; the renewal change is the next step's delta (the two add up).
  ["auto-renew on with fewer seats at renewal", [{ ...APPS, autoRenew: false }], { apps: entryOf(APPS, { renewal: { quantity: 1 } }) }, "block", [["enable-auto-renew", -74.76], ["schedule-renewal", -211.2]]],
  // The deferred reduction is priced first (against EST), auto-renew after it: the two still add up to 1 seat a year instead of EST for 3.
  ["auto-renew on with a reduction deferred to renewal", [{ ...APPS, autoRenew: false }], { apps: entryOf(APPS, { quantity: 1 }) }, "defer", [["enable-auto-renew", 211.2], ["decrease-quantity", -285.96]]],
  ["a trial costs nothing today: letting it lapse saves its conversion", [TRIAL], { trial: entryOf(TRIAL, { autoRenew: false }) }, "block", [["disable-auto-renew", -6930]]],
  ["a billing change mid-term costs the monthly premium from now", [APPS], { apps: entryOf(APPS, { billing: "monthly" }) }, "block", [["change-term", 15.84]]],
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
