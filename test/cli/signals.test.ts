import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { demoState } from "../../provider/simulator/demo";
import { startScriptServer, type ScriptServer } from "../http/script-server";
import { buildCli, startCli } from "./spawn";

/**
 * Ctrl-C and SIGTERM end any command within a second, leaving no partial state (issue #9,
 * acceptance 3). The lock library's signal handlers used to be loaded by every command, so a
 * signal waited for synchronous work (validating a large file) to end.
 */
const TENANT = "6b9f0d6a-3c1e-4c59-9a0e-2f7c1d8a4b21";

let built: string;
let dir: string;
let server: ScriptServer;
beforeAll(async () => {
  built = buildCli();
  dir = mkdtempSync(join(tmpdir(), "seatplan-signals-"));
  server = await startScriptServer();
}, 120_000);
afterAll(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
  rmSync(built, { recursive: true, force: true });
});

describe("signals", () => {
  it.each(["SIGINT", "SIGTERM"] as const)("%s during long synchronous work (a large YAML being checked) ends plan within 1 s; the state file is untouched", async (signal) => {
    const state = join(dir, `sim-${signal}.json`);
    writeFileSync(state, JSON.stringify(demoState(Date.parse("2026-11-23T10:00:00Z"))));
    const before = readFileSync(state, "utf8");
    // A FIFO: the write below completes when the child has read the whole file, so the signal
    // arrives while the child is busy checking it (seconds of synchronous work).
    const fifo = join(dir, `big-${signal}.yaml`);
    execFileSync("mkfifo", [fifo]);
    const text = `version: 1\ncustomers:\n  rockit:\n    tenantId: ${TENANT}\n    subscriptions:\n${Array.from({ length: 130_000 }, (_, i) => `      s${i}: 1\n`).join("")}`;
    const running = startCli(built, ["plan", fifo], { cwd: dir, env: { SEATPLAN_SIMULATOR_STATE: state } });
    await writeFile(fifo, text);
    running.child.kill(signal);
    const finished = await running.exit(1_000);
    expect({ killed: finished.killed, signal: finished.signal }).toEqual({ killed: false, signal });
    expect(readFileSync(state, "utf8")).toBe(before);
    expect(readdirSync(dir).filter((f) => f.includes(`sim-${signal}`))).toEqual([`sim-${signal}.json`]);
  });

  it("SIGINT while export waits for the API ends it within 1 s, and writes no partial --out file", async () => {
    server.route(() => ({ hang: true }));
    const running = startCli(built, ["export", "--out", "tenant.yaml"], {
      cwd: dir,
      env: { SEATPLAN_BACKEND: "partner-center", SEATPLAN_ENDPOINT: server.url, SEATPLAN_ACCESS_TOKEN: "fake-access-token-signal1" },
    });
    for (let i = 0; i < 200 && server.seen.length === 0; i++) await new Promise((r) => setTimeout(r, 50));
    expect(server.seen.length).toBeGreaterThan(0);
    running.child.kill("SIGINT");
    const finished = await running.exit(1_000);
    expect({ killed: finished.killed, signal: finished.signal }).toEqual({ killed: false, signal: "SIGINT" });
    expect(existsSync(join(dir, "tenant.yaml"))).toBe(false);
    expect(finished.stdout + finished.stderr).not.toContain("fake-access-token-signal1");
  });
});
