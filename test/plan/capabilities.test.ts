import { afterEach, describe, expect, it } from "vitest";
import { CLOUDCOCKPIT_CAPABILITIES } from "../../provider/client/cloudcockpit/backend";
import { observe } from "../../provider/observe";
import { plan } from "../../provider/plan";
import { SCENARIOS } from "./scenarios";
import { NOW, scenarioDesired, stateOf, Tenant, type Scenario } from "./fixtures";

/**
 * What a backend cannot do downgrades the plan by name (blocked, the reason naming the backend),
 * never a call that throws: CloudCockpit's capabilities over the same tenant as the scenarios.
 */

let tenant: Tenant | undefined;
afterEach(() => {
  tenant?.close();
  tenant = undefined;
});

function row(name: string): Scenario {
  const s = SCENARIOS.find((x) => x.name === name);
  if (s === undefined) throw new Error(`no scenario "${name}"`);
  return s;
}

async function planAsCloudCockpit(scenario: Scenario) {
  tenant = await Tenant.of(stateOf(scenario));
  const desired = scenarioDesired(scenario);
  return plan(desired, await observe(desired, tenant.backend), { now: new Date(scenario.now ?? NOW), backend: "cloudcockpit", capabilities: CLOUDCOCKPIT_CAPABILITIES });
}

describe("capability downgrades of the 2026 rules", () => {
  it("a mid-term term change is blocked naming the backend, the hint moving it to renewal", async () => {
    const planned = await planAsCloudCockpit(row("a longer term mid-term starts now"));
    expect(planned.steps.map((s) => [s.subscription, s.action, s.timing])).toEqual([["monthly", "change-term", "blocked"]]);
    expect(planned.steps[0]?.reason).toContain("the cloudcockpit backend cannot change the term or billing frequency mid-term (P1M/monthly → P1Y/monthly)");
    expect(planned.steps[0]?.fix).toEqual(expect.arrayContaining([{ path: "term", value: "P1M" }, { path: "renewal.term", value: "P1Y" }]));
  });

  it("a cancel at term end that EST would follow is blocked naming the backend; the hint keeps it with auto-renew off", async () => {
    const planned = await planAsCloudCockpit(row("cancelling after the window becomes cancel-at-term-end with policy defer"));
    expect(planned.steps.map((s) => [s.subscription, s.action, s.timing])).toEqual([["apps", "cancel-at-term-end", "blocked"]]);
    expect(planned.steps[0]?.reason).toContain("the cloudcockpit backend cannot schedule the explicit cancellation at term end");
    expect(planned.steps[0]?.reason).toContain("moves into the extended service term");
    expect(planned.steps[0]?.fix).toEqual([
      { path: "status", value: "active" },
      { path: "autoRenew", value: false },
    ]);
  });
});
