import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { openSimulatorBackend, type SimulatorBackend } from "../../provider/config/backends";
import type { ObservedSubscription } from "../../provider/domain/types";
import { DEMO_CUSTOMERS, DEMO_SUBSCRIPTIONS } from "../../provider/simulator/demo";
import { tempDir } from "./helpers";

/**
 * The demo tenant (demo-tenant.md) shows every rule whenever it is created: the properties are
 * checked at two clocks, through the embedded backend that creates it.
 */

const DAY = 86_400_000;

async function demoAt(clock: string): Promise<{ now: number; subs: Map<string, ObservedSubscription>; backend: SimulatorBackend }> {
  const backend = await openSimulatorBackend({ statePath: join(tempDir(), "demo.json"), realNow: () => Date.parse(clock) });
  const subs = new Map<string, ObservedSubscription>();
  for (const c of Object.values(DEMO_CUSTOMERS)) for (const s of await backend.listSubscriptions(c)) subs.set(s.id, s);
  return { now: Date.parse(await backend.now()), subs, backend };
}

describe.each(["2026-11-23T10:00:00Z", "2027-03-01T23:30:00Z"])("the demo tenant created at %s", (clock) => {
  it("freezes the clock at its creation", async () => {
    const { now } = await demoAt(clock);
    expect(now).toBe(Date.parse(clock));
  });

  it("has a subscription per rule, dated relative to the clock", async () => {
    const { now, subs } = await demoAt(clock);
    const get = (id: string): ObservedSubscription => subs.get(id) as ObservedSubscription;
    const renewsIn = (s: ObservedSubscription): number => (Date.parse(s.endDate) + DAY - now) / DAY;
    const refundable = (s: ObservedSubscription): number => s.refundableLots.reduce((n, l) => n + l.quantity, 0);
    const cancellable = (s: ObservedSubscription): boolean => s.cancellationAllowedUntil !== null && Date.parse(s.cancellationAllowedUntil) >= now;

    const apps = get(DEMO_SUBSCRIPTIONS.appsForBusiness);
    expect(apps).toMatchObject({ offer: "CFQ7TTC0LH1G:0001", term: "P1Y", billing: "annual", quantity: 3, autoRenew: true, friendlyName: "apps-for-business" });
    expect(renewsIn(apps)).toBeGreaterThan(0);
    expect(renewsIn(apps)).toBeLessThanOrEqual(30);
    expect([refundable(apps), cancellable(apps)]).toEqual([0, false]);

    const basic = get(DEMO_SUBSCRIPTIONS.businessBasic);
    expect(basic).toMatchObject({ offer: "CFQ7TTC0LH18:0001", term: "P1Y", billing: "monthly", quantity: 5 });
    expect([refundable(basic), cancellable(basic)]).toEqual([5, true]);

    const teams = get(DEMO_SUBSCRIPTIONS.teamsEssentials);
    expect(teams).toMatchObject({ offer: "CFQ7TTC0JN4R:0002", term: "P1M", billing: "monthly", quantity: 4 });
    expect([refundable(teams), cancellable(teams)]).toEqual([0, false]);
    expect(renewsIn(teams)).toBeGreaterThan(15);
    expect(renewsIn(teams)).toBeLessThanOrEqual(20);

    expect(get(DEMO_SUBSCRIPTIONS.premiumTrial)).toMatchObject({ offer: "CFQ7TTC0LCHC:0002", term: "P1M", quantity: 25, isTrial: true, autoRenew: true });

    expect(get(DEMO_SUBSCRIPTIONS.exchangePlan1)).toMatchObject({ offer: "CFQ7TTC0LH16:0001", term: "P1Y", billing: "annual", quantity: 10 });
    const standard = get(DEMO_SUBSCRIPTIONS.businessStandard);
    expect(standard).toMatchObject({ offer: "CFQ7TTC0LDPB:0001", quantity: 8 });
    expect([refundable(standard), cancellable(standard)]).toEqual([2, false]);
    expect(get(DEMO_SUBSCRIPTIONS.unmanagedE1)).toMatchObject({ offer: "CFQ7TTC0LF8Q:0001", quantity: 2, autoRenew: false });
  });

  it("assigns licences to users and offers the Exchange upgrade", async () => {
    const { backend } = await demoAt(clock);
    expect(await backend.getLicenceUsage(DEMO_CUSTOMERS.rockit)).toMatchObject({ "CFQ7TTC0LH1G:0001": 2, "CFQ7TTC0LH18:0001": 3, "CFQ7TTC0JN4R:0002": 2 });
    expect(await backend.getLicenceUsage(DEMO_CUSTOMERS.northwind)).toMatchObject({ "CFQ7TTC0LH16:0001": 9, "CFQ7TTC0LDPB:0001": 6 });
    const [upgrade] = await backend.getTransitionEligibilities(DEMO_CUSTOMERS.northwind, DEMO_SUBSCRIPTIONS.exchangePlan1);
    expect(upgrade).toMatchObject({ offer: "CFQ7TTC0LH1P:0001", isEligible: true });
  });
});
