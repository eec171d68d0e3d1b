// The provider as it is stored in the Pulumi state: serialized the way `dynamic.Resource` does it
// (in a fresh process, with a secret in the stack config and in the environment), then revived
// from that text in another process the way the provider host revives it, and made to buy.
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sdkDir } from "../harness/sdk";
import { type SerializedProvider, serializeProvider } from "../harness/serialize";
import { DEMO_ENTRIES, DEMO_NOW, FAKE_SECRET, inputs, NORTHWIND, openSimulator, REPO, requireFreshBuild, tempDir, userProject, writeDemoState } from "./support";

// What cmd/dynamic-provider does with `__provider` (requireFromString, then configure), then one create.
const REVIVE = `
const fs = require("fs");
const { createRequire } = require("module");
const [sdkDir, textFile, inputsJson, configJson] = process.argv.slice(1);
const requireFromString = createRequire(sdkDir + "/package.json")("require-from-string");
const config = JSON.parse(configJson);
(async () => {
  const provider = requireFromString(fs.readFileSync(textFile, "utf8")).handler();
  await provider.configure({ config: { get: (k) => config[k], require: (k) => config[k] } });
  const created = await provider.create(JSON.parse(inputsJson));
  process.stdout.write("\\n" + JSON.stringify(created));
})().catch((e) => {
  process.stderr.write(e.message);
  process.exit(1);
});
`;

describe("the serialized provider", () => {
  const dir = tempDir("serialize");
  const textFile = path.join(dir, "provider.js");
  let serialized: SerializedProvider;

  beforeAll(async () => {
    requireFreshBuild();
    serialized = await serializeProvider({
      module: path.join(REPO, "dist", "provider", "pulumi", "index.js"),
      exportName: "subscriptionProvider",
      // A real `pulumi up` has the secret config, and maybe credentials, in the program's process.
      env: {
        PULUMI_CONFIG: JSON.stringify({ "seatplan:clientSecret": FAKE_SECRET }),
        PULUMI_CONFIG_SECRET_KEYS: JSON.stringify(["seatplan:clientSecret"]),
        SEATPLAN_CLIENT_SECRET: FAKE_SECRET,
        SEATPLAN_ACCESS_TOKEN: FAKE_SECRET,
      },
    });
    fs.writeFileSync(textFile, serialized.text);
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("holds no secret, no path of this machine, and stays small", () => {
    expect(serialized.containsSecrets).toBe(false);
    expect(serialized.text).not.toContain(FAKE_SECRET);
    // State written on one machine is used on another (CI): nothing may point into this checkout.
    expect(serialized.text).not.toContain(REPO);
    // About 4.5 KB today: the shim and nothing else. A module captured by value would be far larger.
    expect(serialized.text.length).toBeLessThan(8_000);
  });

  it("captures no module, Map or class of seatplan: it requires seatplan/pulumi in the host", () => {
    expect(serialized.text).toContain('fromProject("seatplan/pulumi")');
    expect(serialized.text).not.toMatch(/\bnew Map\b|__importStar|require\("\.{1,2}\//);
  });

  it("revived in a fresh process of a project that depends on seatplan, it buys with the stack config", async () => {
    const project = userProject(path.join(dir, "project"));
    const statePath = writeDemoState(path.join(dir, "simulator.json"));
    const news = inputs(DEMO_ENTRIES.entraIdP1, { key: "northwind", tenantId: NORTHWIND });
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ["-e", REVIVE, sdkDir, textFile, JSON.stringify({ ...news, __provider: serialized.text }), JSON.stringify({ "seatplan:simulatorState": statePath })],
      { cwd: project, env: { ...process.env, SEATPLAN_NOW: DEMO_NOW, SEATPLAN_SIMULATOR_STATE: "" } },
    );
    const created = JSON.parse(stdout.slice(stdout.lastIndexOf("\n") + 1)) as { id: string; outs: Record<string, unknown> };
    expect(created.outs).toMatchObject({ subscriptionId: created.id, subscriptionKey: "entra-id-p1", quantity: 5, status: "active" });
    const bought = (await (await openSimulator(statePath)).listSubscriptions(NORTHWIND)).filter((s) => s.friendlyName === "entra-id-p1");
    expect(bought.map((s) => s.id)).toEqual([created.id]);
  });

  it("in a directory where seatplan is not installed, it says what to install", async () => {
    const elsewhere = tempDir("bare");
    try {
      const news = inputs(DEMO_ENTRIES.entraIdP1, { key: "northwind", tenantId: NORTHWIND });
      const failed = await promisify(execFile)(process.execPath, ["-e", REVIVE, sdkDir, textFile, JSON.stringify({ ...news, __provider: serialized.text }), "{}"], {
        cwd: elsewhere,
        env: { ...process.env, NODE_PATH: "" },
      }).catch((e: unknown) => e as { stderr: string; code: number });
      expect(failed).toMatchObject({
        code: 1,
        stderr: `seatplan: the Pulumi provider cannot load seatplan/pulumi from ${elsewhere} (Cannot find module 'seatplan/pulumi'); install seatplan in the Pulumi project (npm install seatplan) and run pulumi from that directory`,
      });
    } finally {
      fs.rmSync(elsewhere, { recursive: true, force: true });
    }
  });
});
