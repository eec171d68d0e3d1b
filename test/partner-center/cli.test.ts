import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { CliIO } from "../../provider/cli/io";
import { main } from "../../provider/cli/main";
import { demoState } from "../../provider/simulator/demo";
import type { Plan } from "../../provider/domain/types";
import { SIM_NOW, startSimHarness, type SimHarness } from "./harness";

/**
 * `seatplan plan` / `export` with SEATPLAN_BACKEND=partner-center against the simulator's HTTP
 * facade (acceptance 1 of the issue), through `main` with injected streams and environment.
 */

const QUICKSTART = join(__dirname, "..", "..", "examples", "quickstart", "licences.yaml");
const AT = new Date(SIM_NOW).toISOString();
const GIVEN_TOKEN = "fake-access-token-3b9e1d4c";

let h: SimHarness | undefined;
let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "seatplan-pc-cli-"));
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

/** The simulator without token checking (a given token is accepted as is), and a copy of its state for the embedded backend. */
async function demoTenant(): Promise<{ partnerCenter: Record<string, string>; embedded: Record<string, string> }> {
  const state = demoState(SIM_NOW);
  h = await startSimHarness({ state });
  writeFileSync(join(dir, "embedded.json"), JSON.stringify(state));
  return {
    // No SEATPLAN_NOW: both plan at the simulator's clock (the facade reports it on every response).
    partnerCenter: { SEATPLAN_BACKEND: "partner-center", SEATPLAN_ENDPOINT: h.sim.url, SEATPLAN_ACCESS_TOKEN: GIVEN_TOKEN },
    embedded: { SEATPLAN_SIMULATOR_STATE: "embedded.json" },
  };
}

describe("seatplan with SEATPLAN_BACKEND=partner-center", () => {
  it("plans the quickstart with the embedded backend's steps on the same state", async () => {
    const env = await demoTenant();
    const remote = await run(env.partnerCenter, "plan", QUICKSTART, "--format", "json");
    const local = await run(env.embedded, "plan", QUICKSTART, "--format", "json");
    expect([remote.code, remote.err]).toEqual([0, ""]);
    const [r, l] = [JSON.parse(remote.out) as Plan, JSON.parse(local.out) as Plan];
    expect(r.backend).toBe("partner-center");
    expect([r.now, l.now]).toEqual([AT, AT]);
    expect(r.steps.length).toBeGreaterThan(0);
    expect(r.steps).toEqual(l.steps);
    expect(r.summary).toEqual(l.summary);
    // A given token that is no delegated JWT cannot read licence usage: the plan says so instead of guessing.
    expect(r.warnings.filter((w) => w.code !== "usage-unknown")).toEqual(l.warnings);
    expect(remote.out).not.toContain(GIVEN_TOKEN);
  });

  it("exports the same YAML as the embedded backend", async () => {
    const env = await demoTenant();
    const remote = await run(env.partnerCenter, "export", "--out", "remote.yaml");
    const local = await run(env.embedded, "export", "--out", "local.yaml");
    expect([remote.code, local.code]).toEqual([0, 0]);
    const written = (file: string) => readFileSync(join(dir, file), "utf8").split("\n");
    // The first lines are the editor's $schema line and the header naming the backend.
    const header = written("remote.yaml").findIndex((l) => l.includes("from the partner-center backend"));
    expect(header).toBeGreaterThanOrEqual(0);
    expect(written("remote.yaml").filter((_, i) => i !== header)).toEqual(written("local.yaml").filter((l) => !l.includes("from the simulator backend")));
  });

  it("names the missing credential variable and exits 1 before any call", async () => {
    const result = await run({ SEATPLAN_BACKEND: "partner-center", SEATPLAN_TENANT_ID: "t", SEATPLAN_CLIENT_ID: "c" }, "plan", QUICKSTART);
    expect(result).toEqual({
      code: 1,
      out: "",
      err:
        "seatplan: SEATPLAN_CLIENT_SECRET is not set, needed for the partner-center backend; set SEATPLAN_TENANT_ID, SEATPLAN_CLIENT_ID and SEATPLAN_CLIENT_SECRET (app-only), add SEATPLAN_REFRESH_TOKEN for app+user, or give a bearer token in SEATPLAN_ACCESS_TOKEN\n",
    });
  });

  it("keeps a refused token out of the error it prints", async () => {
    h = await startSimHarness(); // token checking on: a token the simulator did not issue is refused
    const result = await run({ SEATPLAN_BACKEND: "partner-center", SEATPLAN_ENDPOINT: h.sim.url, SEATPLAN_ACCESS_TOKEN: GIVEN_TOKEN, SEATPLAN_NOW: AT }, "plan", QUICKSTART);
    expect(result.code).toBe(1);
    expect(result.err).toMatch(/^seatplan: .*401 Unauthorized The bearer token was not issued by this simulator for its partner application; Partner Center refused the access token; check the credentials \(an access token given in SEATPLAN_ACCESS_TOKEN may have expired\)/);
    expect(result.out + result.err).not.toContain(GIVEN_TOKEN);
  });
});
