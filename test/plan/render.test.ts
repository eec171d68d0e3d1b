import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Plan } from "../../provider/domain/types";
import { renderJson, renderMarkdown, renderText } from "../../provider/plan";
import { describeChange, namedOffer, type RenderOptions } from "../../provider/plan/render";
import { demoState } from "../../provider/simulator/demo";
import { desiredOf, NOW, Tenant } from "./fixtures";

/** One rich plan (every timing class, a blocked step, warnings, an unmanaged subscription) in the three renderings. */
describe("plan renderers", () => {
  let tenant: Tenant;
  let plan: Plan;
  let names: RenderOptions;
  beforeAll(async () => {
    tenant = await Tenant.of(demoState(Date.parse(NOW)));
    const desired = desiredOf(readFileSync(join(__dirname, "golden", "rich.yaml"), "utf8"));
    plan = await tenant.plan(desired);
    const catalog = await tenant.backend.getCatalog();
    names = {
      offerNames: Object.fromEntries(catalog.offers.map((o) => [o.offer, o.name])),
      customerNames: Object.fromEntries(desired.customers.flatMap((c) => (c.name === undefined ? [] : [[c.key, c.name]]))),
      entryOffers: Object.fromEntries(desired.customers.flatMap((c) => c.subscriptions.map((e) => [`${c.key}/${e.key}`, e.offer]))),
    };
  });
  afterAll(() => tenant.close());

  it("covers every timing class, warnings and unmanaged subscriptions", () => {
    expect(new Set(plan.steps.map((s) => s.timing))).toEqual(new Set(["now", "at-renewal", "irreversible", "blocked"]));
    expect(plan.warnings.length).toBeGreaterThan(0);
    expect(plan.unmanaged.length).toBeGreaterThan(0);
  });

  it("renders text for a terminal, product names beside the ids", async () => {
    await expect(renderText(plan, names)).toMatchFileSnapshot("golden/plan.txt");
  });

  it.each([80, 60, 120])("fits text into %i columns: notes, reasons and hints wrap onto their own lines", (width) => {
    const lines = renderText(plan, { ...names, width }).trimEnd().split("\n");
    expect(lines.filter((l) => [...l].length > width)).toEqual([]);
    // Nothing is lost to the wrapping: every hint word is still there.
    const hint = plan.steps.find((s) => s.hint !== null)?.hint ?? "";
    const flat = lines.join(" ").replace(/\s+/g, " ");
    for (const word of hint.split(" ")) expect(flat).toContain(word);
  });

  it("renders markdown for a pull-request comment, headed by the customers' names", async () => {
    const md = renderMarkdown(plan, names);
    expect(md).toContain("### Northwind Traders (northwind)");
    await expect(md).toMatchFileSnapshot("golden/plan.md");
  });

  it("totals the yearly cost per customer and overall, without the blocked steps", () => {
    const priced = plan.steps.filter((s) => s.timing !== "blocked" && s.cost !== null);
    const sum = (xs: typeof priced): number => Math.round(xs.reduce((n, s) => n + (s.cost?.annualDelta ?? 0), 0) * 100) / 100;
    expect(plan.summary.cost).toEqual({
      currency: "EUR",
      annualDelta: sum(priced),
      unpriced: 0,
      customers: {
        northwind: { annualDelta: sum(priced.filter((s) => s.customer === "northwind")), unpriced: 0 },
        rockit: { annualDelta: sum(priced.filter((s) => s.customer === "rockit")), unpriced: 0 },
      },
    });
    expect(plan.summary.cost.annualDelta).toBe(871.92);
    expect(renderText(plan)).toContain("Cost: +871.92 EUR a year (northwind +1062.72, rockit −190.80); blocked steps not");
    expect(renderMarkdown(plan, names)).toContain("**Cost:** +871.92 EUR a year (Northwind Traders +1062.72, Rockit −190.80); blocked steps not counted");
  });

  it("renders design §4 JSON", async () => {
    await expect(renderJson(plan)).toMatchFileSnapshot("golden/plan.json");
  });

  it("prints exactly the keys of design §4, in its order, and none of the executor's internals", () => {
    const json = JSON.parse(renderJson(plan)) as Record<string, unknown> & { steps: Record<string, unknown>[]; summary: object };
    expect(Object.keys(json)).toEqual(["version", "now", "backend", "summary", "steps", "unmanaged", "warnings"]);
    expect(Object.keys(json.summary)).toEqual(["now", "atRenewal", "irreversible", "blocked", "unchanged", "unmanaged", "cost"]);
    expect(Object.keys((json.summary as { cost: object }).cost)).toEqual(["currency", "annualDelta", "unpriced", "customers"]);
    for (const step of json.steps) {
      expect(Object.keys(step)).toEqual(["customer", "subscription", "subscriptionId", "action", "timing", "from", "to", "effectiveAt", "deadline", "rule", "reason", "hint", "cost"]);
    }
  });

  it("shows a renewal that lowers the seats as a change from what renews today, not only the new count", () => {
    const step = plan.steps.find((s) => s.subscription === "teams-essentials" && s.action === "schedule-renewal");
    expect(step === undefined ? null : describeChange(step)).toBe("4 × CFQ7TTC0JN4R:0002 P1M/monthly → 2 × CFQ7TTC0JN4R:0002 P1M/monthly");
  });

  it("names the product once when a renewal keeps its offer", () => {
    const step = plan.steps.find((s) => s.subscription === "teams-essentials" && s.action === "schedule-renewal");
    expect(step === undefined ? null : describeChange(step, namedOffer(names.offerNames))).toBe("Microsoft Teams Essentials [CFQ7TTC0JN4R:0002]: 4 → 2 seats, P1M/monthly");
  });

  it("colours text only when asked", () => {
    expect(renderText(plan)).not.toContain("\u001b[");
    expect(renderText(plan, { color: true })).toContain("\u001b[31m");
  });
});
