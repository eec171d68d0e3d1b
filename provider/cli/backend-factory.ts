import type { Command } from "commander";
import type { Backend } from "../backends/backend";
import { BACKEND_FACTORIES, DEFAULT_BACKEND, DEFAULT_SIMULATOR_STATE, openBackend as openConfigured } from "../config/backends";
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
