// Acceptance: `pulumi up` of examples/quickstart against `seatplan simulator --async-ms 300` over
// HTTP (the partner-center backend, the one client on its HTTP transport). Writes take effect
// 300 ms of real time after they are accepted — a PATCH answered 202 + Location, a transition
// `Started`, an order `pending` — as Partner Center's do. The up converges, a re-plan is empty,
// and the simulator's request log shows each write once.
import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { planWith } from "../../provider/cli/commands/plan";
import { createPartnerCenterBackend } from "../../provider/config/partner-center";
import { parseDesired } from "../../provider/desired";
import { startSimulatorServer, type SimulatorServer } from "../../provider/simulator/server";
import { Harness } from "../harness/engine";
import { DEMO_NOW, requireFreshBuild, tempDir, userProject, writeDemoState } from "./support";

const ACCESS_TOKEN = "fake-access-token-async-3e1d";

beforeAll(() => requireFreshBuild());

describe("pulumi up of the quickstart over HTTP with --async-ms 300", () => {
  const dir = tempDir("async-http");
  const project = userProject(path.join(dir, "project"));
  const simulatorPath = writeDemoState(path.join(dir, "simulator.json"));
  let sim: SimulatorServer;
  let h: Harness;
  beforeAll(async () => {
    sim = await startSimulatorServer({ statePath: simulatorPath, asyncMs: 300, rateLimitPerMinute: 0 });
    h = await Harness.start({
      projectDir: project,
      stack: "dev",
      statePath: path.join(dir, "stack.json"),
      env: { SEATPLAN_BACKEND: "partner-center", SEATPLAN_ENDPOINT: sim.url, SEATPLAN_ACCESS_TOKEN: ACCESS_TOKEN, SEATPLAN_NOW: DEMO_NOW, SEATPLAN_SIMULATOR_STATE: "" },
    });
  });
  afterAll(async () => {
    await h.close();
    await sim.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("converges, leaves nothing pending, and a re-plan is empty", async () => {
    const up = await h.up();
    expect(up.errors).toEqual([]);
    expect(up.steps.map((s) => s.op)).toEqual(up.steps.map(() => "create"));
    expect(up.steps).toHaveLength(7);
    expect(sim.service.pending()).toEqual([]);

    // The service really answered later: PATCHes were accepted with 202, the purchase's order was pending.
    const log = sim.service.requests();
    expect(log.filter((r) => r.method === "PATCH" && r.status === 202).length).toBeGreaterThan(0);

    // Each write once: every PATCH/POST under its own MS-RequestId, none refused, none repeated.
    const writes = log.filter((r) => (r.method === "PATCH" || r.method === "POST") && r.path.startsWith("/v1/"));
    expect(writes.length).toBeGreaterThan(0);
    expect(writes.filter((r) => r.status >= 300)).toEqual([]);
    expect(new Set(writes.map((r) => r.msRequestId)).size).toBe(writes.length);

    // A re-plan is empty: through the same client over HTTP, and as Pulumi sees it.
    const yaml = fs.readFileSync(path.join(project, "licences.yaml"), "utf8");
    const desired = parseDesired(yaml, "licences.yaml").state;
    if (desired === undefined) throw new Error("the quickstart YAML does not parse");
    const backend = createPartnerCenterBackend({ SEATPLAN_ENDPOINT: sim.url, SEATPLAN_ACCESS_TOKEN: ACCESS_TOKEN });
    try {
      const replan = await planWith(desired, backend, new Date(DEMO_NOW));
      expect(replan.steps.filter((s) => s.timing !== "blocked")).toEqual([]);
    } finally {
      await backend.close();
    }
    const again = await h.up();
    expect(again.errors).toEqual([]);
    expect(again.steps.map((s) => s.op)).toEqual(again.steps.map(() => "same"));
    const writesAfter = sim.service.requests().filter((r) => (r.method === "PATCH" || r.method === "POST") && r.path.startsWith("/v1/"));
    expect(writesAfter).toHaveLength(writes.length);
  });
});
