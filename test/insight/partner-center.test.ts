import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { CliIO } from "../../provider/cli/io";
import { main } from "../../provider/cli/main";
import { USAGE_ACCESS } from "../../provider/cli/tenant";
import { DEMO_CUSTOMERS, demoState } from "../../provider/simulator/demo";
import { SIM_NOW, startSimHarness, type SimHarness } from "../partner-center/harness";

/**
 * `usage` and `renewals` over Partner Center's REST API (the simulator's HTTP facade): what they
 * read, and what they say without the app+user access that licence usage needs.
 */

const QUICKSTART = join(__dirname, "..", "..", "examples", "quickstart", "licences.yaml");
/** An unsigned JWT with a delegated scope: the backend treats it as app+user access. */
const DELEGATED = `e30.${Buffer.from(JSON.stringify({ scp: "user_impersonation" })).toString("base64url")}.c2ln`;
const APP_ONLY = "fake-app-only-token-9f2c";

let h: SimHarness;
let dir: string;
beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), "seatplan-insight-pc-"));
  h = await startSimHarness({ state: demoState(SIM_NOW) });
});
afterEach(async () => {
  await h.close();
  rmSync(dir, { recursive: true, force: true });
});

async function run(token: string, ...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const env = { SEATPLAN_BACKEND: "partner-center", SEATPLAN_ENDPOINT: h.sim.url, SEATPLAN_ACCESS_TOKEN: token };
  const io: CliIO = { stdout: (t) => out.push(t), stderr: (t) => err.push(t), env, cwd: dir, isTTY: false };
  const code = await main(["node", "seatplan", ...argv], io);
  return { code, out: out.join(""), err: err.join("") };
}

const customerReads = async (): Promise<string[]> =>
  (await h.requests()).map((r) => `${r.method} ${r.path}`).filter((l) => l.includes("/v1/customers/")).sort();

describe("insight over Partner Center", () => {
  it("usage reads each customer's subscriptions and subscribedskus once", async () => {
    await fetch(`${h.sim.url}/_sim/requests`, { method: "DELETE" });
    const r = await run(DELEGATED, "usage", "--format", "json");
    expect([r.code, r.err]).toEqual([0, ""]);
    expect((JSON.parse(r.out) as { totals: object }).totals).toEqual({ purchased: 57, assigned: 22, unused: 35, unusedAnnualCost: 975.12 });
    expect(await customerReads()).toEqual([
      `GET /v1/customers/${DEMO_CUSTOMERS.northwind}/subscribedskus`,
      `GET /v1/customers/${DEMO_CUSTOMERS.northwind}/subscriptions`,
      `GET /v1/customers/${DEMO_CUSTOMERS.rockit}/subscribedskus`,
      `GET /v1/customers/${DEMO_CUSTOMERS.rockit}/subscriptions`,
    ]);
  });

  it("without app+user access, usage still lists the seats bought and says which credentials give the rest (exit 1)", async () => {
    const r = await run(APP_ONLY, "usage", "--format", "json");
    expect(r.code).toBe(1);
    expect(r.err).toBe(`seatplan: assigned seats unknown: ${USAGE_ACCESS}\n`);
    const json = JSON.parse(r.out) as { access: string; customers: { usageAvailable: boolean; subscriptions: { purchased: number; assigned: null }[] }[]; totals: object };
    expect(json.access).toBe(USAGE_ACCESS);
    expect(json.customers.every((c) => !c.usageAvailable && c.subscriptions.every((s) => s.purchased > 0 && s.assigned === null))).toBe(true);
    expect(json.totals).toEqual({ purchased: 57, assigned: null, unused: null, unusedAnnualCost: null });
    expect(USAGE_ACCESS).toContain("SEATPLAN_REFRESH_TOKEN");
    expect((await run(APP_ONLY, "usage")).out.replace(/\s+/g, " ")).toContain("No usage access: licence usage (Partner Center subscribedskus) needs app+user access");
  });

  it("treats a 403 on subscribedskus as missing access, and --propose then leaves the file alone", async () => {
    await h.fault({ method: "GET", path: "subscribedskus", status: 403, count: 10 });
    writeFileSync(join(dir, "l.yaml"), readFileSync(QUICKSTART, "utf8"));
    const r = await run(DELEGATED, "renewals", "l.yaml", "--propose");
    expect([r.code, r.err]).toEqual([1, `seatplan: --propose needs the seats assigned to users: ${USAGE_ACCESS}\n`]);
    expect(readFileSync(join(dir, "l.yaml"), "utf8")).toBe(readFileSync(QUICKSTART, "utf8"));
    // The radar itself still works: the hints just do not count assigned seats.
    const radar = await run(DELEGATED, "renewals", "l.yaml", "--format", "json");
    expect(radar.code).toBe(0);
    expect((JSON.parse(radar.out) as { entries: unknown[] }).entries.length).toBeGreaterThan(0);
  });
});
