import { createHash } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { CliIO } from "../../provider/cli/io";
import { main } from "../../provider/cli/main";
import { SimulatorService } from "../../provider/simulator/service";
import { customer, OTHER_SUB, state, startTestSimulator, subPath, subscription, tempDir, type TestSimulator, writeState } from "./helpers";

/**
 * Reads never write (design §6): renewals and expiries due at the simulated clock show on every
 * read but reach the state file only with the next write. So `plan` and `export` leave the file
 * byte for byte as it was (the Pulumi preview is checked in test/pulumi/stack.test.ts).
 */

/**
 * Clock a month past the end of a monthly term (renews) and of a term cancelled at its end
 * (expires: since 2026-05-04 auto-renew off alone would move it into the extended service term).
 */
const NOW = "2026-07-15T10:00:00Z";
const DUE = state(NOW, [
  customer([
    subscription({ term: "P1M", billing: "monthly", start: "2026-05-01T10:00:00Z", end: "2026-05-31T00:00:00Z", quantity: 5 }),
    { ...subscription({ id: OTHER_SUB, start: "2025-06-01T10:00:00Z", end: "2026-05-31T00:00:00Z", autoRenewEnabled: false, friendlyName: "ending" }), cancelAtTermEnd: true },
  ]),
]);

const hash = (path: string): string => createHash("sha256").update(readFileSync(path)).digest("hex");

function io(cwd: string, env: Record<string, string>): CliIO & { out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return { stdout: (t) => out.push(t), stderr: (t) => err.push(t), env, cwd, isTTY: false, out, err };
}

let sim: TestSimulator | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

describe("reads never write", () => {
  it("a read over HTTP shows the renewal and the expiry due at the clock; the file keeps its bytes", async () => {
    sim = await startTestSimulator(DUE);
    const before = hash(sim.statePath);
    const list = await sim.call<{ items: Record<string, unknown>[] }>("GET", "/v1/customers/" + DUE.customers[0]!.id + "/subscriptions");
    expect(list.body.items.map((s) => [s["effectiveStartDate"], s["status"]])).toEqual([
      ["2026-07-01T00:00:00Z", "active"],
      ["2025-06-01T10:00:00Z", "expired"],
    ]);
    await sim.call("GET", subPath());
    await sim.call("GET", `/v1/customers/${DUE.customers[0]!.id}/subscribedskus`);
    expect(hash(sim.statePath)).toBe(before);
  });

  it("the next write persists the renewal the reads showed, with the etag they showed", async () => {
    sim = await startTestSimulator(DUE);
    const read = (await sim.call("GET", subPath())).body;
    const patched = await sim.call("PATCH", subPath(), { ...read, friendlyName: "renamed" });
    expect(patched.status).toBe(200);
    const stored = JSON.parse(readFileSync(sim.statePath, "utf8")) as typeof DUE;
    expect(stored.customers[0]!.subscriptions.map((s) => [s.effectiveStartDate, s.status])).toEqual([
      ["2026-07-01T00:00:00Z", "active"],
      ["2025-06-01T10:00:00Z", "expired"],
    ]);
  });

  it("the embedded service answers reads of every customer without writing (one service, many reads)", async () => {
    const path = join(tempDir(), "state.json");
    writeState(path, DUE);
    const before = hash(path);
    const service = await SimulatorService.open({ statePath: path, createIfMissing: false, rateLimitPerMinute: 0 });
    for (let i = 0; i < 3; i++) {
      const answer = await service.handle({ method: "GET", path: `/v1/customers/${DUE.customers[0]!.id}/subscriptions` });
      expect(answer.status).toBe(200);
    }
    expect(hash(path)).toBe(before);
  });

  it("seatplan plan and seatplan export leave the state file byte-identical", async () => {
    const dir = tempDir();
    const path = join(dir, "state.json");
    writeState(path, DUE);
    writeFileSync(
      join(dir, "licences.yaml"),
      [
        "version: 1",
        "customers:",
        "  contoso:",
        `    tenantId: ${DUE.customers[0]!.id}`,
        "    subscriptions:",
        "      basic:",
        `        id: ${DUE.customers[0]!.subscriptions[0]!.id}`,
        "        offer: CFQ7TTC0LH18:0001",
        "        term: P1M",
        "        billing: monthly",
        "        quantity: 6",
        "",
      ].join("\n"),
    );
    const before = hash(path);
    const env = { SEATPLAN_SIMULATOR_STATE: path };
    const planned = io(dir, env);
    const code = await main(["node", "seatplan", "plan", "licences.yaml"], planned);
    expect([code, planned.err.join("")]).toEqual([0, ""]);
    expect(planned.out.join("")).toContain("basic");
    expect(hash(path)).toBe(before);
    const exported = io(dir, env);
    expect(await main(["node", "seatplan", "export"], exported), exported.err.join("")).toBe(0);
    // The subscription whose term ended with auto-renew off shows as expired, so export leaves it out.
    expect(exported.out.join("")).toContain("fixture:");
    expect(exported.out.join("")).not.toContain("ending");
    expect(hash(path)).toBe(before);
  });
});
