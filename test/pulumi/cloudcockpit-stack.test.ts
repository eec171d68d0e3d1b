// Acceptance 2 of the CloudCockpit backend: the quickstart program as Pulumi runs it (the SDK's
// program runner and the real provider host, played by test/harness) with
// SEATPLAN_BACKEND=cloudcockpit against the simulator's `/cloudcockpit` facade over HTTP. One
// stack walks through its life; each `it` starts where the previous one left it.
import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import YAML from "yaml";
import type { CliIO } from "../../provider/cli/io";
import { main } from "../../provider/cli/main";
import type { Plan } from "../../provider/domain/types";
import { ccSubscriptionId } from "../../provider/simulator/cloudcockpit/facade";
import { DEMO_SUBSCRIPTIONS } from "../../provider/simulator/demo";
import { startSimulatorServer, type SimulatorServer } from "../../provider/simulator/server";
import type { SimState } from "../../provider/simulator/state";
import { Harness, type OperationResult } from "../harness/engine";
import { DEMO_NOW, NORTHWIND, requireFreshBuild, tempDir, userProject, writeDemoState } from "./support";

const GIVEN_TOKEN = "fake-access-token-cc-5e1f0a";
const names = (result: OperationResult, op?: string): string[] =>
  result.steps.filter((s) => op === undefined || s.op === op).map((s) => `${s.op} ${s.urn.split("::").pop() ?? ""}`).sort();

beforeAll(() => requireFreshBuild());

describe("the quickstart stack on the cloudcockpit backend", () => {
  const dir = tempDir("cc-stack");
  const project = userProject(path.join(dir, "project"));
  const simulatorPath = writeDemoState(path.join(dir, "simulator.json"));
  let sim: SimulatorServer;
  let h: Harness;
  let env: Record<string, string>;

  beforeAll(async () => {
    sim = await startSimulatorServer({ statePath: simulatorPath, port: 0, rateLimitPerMinute: 0 });
    env = {
      SEATPLAN_BACKEND: "cloudcockpit",
      SEATPLAN_ENDPOINT: `${sim.url}/cloudcockpit`,
      SEATPLAN_CLOUDCOCKPIT_TENANT: "portal.example",
      SEATPLAN_ACCESS_TOKEN: GIVEN_TOKEN,
      SEATPLAN_NOW: DEMO_NOW,
    };
    h = await Harness.start({ projectDir: project, stack: "dev", statePath: path.join(dir, "stack.json"), env });
  });
  afterAll(async () => {
    await h.close();
    await sim.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const state = (): SimState => JSON.parse(fs.readFileSync(simulatorPath, "utf8")) as SimState;
  const sub = (id: string) => state().customers.flatMap((c) => c.subscriptions).find((s) => s.id === id);

  it("up of the quickstart as it is stops at the renewal seat count CloudCockpit cannot schedule, naming the backend and the fix", async () => {
    const result = await h.up();
    expect(result.errors.map((e) => e.urn.split("::").pop())).toEqual(["rockit/teams-essentials"]);
    expect(result.errors[0]?.message).toContain("the cloudcockpit backend cannot schedule a seat count for the renewal");
    expect(result.errors[0]?.message).toContain("remove renewal");
    // Nothing was called for that entry: its seats and renewal are as they were.
    expect(sub(DEMO_SUBSCRIPTIONS.teamsEssentials)?.quantity).toBe(4);
  });

  it("with the plan's hint applied, up converges: every timing class through CloudCockpit, the purchase made once", async () => {
    const file = path.join(project, "licences.yaml");
    const doc = YAML.parse(fs.readFileSync(file, "utf8")) as { customers: Record<string, { subscriptions: Record<string, Record<string, unknown>> }> };
    delete doc.customers["rockit"]?.subscriptions["teams-essentials"]?.["renewal"];
    fs.writeFileSync(file, YAML.stringify(doc));
    const result = await h.up();
    expect(result.errors).toEqual([]);
    expect(sub(DEMO_SUBSCRIPTIONS.appsForBusiness)?.quantity).toBe(4);
    expect(sub(DEMO_SUBSCRIPTIONS.businessBasic)?.quantity).toBe(4);
    expect(sub(DEMO_SUBSCRIPTIONS.exchangePlan1)?.quantity).toBe(0);
    const northwind = state().customers.find((c) => c.id === NORTHWIND)?.subscriptions ?? [];
    expect(northwind.filter((s) => s.friendlyName === "entra-id-p1").map((s) => s.quantity)).toEqual([5]);
    expect(northwind.filter((s) => s.offerId.startsWith("CFQ7TTC0LH1P:0001")).map((s) => s.quantity)).toEqual([10]);
    // Resources carry CloudCockpit's ids; the adopted one keeps Partner Center's beside it.
    const apps = h.state().resources.find((r) => r.urn.endsWith("rockit/apps-for-business"));
    expect(apps?.id).toBe(ccSubscriptionId(DEMO_SUBSCRIPTIONS.appsForBusiness));
    expect((apps?.outputs as { providerSubscriptionId?: string } | undefined)?.providerSubscriptionId).toBe(DEMO_SUBSCRIPTIONS.appsForBusiness);
  });

  it("a second up changes nothing, refresh sees no drift, and seatplan plan over CloudCockpit is empty", async () => {
    const before = fs.readFileSync(simulatorPath, "utf8");
    const again = await h.up();
    expect(again.errors).toEqual([]);
    expect(names(again).filter((n) => !n.startsWith("same "))).toEqual([]);
    expect(fs.readFileSync(simulatorPath, "utf8")).toBe(before);
    const refreshed = await h.refresh();
    expect(refreshed.errors).toEqual([]);
    expect(refreshed.steps.filter((s) => s.drift !== undefined && s.drift !== "none")).toEqual([]);
    const afterRefresh = await h.up();
    expect(names(afterRefresh).filter((n) => !n.startsWith("same "))).toEqual([]);

    const out: string[] = [];
    const io: CliIO = { stdout: (t) => out.push(t), stderr: (t) => out.push(t), env, cwd: project, isTTY: false };
    expect(await main(["node", "seatplan", "plan", "licences.yaml", "--format", "json"], io)).toBe(0);
    const replan = JSON.parse(out.join("")) as Plan;
    expect([replan.backend, replan.steps]).toEqual(["cloudcockpit", []]);
    expect(replan.summary).toMatchObject({ now: 0, atRenewal: 0, irreversible: 0, blocked: 0, unchanged: 7 });
  });

  it("preview refuses a renewal seat count again, without calling CloudCockpit", async () => {
    const file = path.join(project, "licences.yaml");
    const doc = YAML.parse(fs.readFileSync(file, "utf8")) as { customers: Record<string, { subscriptions: Record<string, Record<string, unknown>> }> };
    const teams = doc.customers["rockit"]?.subscriptions["teams-essentials"];
    if (teams) teams["renewal"] = { quantity: 2 };
    fs.writeFileSync(file, YAML.stringify(doc));
    const calls = (await fetch(`${sim.url}/_sim/requests`).then((r) => r.json())) as unknown[];
    const result = await h.preview();
    expect(result.errors.map((e) => e.urn.split("::").pop())).toEqual(["rockit/teams-essentials"]);
    expect(result.errors[0]?.message).toContain("the cloudcockpit backend cannot schedule a seat count for the renewal");
    expect(((await fetch(`${sim.url}/_sim/requests`).then((r) => r.json())) as unknown[]).length).toBe(calls.length);
  });
});
