import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { applySubscription } from "../../provider/apply";
import { demo } from "../../provider/cli/demo";
import type { CliIO } from "../../provider/cli/io";
import type { PlanStep } from "../../provider/domain/types";
import { demoState } from "../../provider/simulator/demo";
import { desiredOf, NOW, Tenant } from "./fixtures";

const EXAMPLES = join(__dirname, "..", "..", "examples", "quickstart");

describe("the demo and the quickstart", () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "seatplan-demo-"));
    mkdirSync(join(dir, "examples"));
    cpSync(EXAMPLES, join(dir, "examples", "quickstart"), { recursive: true });
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("npm run demo plans the quickstart with every timing class but blocked, then the what-if with blocked steps", async () => {
    const out: string[] = [];
    const io: CliIO = { stdout: (t) => out.push(t), stderr: (t) => out.push(t), env: { SEATPLAN_NOW: "2020-01-01T00:00:00Z" }, cwd: dir, isTTY: false };
    expect(await demo(io)).toBe(0);
    const [quickstart = "", whatIf = ""] = out.join("").split("# seatplan plan examples/quickstart/what-if.yaml");
    expect(quickstart).toMatch(/Summary: [1-9]\d* now, [1-9]\d* at renewal, [1-9]\d* irreversible, 0 blocked/);
    expect(quickstart).toMatch(/Cost: [+−]\d+\.\d\d EUR a year/);
    expect(whatIf).toMatch(/Summary: .* [1-9]\d* blocked/);
  });

  it("the quickstart applies cleanly to the demo tenant and then plans nothing (what pulumi up does)", async () => {
    const tenant = await Tenant.of(demoState(Date.parse(NOW)));
    try {
      const desired = desiredOf(readFileSync(join(EXAMPLES, "licences.yaml"), "utf8"));
      const planned = await tenant.plan(desired);
      const tenants = new Map(desired.customers.map((c) => [c.key, c.tenantId]));
      const groups = new Map<string, PlanStep[]>();
      for (const s of planned.steps) groups.set(`${s.customer}/${s.subscription}`, [...(groups.get(`${s.customer}/${s.subscription}`) ?? []), s]);
      for (const steps of groups.values()) {
        const outcomes = await applySubscription(steps, tenant.backend, { customerId: tenants.get(steps[0]?.customer ?? "") ?? "" });
        expect(outcomes.map((o) => o.status)).toEqual(steps.map(() => "done"));
      }
      expect((await tenant.plan(desired)).steps).toEqual([]);
    } finally {
      tenant.close();
    }
  });
});
