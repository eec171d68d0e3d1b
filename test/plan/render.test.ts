import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Plan } from "../../provider/domain/types";
import { renderJson, renderMarkdown, renderText } from "../../provider/plan";
import { describeChange } from "../../provider/plan/render";
import { demoState } from "../../provider/simulator/demo";
import { desiredOf, NOW, Tenant } from "./fixtures";

/** One rich plan (every timing class, a blocked step, warnings, an unmanaged subscription) in the three renderings. */
describe("plan renderers", () => {
  let tenant: Tenant;
  let plan: Plan;
  beforeAll(async () => {
    tenant = await Tenant.of(demoState(Date.parse(NOW)));
    plan = await tenant.plan(desiredOf(readFileSync(join(__dirname, "golden", "rich.yaml"), "utf8")));
  });
  afterAll(() => tenant.close());

  it("covers every timing class, warnings and unmanaged subscriptions", () => {
    expect(new Set(plan.steps.map((s) => s.timing))).toEqual(new Set(["now", "at-renewal", "irreversible", "blocked"]));
    expect(plan.warnings.length).toBeGreaterThan(0);
    expect(plan.unmanaged.length).toBeGreaterThan(0);
  });

  it("renders text for a terminal", async () => {
    await expect(renderText(plan)).toMatchFileSnapshot("golden/plan.txt");
  });

  it("renders markdown for a pull-request comment", async () => {
    await expect(renderMarkdown(plan)).toMatchFileSnapshot("golden/plan.md");
  });

  it("renders design §4 JSON", async () => {
    await expect(renderJson(plan)).toMatchFileSnapshot("golden/plan.json");
  });

  it("prints exactly the keys of design §4, in its order, and none of the executor's internals", () => {
    const json = JSON.parse(renderJson(plan)) as Record<string, unknown> & { steps: Record<string, unknown>[]; summary: object };
    expect(Object.keys(json)).toEqual(["version", "now", "backend", "summary", "steps", "unmanaged", "warnings"]);
    expect(Object.keys(json.summary)).toEqual(["now", "atRenewal", "irreversible", "blocked", "unchanged", "unmanaged"]);
    for (const step of json.steps) {
      expect(Object.keys(step)).toEqual(["customer", "subscription", "subscriptionId", "action", "timing", "from", "to", "effectiveAt", "deadline", "rule", "reason", "hint", "cost"]);
    }
  });

  it("shows a renewal that lowers the seats as a change from what renews today, not only the new count", () => {
    const step = plan.steps.find((s) => s.subscription === "teams-essentials" && s.action === "schedule-renewal");
    expect(step === undefined ? null : describeChange(step)).toBe("4 × CFQ7TTC0JN4R:0002 P1M/monthly → 2 × CFQ7TTC0JN4R:0002 P1M/monthly");
  });

  it("colours text only when asked", () => {
    expect(renderText(plan)).not.toContain("\u001b[");
    expect(renderText(plan, { color: true })).toContain("\u001b[31m");
  });
});
