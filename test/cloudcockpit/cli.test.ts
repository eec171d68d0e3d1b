import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { CliIO } from "../../provider/cli/io";
import { main } from "../../provider/cli/main";
import type { Plan, PlanStep } from "../../provider/domain/types";
import { ccSubscriptionId } from "../../provider/simulator/cloudcockpit/facade";
import { demoState } from "../../provider/simulator/demo";
import { PORTAL, SIM_NOW, startCcHarness, type CcHarness } from "./harness";

/**
 * Acceptance 1: `seatplan plan` of the quickstart with SEATPLAN_BACKEND=cloudcockpit against the
 * simulator's `/cloudcockpit` facade equals the partner-center plan on the same simulator, except
 * for the documented downgrades, each explained in the plan.
 */

const QUICKSTART = join(__dirname, "..", "..", "examples", "quickstart", "licences.yaml");
const GIVEN_TOKEN = "fake-access-token-3b9e1d4c";

let h: CcHarness | undefined;
let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "seatplan-cc-cli-"));
});
afterEach(async () => {
  await h?.close();
  h = undefined;
  rmSync(dir, { recursive: true, force: true });
});

async function run(env: Record<string, string>, ...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIO = { stdout: (t) => out.push(t), stderr: (t) => err.push(t), env, cwd: dir, isTTY: false };
  const code = await main(["node", "seatplan", ...argv], io);
  return { code, out: out.join(""), err: err.join("") };
}

describe("seatplan with SEATPLAN_BACKEND=cloudcockpit", () => {
  it("plans the quickstart as Partner Center does, but for the downgrades it explains", async () => {
    const state = demoState(SIM_NOW);
    h = await startCcHarness({ state });
    const cc = { SEATPLAN_BACKEND: "cloudcockpit", SEATPLAN_ENDPOINT: `${h.sim.url}/cloudcockpit`, SEATPLAN_CLOUDCOCKPIT_TENANT: PORTAL, SEATPLAN_ACCESS_TOKEN: GIVEN_TOKEN };
    const pc = { SEATPLAN_BACKEND: "partner-center", SEATPLAN_ENDPOINT: h.sim.url, SEATPLAN_ACCESS_TOKEN: GIVEN_TOKEN };
    const mine = await run(cc, "plan", QUICKSTART, "--format", "json");
    const theirs = await run(pc, "plan", QUICKSTART, "--format", "json");
    // Exit 1: the renewal seat count CloudCockpit cannot schedule is a blocked step.
    expect([mine.code, mine.err, theirs.code, theirs.err]).toEqual([1, "", 0, ""]);
    const ids = new Map(state.customers.flatMap((c) => c.subscriptions.map((s) => [ccSubscriptionId(s.id), s.id] as const)));
    const a = JSON.parse(mine.out.replace(/[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}/g, (id) => ids.get(id) ?? id)) as Plan;
    const b = JSON.parse(theirs.out) as Plan;
    expect([a.backend, b.backend, a.now]).toEqual(["cloudcockpit", "partner-center", b.now]);
    expect(a.unmanaged).toEqual(b.unmanaged);

    const key = (s: PlanStep): string => `${s.customer}/${s.subscription} ${s.action}`;
    const theirsByKey = new Map(b.steps.map((s) => [key(s), s]));
    const differing = a.steps.filter((s) => JSON.stringify(s) !== JSON.stringify(theirsByKey.get(key(s))));
    // The two documented downgrades, each explained by naming the backend.
    expect(differing.map((s) => [key(s), s.timing, s.reason])).toEqual([
      ["rockit/business-basic decrease-quantity", "now", expect.stringContaining("judged on cancellationAllowedUntil only: the cloudcockpit backend reports no seat batches") as unknown],
      ["rockit/teams-essentials schedule-renewal", "blocked", expect.stringContaining("the cloudcockpit backend cannot schedule a seat count for the renewal") as unknown],
    ]);
    // Apart from the note, the reduction is Partner Center's step; every other step is the same.
    const reduction = differing[0];
    expect({ ...reduction, reason: null }).toEqual({ ...theirsByKey.get("rockit/business-basic decrease-quantity"), reason: null });
    expect(a.steps.length).toBe(b.steps.length);
    // CloudCockpit reports licence usage without app+user consent: the usage warnings go away.
    expect(b.warnings.filter((w) => w.code !== "usage-unknown")).toEqual(a.warnings);

    const text = await run(cc, "plan", QUICKSTART);
    expect(text.out).toContain("seatplan plan against cloudcockpit");
    expect(text.out).toContain("hint:   remove renewal to renew with the seats it has");
  });

  it("says what is missing before any call", async () => {
    const missing = await run({ SEATPLAN_BACKEND: "cloudcockpit", SEATPLAN_ACCESS_TOKEN: GIVEN_TOKEN }, "plan", QUICKSTART);
    expect(missing.code).toBe(1);
    expect(missing.err).toContain("SEATPLAN_CLOUDCOCKPIT_TENANT is not set");
    const noCredentials = await run({ SEATPLAN_BACKEND: "cloudcockpit", SEATPLAN_CLOUDCOCKPIT_TENANT: PORTAL, SEATPLAN_CLIENT_ID: "x" }, "plan", QUICKSTART);
    expect(noCredentials.err).toContain("SEATPLAN_CLIENT_SECRET is not set, needed for the cloudcockpit backend");
    const plainHttp = await run({ SEATPLAN_BACKEND: "cloudcockpit", SEATPLAN_CLOUDCOCKPIT_TENANT: PORTAL, SEATPLAN_ACCESS_TOKEN: GIVEN_TOKEN, SEATPLAN_ENDPOINT: "http://api.cloudcockpit.com" }, "plan", QUICKSTART);
    expect(plainHttp.err).toContain("SEATPLAN_ENDPOINT must use https");
    expect([missing.err, noCredentials.err, plainHttp.err].join("")).not.toContain(GIVEN_TOKEN);
  });
});
