import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildCli, runCli } from "../cli/spawn";
import { demoState } from "../../provider/simulator/demo";
import { NOW } from "./fixtures";

/**
 * What an offline plan keeps resident. A plan of 10,000 subscriptions peaked over 200 MB partly
 * because the CLI loaded the network stack (axios, ~20 MB) and MSAL (~14 MB) at start, though the
 * embedded simulator uses neither: they load with the first network transport or credential.
 */

const PRELOAD = `process.on("exit", () => {
  const packages = new Set();
  for (const file of Object.keys(require.cache)) {
    const m = /node_modules[\\\\/]((?:@[^\\\\/]+[\\\\/])?[^\\\\/]+)/.exec(file);
    if (m) packages.add(m[1].replace(/\\\\/g, "/"));
  }
  process.stderr.write("loaded-packages=" + JSON.stringify([...packages].sort()) + "\\n");
});
`;

const YAML = `version: 1
customers:
  rockit:
    tenantId: ee2337af-1fb7-44c8-b0ef-e6bf5b59baed
    subscriptions:
      apps-for-business:
        id: ec4accce-b04f-4b8d-dc23-629b6d8e630b
        offer: CFQ7TTC0LH1G:0001
        term: P1Y
        billing: annual
        quantity: 4
`;

describe("an offline plan's footprint", () => {
  let built: string;
  let dir: string;
  beforeAll(() => {
    built = buildCli();
    dir = mkdtempSync(join(tmpdir(), "seatplan-footprint-"));
    writeFileSync(join(dir, "preload.js"), PRELOAD);
    writeFileSync(join(dir, "sim.json"), JSON.stringify(demoState(Date.parse(NOW))));
    writeFileSync(join(dir, "licences.yaml"), YAML);
  });
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
    rmSync(built, { recursive: true, force: true });
  });

  it("plans on the embedded simulator without loading the network stack or MSAL", { timeout: 120_000 }, async () => {
    const done = await runCli(built, ["plan", "licences.yaml", "--format", "json"], {
      cwd: dir,
      nodeArgs: ["--require", join(dir, "preload.js")],
      env: { SEATPLAN_BACKEND: "simulator", SEATPLAN_SIMULATOR_STATE: "sim.json", SEATPLAN_NOW: NOW },
    });
    expect(done.code, done.stderr).toBe(0);
    expect(JSON.parse(done.stdout)).toMatchObject({ backend: "simulator" });
    const loaded = JSON.parse(/loaded-packages=(.*)/.exec(done.stderr)?.[1] ?? "null") as string[];
    expect(loaded).toContain("yaml");
    expect(loaded).not.toContain("axios");
    expect(loaded).not.toContain("@azure/msal-node");
  });
});
