import { afterEach, describe, expect, it } from "vitest";
import { applySubscription } from "../../provider/apply";
import type { Backend } from "../../provider/backends/backend";
import type { DesiredState, Plan, PlanStep } from "../../provider/domain/types";
import { observe } from "../../provider/observe";
import { plan } from "../../provider/plan";
import { NOW, scenarioDesired, shape, stateOf, Tenant, TENANT, type Scenario } from "../plan/fixtures";
import { SCENARIOS } from "../plan/scenarios";
import { PARTNER, startSimHarness, type SimHarness } from "./harness";

/**
 * The planner's rule table, run through the partner-center backend over HTTP (real MSAL,
 * app+user so licence usage is read like the embedded backend reads it): the plan is the
 * embedded backend's plan, and the executor's cross-check holds over HTTP too — the simulator
 * accepts every planned call and a re-plan finds only what stays blocked.
 */

async function planWith(backend: Backend, desired: DesiredState, now: string): Promise<Plan> {
  return plan(desired, await observe(desired, backend), { now: new Date(now), backend: backend.name });
}

const withoutBackend = (p: Plan) => ({ ...p, backend: "" });

function bySubscription(steps: readonly PlanStep[]): PlanStep[][] {
  const groups = new Map<string, PlanStep[]>();
  for (const s of steps) groups.set(s.subscription, [...(groups.get(s.subscription) ?? []), s]);
  return [...groups.values()];
}

let h: SimHarness | undefined;
let tenant: Tenant | undefined;
afterEach(async () => {
  await h?.close();
  tenant?.close();
  h = undefined;
  tenant = undefined;
});

/**
 * Twice: a synchronous simulator, and one whose writes take effect 300 ms later (a PATCH answered
 * 202 + Location, a transition `Started`, an order `pending`), as Partner Center's do. Either way
 * every write converges, and none is sent twice.
 */
const MODES = [
  ["synchronous", 0],
  ["asynchronous (--async-ms 300)", 300],
] as const;

describe.each(MODES)("the rule table over Partner Center's REST API, %s", (_mode, asyncMs) => {
  // Rows with a catalog of their own are left out: the partner-center backend prices from its own price list.
  it.each(SCENARIOS.filter((s) => s.catalog === undefined).map((s) => [s.name, s] as const))("%s", async (_name, scenario: Scenario) => {
    const now = scenario.now ?? NOW;
    const desired = scenarioDesired(scenario);
    tenant = await Tenant.of(stateOf(scenario));
    h = await startSimHarness({ state: { ...stateOf(scenario), partner: PARTNER }, asyncMs });
    const backend = h.backend();

    const planned = await planWith(backend, desired, now);
    expect(withoutBackend(planned)).toEqual(withoutBackend(await planWith(tenant.backend, desired, now)));
    expect(planned.backend).toBe("partner-center");

    for (const steps of bySubscription(planned.steps)) {
      const outcomes = await applySubscription(steps, backend, { customerId: TENANT });
      const ran = outcomes.filter((o) => o.status !== "blocked");
      expect(ran.map((o) => [o.step.action, o.status, o.status === "failed" ? o.message : ""])).toEqual(ran.map((o) => [o.step.action, "done", ""]));
    }
    expect(shape(await planWith(backend, desired, now))).toEqual(scenario.replan ?? shape(planned).filter(([, , timing]) => timing === "blocked"));
    // Each write went out once: no request id twice, and nothing pending is left behind.
    const writes = (await h.requests()).filter((r) => (r.method === "PATCH" || r.method === "POST") && r.path.startsWith("/v1/"));
    expect(new Set(writes.map((r) => r.msRequestId)).size).toBe(writes.length);
    // The asynchronous run really met the service's later answers.
    if (asyncMs > 0 && writes.some((r) => r.method === "PATCH")) expect(writes.filter((r) => r.status === 202).length).toBeGreaterThan(0);
    expect((await h.state()).pending ?? []).toEqual([]);
  });
});
