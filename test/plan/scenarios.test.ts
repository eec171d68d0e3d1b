import { afterEach, describe, expect, it } from "vitest";
import { scenarioDesired, shape, stateOf, Tenant } from "./fixtures";
import { SCENARIOS } from "./scenarios";

describe("plan: the rule table", () => {
  let tenant: Tenant | undefined;
  afterEach(() => tenant?.close());

  it("has at least 40 rows", () => {
    expect(SCENARIOS.length).toBeGreaterThanOrEqual(40);
  });

  it.each(SCENARIOS.map((s) => [s.name, s] as const))("%s", async (_name, scenario) => {
    tenant = await Tenant.of(stateOf(scenario));
    const p = await tenant.plan(scenarioDesired(scenario));
    expect(shape(p)).toEqual(scenario.expect);
    expect(p.warnings.map((w) => w.code)).toEqual(scenario.warnings ?? []);
  });
});
