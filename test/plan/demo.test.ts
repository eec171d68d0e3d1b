import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { applySubscription } from "../../provider/apply";
import type { CliIO } from "../../provider/cli/io";
import { main } from "../../provider/cli/main";
import type { PlanStep } from "../../provider/domain/types";
import { demoState } from "../../provider/simulator/demo";
import { desiredOf, NOW, Tenant } from "./fixtures";

const EXAMPLES = join(__dirname, "..", "..", "examples", "quickstart");

/** The arguments `npm run demo` gives the CLI (package.json: `… node bin/seatplan.js ARGS`). */
function npmRunDemoArgs(): string[] {
  const scripts = (JSON.parse(readFileSync(join(__dirname, "..", "..", "package.json"), "utf8")) as { scripts: Record<string, string> }).scripts;
  const [, args = ""] = (scripts["demo"] ?? "").split("node bin/seatplan.js ");
  return args.split(" ");
}

describe("the demo and the quickstart", () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "seatplan-demo-"));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("npm run demo (seatplan demo on .seatplan/demo.json) plans the quickstart with every timing class but blocked, then the what-if with blocked steps, at every run", async () => {
    expect(npmRunDemoArgs()).toEqual(["demo", "--state", ".seatplan/demo.json", "--force"]);
    for (const run of [1, 2]) {
      const out: string[] = [];
      const io: CliIO = { stdout: (t) => out.push(t), stderr: (t) => out.push(t), env: { SEATPLAN_NOW: "2020-01-01T00:00:00Z" }, cwd: dir, isTTY: false };
      expect(await main(["node", "seatplan", ...npmRunDemoArgs()], io), `run ${run}`).toBe(0);
      const text = out.join("");
      // The package's own quickstart, named as the user can find it (here: outside the working directory).
      expect(text.startsWith(`# seatplan plan ${join(EXAMPLES, "licences.yaml")}   (demo tenant: .seatplan/demo.json)\n\n`)).toBe(true);
      const [quickstart = "", whatIf = ""] = text.split(`# seatplan plan ${join(EXAMPLES, "what-if.yaml")}`);
      expect(quickstart).toMatch(/Summary: [1-9]\d* now, [1-9]\d* at renewal, [1-9]\d* irreversible, 0 blocked/);
      expect(quickstart).toMatch(/Cost: [+−]\d+\.\d\d EUR a year/);
      expect(whatIf).toMatch(/Summary: .* [1-9]\d* blocked/);
      expect(text).toContain(`\nTry: SEATPLAN_SIMULATOR_STATE=.seatplan/demo.json npx seatplan plan ${join(EXAMPLES, "licences.yaml")} --format markdown\n`);
    }
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
