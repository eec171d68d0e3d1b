import { afterEach, describe, expect, it } from "vitest";
import { purchase, SUBSCRIPTION_RULES, subscriptionStatus } from "../../provider/rules";
import { APPS, entryOf, EXCHANGE, FRESH, LOTS, scenarioDesired, shape, stateOf, Tenant } from "./fixtures";
import { SCENARIOS } from "./scenarios";

const RULE_IDS = [...SUBSCRIPTION_RULES.map((r) => r.id), purchase.id, subscriptionStatus.id, "identity"];

describe("plan: the rule table", () => {
  let tenant: Tenant | undefined;
  afterEach(() => tenant?.close());
  /** Rules seen in a step or warning of some row (the rows run in order, before the coverage check). */
  const seen = new Set<string>();

  it("has at least 40 rows", () => {
    expect(SCENARIOS.length).toBeGreaterThanOrEqual(40);
  });

  it.each(SCENARIOS.map((s) => [s.name, s] as const))("%s", async (_name, scenario) => {
    tenant = await Tenant.of(stateOf(scenario));
    const p = await tenant.plan(scenarioDesired(scenario), scenario.planAt);
    expect(shape(p)).toEqual(scenario.expect);
    expect(p.warnings.map((w) => w.code)).toEqual(scenario.warnings ?? []);
    p.steps.forEach((s) => seen.add(s.rule));
    p.warnings.forEach((w) => seen.add(w.code));
  });

  it("lists live subscriptions no entry matches as unmanaged, not the ones that were cancelled or expired", async () => {
    const live = [APPS, { ...FRESH, status: "expired" }, { ...LOTS, status: "deleted" }, { ...EXCHANGE, status: "suspended" }];
    tenant = await Tenant.of(stateOf({ name: "", live, entries: {}, expect: [] }));
    const p = await tenant.plan(scenarioDesired({ name: "", live, entries: { other: { ...entryOf(APPS), friendlyName: "other" } }, expect: [] }));
    expect(p.unmanaged.map((u) => [u.friendlyName, u.status])).toEqual([
      ["apps", "active"],
      ["exchange", "suspended"],
    ]);
  });

  it("covers every rule", () => {
    expect(RULE_IDS.filter((id) => !seen.has(id))).toEqual([]);
  });

  it("gives every rule a unique id and a one-line rationale", () => {
    const rules = [...SUBSCRIPTION_RULES, purchase, subscriptionStatus];
    expect(new Set(rules.map((r) => r.id)).size).toBe(rules.length);
    for (const r of rules) expect(r.rationale).toMatch(/^[A-Z][^\n]{20,160}[.]$/);
  });
});
