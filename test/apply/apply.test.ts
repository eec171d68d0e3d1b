import { afterEach, describe, expect, it } from "vitest";
import { applySubscription, requestIdOf } from "../../provider/apply";
import type { Plan, PlanStep } from "../../provider/domain/types";
import { APPS, desiredOf, entryOf, EXCHANGE, FRESH, OFFERS, stateOf, Tenant, TENANT, yamlOf, type Entry, type LiveSpec } from "../plan/fixtures";

/** The executor against the embedded simulator: order, verification, failures, replays. */

const SCHEDULED_3 = { offer: OFFERS.businessBasic, term: "P1Y", billing: "monthly", quantity: 3 };

describe("apply", () => {
  let tenant: Tenant | undefined;
  afterEach(() => tenant?.close());

  async function planned(live: LiveSpec[], entries: Record<string, Entry>): Promise<Plan> {
    tenant = await Tenant.of(stateOf({ name: "", live, entries, expect: [] }));
    return tenant.plan(desiredOf(yamlOf("block", entries)));
  }
  const steps = (p: Plan, key: string): PlanStep[] => p.steps.filter((s) => s.subscription === key);
  const log = (): string[] => (tenant?.backend.requests() ?? []).map((r) => `${r.method} ${r.path.replace(`/v1/customers/${TENANT}`, "")}`);

  it("reports a blocked step without calling the backend and runs the others", async () => {
    const p = await planned([APPS], { apps: entryOf(APPS, { quantity: 1, autoRenew: false }) });
    tenant?.backend.service.clearRequests();
    const outcomes = await applySubscription(steps(p, "apps"), tenant!.backend, { customerId: TENANT });
    expect(outcomes.map((o) => [o.step.action, o.status])).toEqual([
      ["decrease-quantity", "blocked"],
      ["disable-auto-renew", "done"],
    ]);
    expect(log().filter((l) => l.startsWith("PATCH"))).toEqual([`PATCH /subscriptions/${APPS.id}`]);
    expect((await tenant!.backend.getSubscription(TENANT, APPS.id)).quantity).toBe(3);
  });

  it("re-reads the subscription after each write and re-applies the renewal an immediate change wiped", async () => {
    const p = await planned([{ ...FRESH, scheduled: SCHEDULED_3 }], { basic: entryOf(FRESH, { quantity: 4, renewal: { quantity: 3 } }) });
    tenant?.backend.service.clearRequests();
    const outcomes = await applySubscription(steps(p, "basic"), tenant!.backend, { customerId: TENANT });
    expect(outcomes.map((o) => [o.step.action, o.status])).toEqual([
      ["decrease-quantity", "done"],
      ["reapply-renewal", "done"],
    ]);
    const sub = `/subscriptions/${FRESH.id}`;
    // Each write is GET-modify-PATCH, then a GET that verifies it.
    expect(log()).toEqual([`GET ${sub}`, `PATCH ${sub}`, `GET ${sub}`, `GET ${sub}`, `PATCH ${sub}`, `GET ${sub}`]);
    const after = await tenant!.backend.getSubscription(TENANT, FRESH.id);
    expect([after.quantity, after.scheduledRenewal?.quantity]).toEqual([4, 3]);
  });

  it("stops at the first failure with the backend's code and skips the steps that depend on it", async () => {
    const p = await planned([{ ...FRESH, scheduled: SCHEDULED_3 }], { basic: entryOf(FRESH, { quantity: 4, renewal: { quantity: 3 } }) });
    // The window closes between plan and apply.
    await tenant!.backend.service.setClock({ advance: "P6D" });
    const outcomes = await applySubscription(steps(p, "basic"), tenant!.backend, { customerId: TENANT });
    expect(outcomes.map((o) => [o.step.action, o.status, o.status === "failed" ? o.code : o.status === "skipped" ? o.message : ""])).toEqual([
      ["decrease-quantity", "failed", "800090"],
      ["reapply-renewal", "skipped", "not run: decrease-quantity failed before it (800090)"],
    ]);
    const after = await tenant!.backend.getSubscription(TENANT, FRESH.id);
    expect([after.quantity, after.scheduledRenewal?.quantity]).toEqual([5, 3]);
  });

  it("upgrades once when the response was lost and the same steps run again", async () => {
    const p = await planned([EXCHANGE], { exchange: entryOf(EXCHANGE, { upgrade: { to: OFFERS.exchange2, acknowledge: "irreversible" } }) });
    // Lost on every attempt the client makes (5), so this run gives up after the upgrade happened.
    await tenant!.backend.service.addFault({ method: "POST", path: "/transitions$", status: 504, afterCommit: true, count: 5 });
    const first = await applySubscription(steps(p, "exchange"), tenant!.backend, { customerId: TENANT });
    expect(first.map((o) => o.status)).toEqual(["failed"]);
    const again = await applySubscription(steps(p, "exchange"), tenant!.backend, { customerId: TENANT });
    expect(again.map((o) => o.status)).toEqual(["done"]);
    const subs = await tenant!.backend.listSubscriptions(TENANT);
    expect(subs.map((s) => [s.offer, s.quantity]).sort()).toEqual([
      [OFFERS.exchange1, 0],
      [OFFERS.exchange2, 10],
    ]);
  });

  it("buys once when the checkout response was lost, and the follow-up steps use the new subscription", async () => {
    const p = await planned([], { entra: { offer: OFFERS.entraP1, term: "P1Y", billing: "annual", quantity: 5, autoRenew: false } });
    await tenant!.backend.service.addFault({ method: "POST", path: "/checkout$", status: 504, afterCommit: true, count: 5 });
    const first = await applySubscription(steps(p, "entra"), tenant!.backend, { customerId: TENANT });
    expect(first.map((o) => o.status)).toEqual(["failed", "skipped"]);
    const again = await applySubscription(steps(p, "entra"), tenant!.backend, { customerId: TENANT });
    expect(again.map((o) => [o.step.action, o.status])).toEqual([
      ["purchase", "done"],
      ["disable-auto-renew", "done"],
    ]);
    const bought = (await tenant!.backend.listSubscriptions(TENANT)).filter((s) => s.offer === OFFERS.entraP1);
    expect(bought.map((s) => [s.friendlyName, s.quantity, s.autoRenew])).toEqual([["entra", 5, false]]);
  });

  it("buys again after the same entry was bought and cancelled the same day, instead of replaying the cancelled purchase", async () => {
    const entra = { offer: OFFERS.entraP1, term: "P1Y", billing: "annual", quantity: 5 };
    const applyAll = async (p: Plan): Promise<string[]> =>
      (await applySubscription(steps(p, "entra"), tenant!.backend, { customerId: TENANT })).map((o) => `${o.step.action} ${o.status}`);
    expect(await applyAll(await planned([], { entra }))).toEqual(["purchase done"]);
    expect(await applyAll(await tenant!.plan(desiredOf(yamlOf("block", { entra: { ...entra, status: "cancelled" } }))))).toEqual(["cancel done"]);
    expect(await applyAll(await tenant!.plan(desiredOf(yamlOf("block", { entra }))))).toEqual(["purchase done"]);
    const bought = (await tenant!.backend.listSubscriptions(TENANT)).filter((s) => s.offer === OFFERS.entraP1);
    expect(bought.map((s) => s.status).sort()).toEqual(["active", "deleted"]);
  });

  it("does not count a replayed purchase whose subscription was cancelled since as done", async () => {
    const entra = { offer: OFFERS.entraP1, term: "P1Y", billing: "annual", quantity: 5 };
    const first = await planned([], { entra });
    await applySubscription(steps(first, "entra"), tenant!.backend, { customerId: TENANT });
    const [bought] = (await tenant!.backend.listSubscriptions(TENANT)).filter((s) => s.offer === OFFERS.entraP1);
    await tenant!.backend.cancel(TENANT, bought!.id);
    const [outcome] = await applySubscription(steps(first, "entra"), tenant!.backend, { customerId: TENANT });
    expect(outcome?.status === "failed" ? [outcome.code, outcome.message] : outcome?.status).toEqual([
      "verification",
      "purchase was accepted but the subscription does not show it (offer CFQ7TTC0LFLS:0002, quantity 5, status deleted)",
    ]);
  });

  it("derives the same request id from the same step and a different one from another step", async () => {
    const p = await planned([APPS], { apps: entryOf(APPS, { quantity: 5 }) });
    const [step] = steps(p, "apps");
    expect(step).toBeDefined();
    expect(requestIdOf(step!, TENANT)).toBe(requestIdOf(structuredClone(step!), TENANT));
    expect(requestIdOf(step!, TENANT)).not.toBe(requestIdOf({ ...step!, to: 6, call: { kind: "set-quantity", quantity: 6 } }, TENANT));
    expect(requestIdOf(step!, TENANT)).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
  });

  it("derives the same request id for an upgrade planned again later (a re-plan after a lost response, before the asynchronous transition shows, upgrades once)", async () => {
    const entries = { exchange: entryOf(EXCHANGE, { upgrade: { to: OFFERS.exchange2, acknowledge: "irreversible" } }) };
    const first = await planned([EXCHANGE], entries);
    await tenant!.backend.service.setClock({ advance: "PT1M" });
    const again = await tenant!.plan(desiredOf(yamlOf("block", entries)));
    const [a, b] = [steps(first, "exchange")[0], steps(again, "exchange")[0]];
    expect([a?.action, b?.timing, a?.effectiveAt === b?.effectiveAt]).toEqual(["upgrade", "irreversible", false]);
    expect(requestIdOf(b!, TENANT)).toBe(requestIdOf(a!, TENANT));
  });

  it("derives a new request id for a seat change planned again later (the PATCH sets a value, so a new plan is a new operation)", async () => {
    const entries = { apps: entryOf(APPS, { quantity: 5 }) };
    const first = await planned([APPS], entries);
    await tenant!.backend.service.setClock({ advance: "PT1M" });
    const again = await tenant!.plan(desiredOf(yamlOf("block", entries)));
    expect(requestIdOf(steps(again, "apps")[0]!, TENANT)).not.toBe(requestIdOf(steps(first, "apps")[0]!, TENANT));
  });

  it("acts on a change made again after another one at the same instant (auto-renew off, on, off): the etag it is based on keys the request id", async () => {
    const off = { apps: entryOf(APPS, { autoRenew: false }) };
    const on = { apps: entryOf(APPS) };
    tenant = await Tenant.of(stateOf({ name: "", live: [APPS], entries: off, expect: [] }));
    const apply = async (entries: Record<string, Entry>): Promise<boolean> => {
      const p = await tenant!.plan(desiredOf(yamlOf("block", entries)));
      const observed = await tenant!.backend.getSubscription(TENANT, APPS.id);
      const outcomes = await applySubscription(steps(p, "apps"), tenant!.backend, { customerId: TENANT, observed });
      expect(outcomes.map((o) => o.status)).toEqual(["done"]);
      return (await tenant!.backend.getSubscription(TENANT, APPS.id)).autoRenew;
    };
    // The simulator's clock does not move: all three plans are made at one instant.
    expect([await apply(off), await apply(on), await apply(off)]).toEqual([false, true, false]);
  });

  it("refuses steps of two subscriptions in one call", async () => {
    const p = await planned([APPS, FRESH], { apps: entryOf(APPS, { quantity: 4 }), basic: entryOf(FRESH, { quantity: 4 }) });
    await expect(applySubscription(p.steps, tenant!.backend, { customerId: TENANT })).rejects.toThrow(
      "applySubscription: steps of several subscriptions (rockit/apps, rockit/basic); apply them one subscription at a time",
    );
  });
});
