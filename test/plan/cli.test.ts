import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { BACKEND_FACTORIES } from "../../provider/config/backends";
import type { CliIO } from "../../provider/cli/io";
import { main } from "../../provider/cli/main";
import { parseDesired } from "../../provider/desired";
import { demoState } from "../../provider/simulator/demo";
import { NOW } from "./fixtures";

/** `seatplan plan` and `seatplan export` through `main`, with injected streams and environment. */

const ROCKIT = "ee2337af-1fb7-44c8-b0ef-e6bf5b59baed";

function yaml(subscriptions: string, tenant = ROCKIT): string {
  return `version: 1\ncustomers:\n  rockit:\n    tenantId: ${tenant}\n    subscriptions:\n${subscriptions}`;
}
const APPS = (quantity: number): string =>
  `      apps-for-business:\n        id: ec4accce-b04f-4b8d-dc23-629b6d8e630b\n        offer: CFQ7TTC0LH1G:0001\n        term: P1Y\n        billing: annual\n        quantity: ${quantity}\n`;

describe("seatplan plan / export", () => {
  let dir: string;
  let out: string[];
  let err: string[];
  let env: Record<string, string | undefined>;
  const io = (): CliIO => ({ stdout: (t) => out.push(t), stderr: (t) => err.push(t), env, cwd: dir, isTTY: false });
  const run = (...argv: string[]): Promise<number> => main(["node", "seatplan", ...argv], io());
  const state = (): string => join(dir, "sim.json");
  const write = (name: string, text: string): string => {
    writeFileSync(join(dir, name), text);
    return name;
  };

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "seatplan-cli-"));
    out = [];
    err = [];
    env = { SEATPLAN_SIMULATOR_STATE: "sim.json" };
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));
  const demo = (): void => writeFileSync(state(), JSON.stringify(demoState(Date.parse(NOW))));

  it("exits 1 on invalid YAML before any backend call", async () => {
    const file = write("bad.yaml", yaml(APPS(0)));
    expect(await run("plan", file)).toBe(1);
    expect(err.join("")).toContain("bad.yaml is invalid (1 problem); nothing was planned");
    expect(existsSync(state())).toBe(false);
  });

  it("exits 1 on an unknown --customer or a bad --now before any backend call", async () => {
    const file = write("l.yaml", yaml(APPS(3)));
    expect(await run("plan", file, "--customer", "nope")).toBe(1);
    expect(await run("plan", file, "--now", "yesterday")).toBe(1);
    expect(err).toEqual([
      "seatplan: --customer nope is not a customer of l.yaml: use one of rockit\n",
      'seatplan: --now must be an ISO 8601 instant such as 2026-11-23T10:00:00Z (got "yesterday")\n',
    ]);
    expect(existsSync(state())).toBe(false);
  });

  it("exits 1 for a backend it does not know", async () => {
    const file = write("l.yaml", yaml(APPS(3)));
    env["SEATPLAN_BACKEND"] = "teams-portal";
    expect(await run("plan", file)).toBe(1);
    // Other backends register themselves in the factory; the message lists whatever is there.
    const known = Object.keys(BACKEND_FACTORIES);
    expect(known).toContain("simulator");
    expect(err).toEqual([`seatplan: SEATPLAN_BACKEND=teams-portal is not a backend seatplan knows: use ${known.join(" or ")}\n`]);
  });

  it("takes the backend and its state file from flags over the environment", async () => {
    const file = write("l.yaml", yaml(APPS(3)));
    env["SEATPLAN_BACKEND"] = "teams-portal";
    writeFileSync(join(dir, "flag.json"), JSON.stringify(demoState(Date.parse(NOW))));
    expect(await run("plan", file, "--backend", "simulator", "--state", "flag.json", "--format", "json")).toBe(0);
    expect(existsSync(state())).toBe(false);
    expect((JSON.parse(out.join("")) as { backend: string }).backend).toBe("simulator");
    out = [];
    expect(await run("export", "--backend", "simulator", "--state", "flag.json", "--customer", "rockit")).toBe(0);
    expect(parseDesired(out.join(""), "stdout").state?.customers.map((c) => c.key)).toEqual(["rockit"]);
    expect(existsSync(state())).toBe(false);
  });

  it("exits 0 for changes, and 2 with --detailed-exitcode", async () => {
    demo();
    const file = write("l.yaml", yaml(APPS(4)));
    expect(await run("plan", file)).toBe(0);
    expect(await run("plan", file, "--detailed-exitcode")).toBe(2);
    expect(out.join("")).toContain("increase-quantity");
  });

  it("exits 0 with --detailed-exitcode when there is nothing to do", async () => {
    demo();
    expect(await run("plan", write("l.yaml", yaml(APPS(3))), "--detailed-exitcode")).toBe(0);
    expect(out.join("")).toContain("No changes: the tenant matches the YAML.");
  });

  it("exits 1 on a blocked step and still prints the whole plan", async () => {
    demo();
    const basic = "      business-basic:\n        offer: CFQ7TTC0LH18:0001\n        term: P1Y\n        billing: monthly\n        quantity: 4\n";
    expect(await run("plan", write("l.yaml", yaml(APPS(2) + basic)), "--format", "json")).toBe(1);
    const printed = JSON.parse(out.join("")) as { steps: { action: string; timing: string }[] };
    expect(printed.steps.map((s) => [s.action, s.timing])).toEqual([
      ["decrease-quantity", "blocked"],
      ["decrease-quantity", "now"],
    ]);
  });

  it("exits 1 when the backend fails, naming the customer", async () => {
    demo();
    expect(await run("plan", write("l.yaml", yaml(APPS(3), "00000000-0000-4000-8000-000000000000")))).toBe(1);
    expect(err.join("")).toMatch(/^seatplan: customer rockit \(tenant 00000000-0000-4000-8000-000000000000\): simulator: 403 20002 /);
  });

  it.each([
    ["--now", { now: "2026-11-24T08:00:00Z", env: "2026-11-25T08:00:00Z" }, "2026-11-24T08:00:00.000Z"],
    ["SEATPLAN_NOW", { env: "2026-11-25T08:00:00Z" }, "2026-11-25T08:00:00.000Z"],
    ["the simulator's clock", {}, NOW],
  ] as const)("plans at %s when it is the first of --now, SEATPLAN_NOW, the backend clock", async (_what, given: { now?: string; env?: string }, expected) => {
    demo();
    if (given.env !== undefined) env["SEATPLAN_NOW"] = given.env;
    const args = ["plan", write("l.yaml", yaml(APPS(3))), "--format", "json", ...(given.now ? ["--now", given.now] : [])];
    expect(await run(...args)).toBe(0);
    expect((JSON.parse(out.join("")) as { now: string }).now).toBe(expected);
  });

  it("refuses a missing simulator state file with the command that creates one (a mistyped path must not plan against a fresh demo tenant)", async () => {
    expect(await run("plan", write("l.yaml", yaml(APPS(3))))).toBe(1);
    expect(await run("export", "--customer", "rockit")).toBe(1);
    expect(existsSync(state())).toBe(false);
    const message =
      "seatplan: the simulator state file sim.json does not exist (from SEATPLAN_SIMULATOR_STATE): check the path, or create a demo tenant there with `seatplan demo --state sim.json`\n";
    expect(err).toEqual([message, message]);
    expect(out).toEqual([]);
  });

  it("names the backend and the simulator's state file in every plan header", async () => {
    demo();
    expect(await run("plan", write("l.yaml", yaml(APPS(3))), "--format", "markdown")).toBe(0);
    expect(out.join("")).toMatch(/^\*\*seatplan plan\*\* against `simulator` \(state file sim\.json\) at /);
    out = [];
    expect(await run("plan", "l.yaml")).toBe(0);
    // Text fits 80 columns: a long header continues on an indented line.
    expect(out.join("").replace(/\n {2}(?=\S)/g, " ")).toMatch(/^seatplan plan against simulator \(state file sim\.json\) at /);
  });

  it("export --out refuses to replace a file without --force, and names a missing folder", async () => {
    demo();
    write("tenant.yaml", "# mine\n");
    expect(await run("export", "--out", "tenant.yaml")).toBe(1);
    expect(readFileSync(join(dir, "tenant.yaml"), "utf8")).toBe("# mine\n");
    expect(await run("export", "--out", "missing/tenant.yaml")).toBe(1);
    expect(err).toEqual([
      "seatplan: tenant.yaml already exists: add --force to replace it, or choose another --out\n",
      "seatplan: cannot write missing/tenant.yaml: the folder missing does not exist; create it first (mkdir -p missing) or choose another --out\n",
    ]);
    expect(await run("export", "--out", "tenant.yaml", "--force")).toBe(0);
    expect(readFileSync(join(dir, "tenant.yaml"), "utf8")).toContain("# Written by `seatplan export`");
  });

  it("a blank SEATPLAN_ENDPOINT is an error, not the real Partner Center", async () => {
    env = { SEATPLAN_BACKEND: "partner-center", SEATPLAN_ENDPOINT: "", SEATPLAN_ACCESS_TOKEN: "fake-access-token-blank1" };
    expect(await run("plan", write("l.yaml", yaml(APPS(3))))).toBe(1);
    expect(err).toEqual([
      "seatplan: SEATPLAN_ENDPOINT is set but empty: set it to the simulator's URL (printed by `seatplan simulator`), or unset it to use https://api.partnercenter.microsoft.com\n",
    ]);
  });

  it("a directory or a missing file given as the YAML is a sentence with the fix", async () => {
    expect(await run("validate", ".")).toBe(1);
    expect(await run("plan", "nope.yaml")).toBe(1);
    expect(err).toEqual([`seatplan: . is a directory: name the YAML file inside it, e.g. ./licences.yaml\n`, `seatplan: nope.yaml does not exist: check the path (relative to ${dir})\n`]);
  });

  it("exports YAML that validates and plans to no changes", async () => {
    demo();
    expect(await run("export", "--out", "tenant.yaml")).toBe(0);
    const text = readFileSync(join(dir, "tenant.yaml"), "utf8");
    const parsed = parseDesired(text, "tenant.yaml");
    expect(parsed.issues).toEqual([]);
    expect(parsed.state?.customers.map((c) => [c.key, c.subscriptions.length])).toEqual([
      ["northwind-traders", 3],
      ["rockit", 4],
    ]);
    out = [];
    expect(await run("plan", "tenant.yaml", "--format", "json", "--detailed-exitcode")).toBe(0);
    const plan = JSON.parse(out.join("")) as { steps: unknown[]; summary: { unchanged: number; unmanaged: number } };
    expect([plan.steps, plan.summary.unchanged, plan.summary.unmanaged]).toEqual([[], 7, 0]);
  });

  it("exports live subscriptions that share a name (adopted by id) as YAML that validates and plans to no changes", async () => {
    const tenant = demoState(Date.parse(NOW));
    const rockit = tenant.customers.find((c) => c.id === ROCKIT);
    for (const s of rockit?.subscriptions ?? []) s.friendlyName = "Office seats";
    writeFileSync(state(), JSON.stringify(tenant));
    expect(await run("export", "--customer", "rockit", "--out", "tenant.yaml")).toBe(0);
    const parsed = parseDesired(readFileSync(join(dir, "tenant.yaml"), "utf8"), "tenant.yaml");
    expect(parsed.issues).toEqual([]);
    expect(parsed.state?.customers[0]?.subscriptions.map((s) => s.friendlyName)).toEqual(Array(4).fill("Office seats"));
    out = [];
    expect(await run("plan", "tenant.yaml", "--format", "json", "--detailed-exitcode")).toBe(0);
    const plan = JSON.parse(out.join("")) as { steps: unknown[]; summary: { unchanged: number } };
    expect([plan.steps, plan.summary.unchanged]).toEqual([[], 4]);
  });

  it("exports one customer to stdout", async () => {
    demo();
    expect(await run("export", "--customer", "rockit")).toBe(0);
    const parsed = parseDesired(out.join(""), "stdout");
    expect(parsed.state?.customers.map((c) => c.key)).toEqual(["rockit"]);
  });
});
