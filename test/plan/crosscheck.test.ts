import { afterEach, describe, expect, it } from "vitest";
import { applySubscription } from "../../provider/apply";
import type { PlanStep } from "../../provider/domain/types";
import { describeEdits } from "../../provider/rules/steps";
import { applyFix, desiredOf, shape, stateOf, Tenant, TENANT, yamlOf } from "./fixtures";
import { SCENARIOS } from "./scenarios";

/**
 * The planner and the simulator enforce the commerce rules independently. For every scenario:
 * what the plan runs, the simulator accepts, and a re-plan finds nothing left to do; what the
 * plan blocks, the simulator refuses when forced; and every hint, applied to the YAML, plans
 * without a blocked step.
 */

/** Rules only the planner enforces (the simulator keeps no record of seat assignments). */
const PLANNER_ONLY = new Set(["assigned-seats"]);

function bySubscription(steps: readonly PlanStep[]): PlanStep[][] {
  const groups = new Map<string, PlanStep[]>();
  for (const s of steps) groups.set(s.subscription, [...(groups.get(s.subscription) ?? []), s]);
  return [...groups.values()];
}

describe("plan × simulator", () => {
  let tenants: Tenant[] = [];
  const open = async (...args: Parameters<typeof Tenant.of>): Promise<Tenant> => {
    const t = await Tenant.of(...args);
    tenants.push(t);
    return t;
  };
  afterEach(() => {
    tenants.forEach((t) => t.close());
    tenants = [];
  });

  const rows = SCENARIOS.map((s) => [s.name, s] as const);

  it.each(rows)("%s: the simulator accepts the planned steps and a re-plan is empty", async (_name, scenario) => {
    const tenant = await open(stateOf(scenario));
    const desired = desiredOf(yamlOf(scenario.policy ?? "block", scenario.entries));
    const planned = await tenant.plan(scenario.tweak ? scenario.tweak(desired) : desired, scenario.planAt);
    for (const steps of bySubscription(planned.steps)) {
      const outcomes = await applySubscription(steps, tenant.backend, { customerId: TENANT });
      const ran = outcomes.filter((o) => o.status !== "blocked");
      expect(ran.map((o) => [o.step.action, o.status, o.status === "failed" ? o.message : ""])).toEqual(ran.map((o) => [o.step.action, "done", ""]));
    }
    const replanned = await tenant.plan(scenario.tweak ? scenario.tweak(desired) : desired, scenario.planAt);
    expect(shape(replanned)).toEqual(scenario.replan ?? shape(planned).filter(([, , timing]) => timing === "blocked"));
  });

  it.each(rows)("%s: the simulator refuses every blocked call when forced", async (_name, scenario) => {
    const tenant = await open(stateOf(scenario));
    const desired = desiredOf(yamlOf(scenario.policy ?? "block", scenario.entries));
    const planned = await tenant.plan(scenario.tweak ? scenario.tweak(desired) : desired, scenario.planAt);
    const forced = planned.steps.filter((s) => s.timing === "blocked" && s.call !== undefined && !PLANNER_ONLY.has(s.rule));
    for (const step of forced) {
      const [outcome] = await applySubscription([{ ...step, timing: "now" }], tenant.backend, { customerId: TENANT });
      expect([step.rule, outcome?.status, outcome?.status === "failed" && outcome.code !== "verification"]).toEqual([step.rule, "failed", true]);
    }
  });

  const withHints = rows.filter(([, s]) => s.expect.some(([, , timing]) => timing === "blocked"));

  it.each(withHints)("%s: the hints, applied to the YAML, plan without a blocked step", async (_name, scenario) => {
    const tenant = await open(stateOf(scenario));
    const desired = desiredOf(yamlOf(scenario.policy ?? "block", scenario.entries));
    const planned = await tenant.plan(scenario.tweak ? scenario.tweak(desired) : desired, scenario.planAt);
    let entries = scenario.entries;
    for (const step of planned.steps.filter((s) => s.timing === "blocked")) {
      // The hint is the fix spelled out, so applying the fix is applying the hint.
      expect(step.hint?.startsWith(`${describeEdits(step.fix ?? [])} `)).toBe(true);
      entries = applyFix(entries, step.subscription, step.fix ?? []);
    }
    // Fixed YAML must pass validation as it is (no tweak: the fix replaces what a tweak forced).
    const fixed = await (await open(stateOf(scenario))).plan(desiredOf(yamlOf(scenario.policy ?? "block", entries)));
    expect(fixed.steps.filter((s) => s.timing === "blocked").map((s) => `${s.subscription} ${s.rule}: ${s.reason}`)).toEqual([]);
  });
});
