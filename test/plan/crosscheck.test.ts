import { afterAll, afterEach, describe, expect, it } from "vitest";
import { applySubscription } from "../../provider/apply";
import type { PlanStep } from "../../provider/domain/types";
import { describeEdits } from "../../provider/rules/steps";
import { applyFix, desiredOf, scenarioDesired, shape, stateOf, Tenant, TENANT, yamlOf } from "./fixtures";
import { SCENARIOS } from "./scenarios";

/**
 * The planner and the simulator enforce the commerce rules independently. For every scenario:
 * what the plan runs, the simulator accepts, and a re-plan finds nothing left to do; what the
 * plan blocks, the simulator refuses when forced; and every hint, applied to the YAML, plans
 * without a blocked step.
 */

/** Rules only the planner enforces (the simulator keeps no record of seat assignments). */
const PLANNER_ONLY = new Set(["assigned-seats", "business-seat-cap"]);

/** Scenario, plan total, billing change: printed once, for the report. */
const MONEY: [string, number, number][] = [];
afterAll(() => {
  if (MONEY.length === 0) return;
  const moved = MONEY.filter(([, p]) => p !== 0).length;
  console.info(`money cross-check: ${MONEY.length} scenarios, ${moved} with a cost change, sum of plan deltas ${MONEY.reduce((n, [, p]) => n + p, 0).toFixed(2)}, sum of billing changes ${MONEY.reduce((n, [, , b]) => n + b, 0).toFixed(2)}`);
});

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
    const desired = desiredOf(yamlOf(scenario.policy ?? "block", scenario.entries, scenario.businessSeatCap));
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
    const desired = desiredOf(yamlOf(scenario.policy ?? "block", scenario.entries, scenario.businessSeatCap));
    const planned = await tenant.plan(scenario.tweak ? scenario.tweak(desired) : desired, scenario.planAt);
    const forced = planned.steps.filter((s) => s.timing === "blocked" && s.call !== undefined && !PLANNER_ONLY.has(s.rule));
    for (const step of forced) {
      const [outcome] = await applySubscription([{ ...step, timing: "now" }], tenant.backend, { customerId: TENANT });
      expect([step.rule, outcome?.status, outcome?.status === "failed" && outcome.code !== "verification"]).toEqual([step.rule, "failed", true]);
    }
  });

  it.each(rows)("%s: the simulator's billing changes by the plan's cost deltas", async (_name, scenario) => {
    const applied = await open(stateOf(scenario));
    const control = await open(stateOf(scenario));
    const desired = scenarioDesired(scenario);
    const planned = await applied.plan(desired, scenario.planAt);
    const ran = planned.steps.filter((s) => s.timing !== "blocked");
    for (const steps of bySubscription(ran)) {
      const outcomes = await applySubscription(steps, applied.backend, { customerId: TENANT });
      expect(outcomes.map((o) => o.status)).toEqual(steps.map(() => "done"));
    }
    // Past every effectiveAt (renewals, extended service terms, expiries happen in both tenants).
    const last = Math.max(Date.parse(await applied.backend.now()), ...ran.map((s) => Date.parse(s.effectiveAt ?? planned.now)));
    const at = new Date(last + 3_600_000).toISOString();
    await applied.advanceTo(at);
    await control.advanceTo(at);
    const billed = Math.round(((await applied.billing()) - (await control.billing())) * 100) / 100;
    // Every step that changes what is billed carries its price: no saving Microsoft does not give, no missing cost.
    const planned$ = Math.round(ran.reduce((sum, s) => sum + (s.cost?.annualDelta ?? 0), 0) * 100) / 100;
    expect(Math.abs(billed - planned$)).toBeLessThanOrEqual(0.01 * Math.max(1, ran.length));
    MONEY.push([scenario.name, planned$, billed]);
  });

  const withHints = rows.filter(([, s]) => s.expect.some(([, , timing]) => timing === "blocked"));

  it.each(withHints)("%s: the hints, applied to the YAML, plan without a blocked step", async (_name, scenario) => {
    const tenant = await open(stateOf(scenario));
    const desired = desiredOf(yamlOf(scenario.policy ?? "block", scenario.entries, scenario.businessSeatCap));
    const planned = await tenant.plan(scenario.tweak ? scenario.tweak(desired) : desired, scenario.planAt);
    let entries = scenario.entries;
    for (const step of planned.steps.filter((s) => s.timing === "blocked")) {
      // The hint is the fix spelled out, so applying the fix is applying the hint.
      expect(step.hint?.startsWith(`${describeEdits(step.fix ?? [])} `)).toBe(true);
      entries = applyFix(entries, step.subscription, step.fix ?? []);
    }
    // Fixed YAML must pass validation as it is (no tweak: the fix replaces what a tweak forced).
    const fixed = await (await open(stateOf(scenario))).plan(desiredOf(yamlOf(scenario.policy ?? "block", entries, scenario.businessSeatCap)));
    expect(fixed.steps.filter((s) => s.timing === "blocked").map((s) => `${s.subscription} ${s.rule}: ${s.reason}`)).toEqual([]);
    // No warning of the fixed plan asks to undo what a hint set (e.g. "set autoRenew: true" after a hint set it false).
    const contradictions = planned.steps
      .filter((s) => s.timing === "blocked")
      .flatMap((s) =>
        (s.fix ?? []).flatMap((edit) =>
          fixed.warnings
            .filter((w) => w.subscription === s.subscription)
            .filter((w) => edit.value !== null && new RegExp(`set ${edit.path.replace(".", "\\.")}: (?!${String(edit.value)}\\b)\\S+`).test(w.message))
            .map((w) => `${s.subscription}: hint set ${edit.path}: ${String(edit.value)}, warning ${w.code} says "${w.message}"`),
        ),
      );
    expect(contradictions).toEqual([]);
  });
});
