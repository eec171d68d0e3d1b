import { randomBytes } from "node:crypto";
import { constants, copyFileSync, existsSync, linkSync, mkdirSync, renameSync, rmSync, type Stats, statSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import type { Command } from "commander";
import { DEFAULT_SIMULATOR_STATE, openSimulatorBackend, simulatorStatePath } from "../../config/backends";
import { ConfigError } from "../../domain/errors";
import { terminalText } from "../../domain/escape";
import { pathAsShown, shellWord } from "../backend-factory";
import { type CliIO, EXIT } from "../io";
import { main } from "../main";

export interface DemoOptions {
  readonly state?: string;
  readonly force?: boolean;
}

/**
 * `seatplan demo [--state FILE] [--force]`: a fresh demo tenant (two customers, dated to today,
 * design §6) in the simulator state file `plan` would read, then the quickstart planned against
 * it (every timing class, no blocked step) and the what-if file (blocked steps with their fixes).
 * The one command that creates a state file for `plan` and `export`; it never replaces one
 * without `--force` (a simulated tenant may carry changes). `npm run demo` is
 * `seatplan demo --state .seatplan/demo.json --force`.
 */
export function registerDemo(program: Command, io: CliIO, setExit: (code: number) => void): void {
  program
    .command("demo")
    .description("create a fresh demo tenant in a simulator state file, then plan the quickstart example against it")
    .option("--state <file>", `the state file to create (default SEATPLAN_SIMULATOR_STATE, else ${DEFAULT_SIMULATOR_STATE}: the one plan reads)`)
    .option("--force", "replace the state file if it exists (its simulated tenant and changes are lost)")
    .action(async (options: DemoOptions) => {
      setExit(await runDemo(options, io));
    });
}

/** Exit 0 when the tenant was created, the quickstart plans without a blocked step and the what-if blocks. */
export async function runDemo(options: DemoOptions, io: CliIO): Promise<number> {
  const path = resolve(io.cwd, options.state ?? (io.env["SEATPLAN_SIMULATOR_STATE"] || DEFAULT_SIMULATOR_STATE));
  const shown = pathAsShown(io.cwd, path);
  // Found before anything is written: a demo that cannot plan must not leave a file behind.
  const [quickstart, whatIf] = [quickstartFile("licences.yaml", io.cwd), quickstartFile("what-if.yaml", io.cwd)];
  await createDemoTenant(path, shown, options.force === true, io.cwd);

  // The demo tenant is dated to its creation; a clock override would plan another day.
  const { SEATPLAN_NOW: _ignored, ...env } = io.env;
  const demoIO: CliIO = { ...io, env: { ...env, SEATPLAN_BACKEND: "simulator", SEATPLAN_SIMULATOR_STATE: path } };
  const plan = (file: string): Promise<number> => main(["node", "seatplan", "plan", file], demoIO);
  io.stdout(`# seatplan plan ${terminalText(quickstart)}   (demo tenant: ${terminalText(shown)})\n\n`);
  const planned = await plan(quickstart);
  io.stdout(`\n# seatplan plan ${terminalText(whatIf)}   (changes the rules refuse; exit 1 is expected)\n\n`);
  const refused = await plan(whatIf);

  // What to run next: plain `seatplan plan` when it reads this file already, else with the variable.
  const configured = io.env["SEATPLAN_BACKEND"] === undefined || io.env["SEATPLAN_BACKEND"] === "" || io.env["SEATPLAN_BACKEND"] === "simulator";
  const prefix = [
    ...(configured ? [] : ["SEATPLAN_BACKEND=simulator"]),
    ...(simulatorStatePath(io.env, io.cwd) === path ? [] : [`SEATPLAN_SIMULATOR_STATE=${shellWord(shown)}`]),
  ].map((v) => `${v} `).join("");
  io.stdout(`\nTry: ${terminalText(`${prefix}npx seatplan plan ${shellWord(quickstart)} --format markdown`)}\n`);
  io.stdout(`     ${terminalText(`${prefix}npx seatplan renewals ${shellWord(quickstart)}`)}\n`);
  return planned === EXIT.ok && refused === EXIT.error ? EXIT.ok : EXIT.error;
}

/** A file of the quickstart example shipped with seatplan (`examples/quickstart/` beside `package.json`), as the user can find it. */
function quickstartFile(name: string, cwd: string): string {
  for (let dir = __dirname; dir !== dirname(dir); dir = dirname(dir)) {
    if (existsSync(join(dir, "package.json"))) {
      const file = join(dir, "examples", "quickstart", name);
      if (existsSync(file)) return pathAsShown(cwd, file);
      throw new ConfigError(`this seatplan installation has no ${join("examples", "quickstart", name)} (in ${dir}); reinstall it, or run the demo from the seatplan repository`);
    }
  }
  throw new ConfigError("this seatplan installation has no package.json above its code; reinstall it");
}

/**
 * Writes a fresh demo tenant to `path`. Refused, with the fix, before anything is written: a
 * folder, an existing file without `force`, a missing folder (only `.seatplan/` in the working
 * directory is created). The tenant is made in a temp file beside it by the simulator itself,
 * then linked in (never over a file, one created meanwhile included) or, with `force`, renamed
 * over it (a simulator running on the file sees a new file and reruns its write on it).
 */
async function createDemoTenant(path: string, shown: string, force: boolean, cwd: string): Promise<void> {
  const existing = statOrNull(path);
  if (existing?.isDirectory()) {
    throw new ConfigError(`cannot create the demo tenant in ${shown}: it is a folder; name a file inside it, e.g. --state ${shellWord(join(shown, "simulator.json"))}`);
  }
  if (existing !== null && !force) throw alreadyExists(shown);
  const folder = dirname(path);
  const shownFolder = pathAsShown(cwd, folder);
  let nearest = folder;
  while (statOrNull(nearest) === null && nearest !== dirname(nearest)) nearest = dirname(nearest);
  if (statOrNull(nearest)?.isDirectory() !== true) {
    throw new ConfigError(`cannot create the demo tenant in ${shown}: ${pathAsShown(cwd, nearest)} is a file, not a folder; choose another --state`);
  }
  if (nearest !== folder && folder !== resolve(cwd, ".seatplan")) {
    throw new ConfigError(`cannot create the demo tenant in ${shown}: the folder ${shownFolder} does not exist; create it first (mkdir -p ${shellWord(shownFolder)}) or choose another --state`);
  }
  const temp = join(folder, `.${basename(path)}.demo-${process.pid}-${randomBytes(4).toString("hex")}.tmp`);
  try {
    mkdirSync(folder, { recursive: true });
    await (await openSimulatorBackend({ statePath: temp, rateLimitPerMinute: 0 })).close();
    if (force) renameSync(temp, path);
    else linkIn(temp, path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === undefined) throw e;
    if (code === "EEXIST") throw alreadyExists(shown);
    if (code === "EISDIR") throw new ConfigError(`cannot create the demo tenant in ${shown}: it is a folder; name a file inside it`);
    const why = code === "EACCES" || code === "EPERM" ? "permission denied" : code === "EROFS" ? "a read-only file system" : null;
    if (why !== null) throw new ConfigError(`cannot create the demo tenant in ${shown}: the folder ${pathAsShown(cwd, nearest)} is not writable (${why}); choose another --state, or make the folder writable`);
    if (code === "ENOSPC" || code === "EDQUOT") throw new ConfigError(`cannot create the demo tenant in ${shown}: no space left in ${shownFolder}; free some space or choose another --state`);
    throw new ConfigError(`cannot create the demo tenant in ${shown} (the system said ${code}); choose another --state`);
  } finally {
    rmSync(temp, { force: true });
    rmSync(`${temp}.lock`, { force: true });
  }
}

/** Puts `temp` at `path` unless a file is there (EEXIST); copies exclusively where hard links are not supported. */
function linkIn(temp: string, path: string): void {
  try {
    linkSync(temp, path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code !== "EPERM" && code !== "ENOTSUP" && code !== "EOPNOTSUPP" && code !== "EXDEV" && code !== "EMLINK") throw e;
    copyFileSync(temp, path, constants.COPYFILE_EXCL);
  }
}

function alreadyExists(shown: string): ConfigError {
  return new ConfigError(`${shown} already exists (a simulated tenant, perhaps with changes you made): add --force to replace it with a fresh demo tenant, or choose another --state`);
}

function statOrNull(path: string): Stats | null {
  try {
    return statSync(path);
  } catch {
    return null;
  }
}

