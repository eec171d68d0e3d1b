import { existsSync } from "node:fs";
import { isAbsolute, relative, resolve } from "node:path";
import type { Command } from "commander";
import type { Backend } from "../backends/backend";
import { BACKEND_FACTORIES, DEFAULT_BACKEND, DEFAULT_SIMULATOR_STATE, openBackend as openConfigured } from "../config/backends";
import { ConfigError } from "../domain/errors";
import type { CliIO } from "./io";

/**
 * Backend flags of `plan` and `export`. A flag wins over its environment variable (design §2).
 * Credentials have no flags: a secret on a command line shows in process lists and shell history.
 */
export interface BackendFlags {
  /** `--backend`, over `SEATPLAN_BACKEND`. */
  readonly backend?: string;
  /** `--state`, over `SEATPLAN_SIMULATOR_STATE`. */
  readonly state?: string;
  /** `--endpoint`, over `SEATPLAN_ENDPOINT`. */
  readonly endpoint?: string;
}

/** Adds the backend flags to a command. */
export function withBackendOptions(command: Command): Command {
  return command
    .option("--backend <name>", `backend: ${Object.keys(BACKEND_FACTORIES).join(" | ")} (default SEATPLAN_BACKEND, else ${DEFAULT_BACKEND})`)
    .option("--state <file>", `simulator state file (default SEATPLAN_SIMULATOR_STATE, else ${DEFAULT_SIMULATOR_STATE})`)
    .option("--endpoint <url>", "partner-center REST base URL (default SEATPLAN_ENDPOINT, else https://api.partnercenter.microsoft.com)");
}

export async function openBackend(io: CliIO, flags: BackendFlags = {}): Promise<Backend> {
  if (flags.backend !== undefined || flags.state !== undefined || flags.endpoint !== undefined) {
    const env = {
      ...io.env,
      ...(flags.backend !== undefined ? { SEATPLAN_BACKEND: flags.backend } : {}),
      ...(flags.state !== undefined ? { SEATPLAN_SIMULATOR_STATE: flags.state } : {}),
      ...(flags.endpoint !== undefined ? { SEATPLAN_ENDPOINT: flags.endpoint } : {}),
    };
    return openBackend({ ...io, env });
  }
  // Credentials are read here, from the command's environment, never earlier.
  return openConfigured(io.env, io.cwd);
}

/** An absolute path as the user can find it: relative to the working directory when inside it. */
export function pathAsShown(cwd: string, path: string): string {
  const shown = relative(cwd, path);
  return shown !== "" && !shown.startsWith("..") && !isAbsolute(shown) ? shown : path;
}

/** A word a POSIX shell reads back as `text` (quoted only when it must be), for a command to copy. */
export function shellWord(text: string): string {
  return /^[\w@%+=:,./-]+$/.test(text) ? text : `'${text.replace(/'/g, "'\\''")}'`;
}

/**
 * The simulator state file `plan` and `export` would read — as the user can find it (relative to
 * the working directory when inside it) — or null for another backend. They refuse a file that
 * does not exist: a mistyped path must not plan against a fresh demo tenant. `seatplan demo`
 * creates one (and `seatplan simulator` serves a fresh one).
 */
export function existingSimulatorState(io: CliIO, flags: BackendFlags = {}): string | null {
  const name = flags.backend ?? (io.env["SEATPLAN_BACKEND"] || DEFAULT_BACKEND);
  if (name !== "simulator") return null;
  const given = flags.state ?? (io.env["SEATPLAN_SIMULATOR_STATE"] || DEFAULT_SIMULATOR_STATE);
  const readable = pathAsShown(io.cwd, resolve(io.cwd, given));
  if (!existsSync(resolve(io.cwd, given))) {
    throw new ConfigError(
      `the simulator state file ${readable} does not exist (from ${flags.state !== undefined ? "--state" : io.env["SEATPLAN_SIMULATOR_STATE"] ? "SEATPLAN_SIMULATOR_STATE" : "the default"}): ` +
        `check the path, or create a demo tenant there with \`seatplan demo --state ${shellWord(given)}\``,
    );
  }
  return readable;
}
