import { it } from "vitest";
import { scenarioDesired, shape, stateOf, Tenant } from "./fixtures";
import { SCENARIOS } from "./scenarios";
it("dump", async () => {
  const only = process.env["ROWS"]?.split("|") ?? [];
  for (const s of SCENARIOS) {
    if (only.length && !only.some((o) => s.name.includes(o))) continue;
    const t = await Tenant.of(stateOf(s));
    const p = await t.plan(scenarioDesired(s), s.planAt);
    console.log(JSON.stringify({ name: s.name, shape: shape(p), warnings: p.warnings.map((w) => w.code), costs: p.steps.map((x) => x.cost?.annualDelta ?? null), reasons: p.steps.map((x) => x.reason), wmsg: p.warnings.map((w) => w.message) }));
    t.close();
  }
}, 120000);
