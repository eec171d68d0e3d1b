import { existsSync } from "node:fs";
import { isAbsolute, relative, resolve } from "node:path";
import type { Command } from "commander";
import type { Backend } from "../backends/backend";
import { createPartnerCenterBackend } from "../backends/partner-center/config";
import { SimulatorBackend } from "../backends/simulator";
import { ConfigError } from "../domain/errors";
import { DEFAULT_SIMULATOR_STATE } from "./commands/simulator";
import type { CliIO } from "./io";

/** Opens one backend from the command's environment (credentials are read here, never earlier). */
export type BackendFactory = (io: CliIO) => Promise<Backend>;

/**
 * The backends `SEATPLAN_BACKEND` may name (design §5). Adding a backend is one entry here.
 */
export const BACKEND_FACTORIES: Readonly<Record<string, BackendFactory>> = {
  /** The embedded simulator on `SEATPLAN_SIMULATOR_STATE`, created with the demo tenant when missing. */
  simulator: (io) =>
    SimulatorBackend.open({ statePath: resolve(io.cwd, io.env["SEATPLAN_SIMULATOR_STATE"] || DEFAULT_SIMULATOR_STATE) }),
  /** Partner Center's REST API: `SEATPLAN_ENDPOINT`, `SEATPLAN_AUTHORITY` and the credential variables (design §5). */
  "partner-center": (io) => Promise.resolve(createPartnerCenterBackend(io.env)),
};

/** The default backend: offline, no credentials. */
export const DEFAULT_BACKEND = "simulator";

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
  const name = io.env["SEATPLAN_BACKEND"] || DEFAULT_BACKEND;
  const factory = Object.hasOwn(BACKEND_FACTORIES, name) ? BACKEND_FACTORIES[name] : undefined;
  if (factory === undefined) {
    throw new ConfigError(`SEATPLAN_BACKEND=${name} is not a backend seatplan knows: use ${Object.keys(BACKEND_FACTORIES).join(" or ")}`);
  }
  return factory(io);
}

/**
 * The simulator state file `plan` and `export` would read — as the user can find it (relative to
 * the working directory when inside it) — or null for another backend. They refuse a file that
 * does not exist: a mistyped path must not plan against a fresh demo tenant. Only the demo and
 * `seatplan simulator` create one.
 */
export function existingSimulatorState(io: CliIO, flags: BackendFlags = {}): string | null {
  const name = flags.backend ?? (io.env["SEATPLAN_BACKEND"] || DEFAULT_BACKEND);
  if (name !== "simulator") return null;
  const given = flags.state ?? (io.env["SEATPLAN_SIMULATOR_STATE"] || DEFAULT_SIMULATOR_STATE);
  const path = resolve(io.cwd, given);
  const shown = relative(io.cwd, path);
  const readable = shown !== "" && !shown.startsWith("..") && !isAbsolute(shown) ? shown : path;
  if (!existsSync(path)) {
    throw new ConfigError(
      `the simulator state file ${readable} does not exist (from ${flags.state !== undefined ? "--state" : io.env["SEATPLAN_SIMULATOR_STATE"] ? "SEATPLAN_SIMULATOR_STATE" : "the default"}): ` +
        `check the path, or create a demo tenant there with \`seatplan simulator --state ${given}\` (or \`npm run demo\` in the seatplan repository, which uses .seatplan/demo.json)`,
    );
  }
  return readable;
}
