import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { buildCli, type Finished, runCli } from "./spawn";

/**
 * `seatplan demo` through the CLI a user runs (issue #9, new-user errors): the one command that
 * creates a simulator state file for `plan` and `export`, never over an existing one without
 * `--force`, with a sentence and the fix for every path it cannot write.
 */

let built: string;
let root: string;
let dir: string;
let n = 0;
beforeAll(() => {
  built = buildCli();
  root = mkdtempSync(join(tmpdir(), "seatplan-demo-cli-"));
}, 120_000);
afterAll(() => {
  rmSync(root, { recursive: true, force: true });
  rmSync(built, { recursive: true, force: true });
});
beforeEach(() => {
  dir = join(root, `case-${++n}`);
  mkdirSync(dir);
});

const run = (args: readonly string[], env: Record<string, string> = {}): Promise<Finished> => runCli(built, args, { cwd: dir, env });
const quickstart = (): string => join(built, "examples", "quickstart", "licences.yaml");
const customersIn = (file: string): string[] => (JSON.parse(readFileSync(join(dir, file), "utf8")) as { customers: { companyName: string }[] }).customers.map((c) => c.companyName);

function expectRefused(result: Finished, message: string): void {
  expect({ code: result.code, stdout: result.stdout, stderr: result.stderr }).toEqual({ code: 1, stdout: "", stderr: `seatplan: ${message}\n` });
}

describe("seatplan demo", () => {
  it("creates the demo tenant in the state file plan reads by default, plans the quickstart, and then `seatplan plan` works on it", async () => {
    const demo = await run(["demo"]);
    expect({ code: demo.code, stderr: demo.stderr }).toEqual({ code: 0, stderr: "" });
    expect(customersIn(".seatplan/simulator.json")).toEqual(["Rockit", "Northwind Traders"]);
    expect(demo.stdout.startsWith(`# seatplan plan ${quickstart()}   (demo tenant: .seatplan/simulator.json)\n\n`)).toBe(true);
    expect(demo.stdout).toMatch(/Summary: [1-9]\d* now, [1-9]\d* at renewal, [1-9]\d* irreversible, 0 blocked/);
    expect(demo.stdout).toMatch(/what-if\.yaml {3}\(changes the rules refuse; exit 1 is expected\)[\s\S]*Summary: .* [1-9]\d* blocked/);
    // The file is the default one: the next commands need no variable.
    expect(demo.stdout).toContain(`\nTry: npx seatplan plan ${quickstart()} --format markdown\n`);

    const plan = await run(["plan", quickstart(), "--format", "json"]);
    expect({ code: plan.code, stderr: plan.stderr }).toEqual({ code: 0, stderr: "" });
    expect((JSON.parse(plan.stdout) as { backend: string; summary: { blocked: number } }).summary.blocked).toBe(0);
  });

  it("creates the file SEATPLAN_SIMULATOR_STATE names, or --state over it", async () => {
    expect((await run(["demo"], { SEATPLAN_SIMULATOR_STATE: "from-env.json" })).code).toBe(0);
    expect(customersIn("from-env.json")).toHaveLength(2);
    const flag = await run(["demo", "--state", "from-flag.json"], { SEATPLAN_SIMULATOR_STATE: "from-env.json", SEATPLAN_BACKEND: "partner-center" });
    expect(flag.code).toBe(0);
    expect(customersIn("from-flag.json")).toHaveLength(2);
    // Not what plan reads under this environment: the next command says so.
    expect(flag.stdout).toContain(`\nTry: SEATPLAN_BACKEND=simulator SEATPLAN_SIMULATOR_STATE=from-flag.json npx seatplan plan ${quickstart()} --format markdown\n`);
    expect((await run(["plan", quickstart(), "--backend", "simulator", "--state", "from-flag.json"])).code).toBe(0);
  });

  it("refuses to replace an existing state file without --force, and replaces it with --force", async () => {
    writeFileSync(join(dir, "mine.json"), '{"my":"tenant"}\n');
    expectRefused(
      await run(["demo", "--state", "mine.json"]),
      "mine.json already exists (a simulated tenant, perhaps with changes you made): add --force to replace it with a fresh demo tenant, or choose another --state",
    );
    expect(readFileSync(join(dir, "mine.json"), "utf8")).toBe('{"my":"tenant"}\n');

    const forced = await run(["demo", "--state", "mine.json", "--force"]);
    expect({ code: forced.code, stderr: forced.stderr }).toEqual({ code: 0, stderr: "" });
    expect(customersIn("mine.json")).toEqual(["Rockit", "Northwind Traders"]);
    // Nothing left beside it: no temp file, no lock.
    expect(readdirSync(dir)).toEqual(["mine.json"]);
  });

  it("refuses a folder, a missing folder and a file in the way with the fix, and writes nothing", async () => {
    mkdirSync(join(dir, "states"));
    expectRefused(await run(["demo", "--state", "states"]), "cannot create the demo tenant in states: it is a folder; name a file inside it, e.g. --state states/simulator.json");
    expectRefused(await run(["demo", "--state", "states", "--force"]), "cannot create the demo tenant in states: it is a folder; name a file inside it, e.g. --state states/simulator.json");
    expectRefused(
      await run(["demo", "--state", "missing/deeper/sim.json"]),
      "cannot create the demo tenant in missing/deeper/sim.json: the folder missing/deeper does not exist; create it first (mkdir -p missing/deeper) or choose another --state",
    );
    writeFileSync(join(dir, "notes.txt"), "x");
    expectRefused(await run(["demo", "--state", "notes.txt/sim.json"]), "cannot create the demo tenant in notes.txt/sim.json: notes.txt is a file, not a folder; choose another --state");
    expect(readdirSync(dir).sort()).toEqual(["notes.txt", "states"]);
    expect(readdirSync(join(dir, "states"))).toEqual([]);
    // Only the default's folder, .seatplan/ in the working directory, is created.
    expect((await run(["demo", "--state", ".seatplan/other.json"])).code).toBe(0);
    expect(statSync(join(dir, ".seatplan", "other.json")).isFile()).toBe(true);
  });

  it("refuses a folder it cannot write in with a sentence, no errno", async () => {
    // A read-only folder stops any user but root; root cannot write in /sys either.
    const locked = join(dir, "locked");
    mkdirSync(locked);
    chmodSync(locked, 0o555);
    const folder = process.getuid?.() === 0 ? "/sys" : locked;
    const shown = folder === locked ? "locked" : "/sys";
    try {
      expectRefused(
        await run(["demo", "--state", `${folder}/seatplan-demo.json`]),
        `cannot create the demo tenant in ${shown}/seatplan-demo.json: the folder ${shown} is not writable (permission denied); choose another --state, or make the folder writable`,
      );
      expect(existsSync(join(folder, "seatplan-demo.json"))).toBe(false);
    } finally {
      chmodSync(locked, 0o755);
    }
  });

  it("is what plan and export name when the state file is missing", async () => {
    writeFileSync(join(dir, "l.yaml"), readFileSync(quickstart(), "utf8"));
    const message = (from: string): string =>
      `the simulator state file sim.json does not exist (from ${from}): check the path, or create a demo tenant there with \`seatplan demo --state sim.json\``;
    expectRefused(await run(["plan", "l.yaml", "--state", "sim.json"]), message("--state"));
    expectRefused(await run(["export"], { SEATPLAN_SIMULATOR_STATE: "sim.json" }), message("SEATPLAN_SIMULATOR_STATE"));
    // The command it names does create it, and then the plan runs.
    expect((await run(["demo", "--state", "sim.json"])).code).toBe(0);
    expect((await run(["plan", "l.yaml", "--state", "sim.json"])).code).toBe(0);
    // A path the shell would split is quoted, so the command can be copied as it is.
    expect((await run(["plan", "l.yaml", "--state", "my sim's.json"])).stderr).toContain("`seatplan demo --state 'my sim'\\''s.json'`");
  });
});
