import { resolve } from "node:path";
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

export async function openBackend(io: CliIO): Promise<Backend> {
  const name = io.env["SEATPLAN_BACKEND"] || DEFAULT_BACKEND;
  const factory = Object.hasOwn(BACKEND_FACTORIES, name) ? BACKEND_FACTORIES[name] : undefined;
  if (factory === undefined) {
    throw new ConfigError(`SEATPLAN_BACKEND=${name} is not a backend seatplan knows: use ${Object.keys(BACKEND_FACTORIES).join(" or ")}`);
  }
  return factory(io);
}
