import { resolve } from "node:path";
import type { Backend, BackendCapabilities } from "../backends/backend";
import { CLOUDCOCKPIT_CAPABILITIES } from "../client/cloudcockpit/backend";
import { PartnerCenterBackend, type PartnerCenterClientOptions } from "../client/partner-center";
import { ConfigError } from "../domain/errors";
import { InProcessTransport } from "../http/in-process-transport";
import { answerApiRequest } from "../simulator/server";
import { type RequestLogEntry, SimulatorService, type SimulatorServiceOptions } from "../simulator/service";
import { type CloudCockpitSettings, createCloudCockpitBackend } from "./cloudcockpit";
import { createPartnerCenterBackend, type PartnerCenterSettings } from "./partner-center";

/**
 * Opening backends from configuration values (design §5), for the CLI and the Pulumi provider
 * alike. Pure of the process: the caller passes the settings (environment, flags, stack config)
 * and the directory relative paths are read from.
 */

/** Default state file of the simulator (`SEATPLAN_SIMULATOR_STATE`). */
export const DEFAULT_SIMULATOR_STATE = ".seatplan/simulator.json";

/** The default backend: offline, no credentials. */
export const DEFAULT_BACKEND = "simulator";

/** The settings that choose and configure a backend, by environment variable name. */
export interface BackendSettings extends PartnerCenterSettings, CloudCockpitSettings {
  readonly SEATPLAN_BACKEND?: string | undefined;
  readonly SEATPLAN_SIMULATOR_STATE?: string | undefined;
}

/** Opens one backend from settings; `cwd` resolves relative paths. */
export type BackendFactory = (settings: BackendSettings, cwd: string, hooks?: BackendHooks) => Promise<Backend>;

/** What the caller lets a backend tell the user while it works. */
export interface BackendHooks {
  /** A line of progress (a write waiting for an asynchronous backend to apply it); redacted. */
  readonly progress?: (line: string) => void;
}

/** The backends `SEATPLAN_BACKEND` may name. Adding a backend is one entry here. */
export const BACKEND_FACTORIES: Readonly<Record<string, BackendFactory>> = {
  /** The embedded simulator on `SEATPLAN_SIMULATOR_STATE`, created with the demo tenant when missing. */
  simulator: (settings, cwd) => openSimulatorBackend({ statePath: simulatorStatePath(settings, cwd) }),
  /** Partner Center's REST API: `SEATPLAN_ENDPOINT`, `SEATPLAN_AUTHORITY` and the credential variables. */
  "partner-center": (settings) => Promise.resolve(createPartnerCenterBackend(settings)),
  /** A CloudCockpit portal's API: `SEATPLAN_CLOUDCOCKPIT_TENANT`, `SEATPLAN_ENDPOINT` and an API Access (design §8). */
  cloudcockpit: (settings, _cwd, hooks) => Promise.resolve(createCloudCockpitBackend(settings, hooks?.progress ? { progress: hooks.progress } : {})),
};

/**
 * Capabilities a backend has whatever its credentials (so a plan made without opening it, Pulumi's
 * diff, downgrades as the backend will); undefined when they depend on the connection.
 */
export function knownCapabilities(settings: BackendSettings): BackendCapabilities | undefined {
  return backendName(settings) === "cloudcockpit" ? CLOUDCOCKPIT_CAPABILITIES : undefined;
}

/** The backend `SEATPLAN_BACKEND` names (default {@link DEFAULT_BACKEND}). */
export function backendName(settings: BackendSettings): string {
  return settings.SEATPLAN_BACKEND || DEFAULT_BACKEND;
}

/** The embedded simulator's state file, absolute. */
export function simulatorStatePath(settings: BackendSettings, cwd: string): string {
  return resolve(cwd, settings.SEATPLAN_SIMULATOR_STATE || DEFAULT_SIMULATOR_STATE);
}

/** Opens the backend the settings name; a configuration mistake rejects with a `ConfigError`. */
export async function openBackend(settings: BackendSettings, cwd: string, hooks: BackendHooks = {}): Promise<Backend> {
  const name = backendName(settings);
  const factory = Object.hasOwn(BACKEND_FACTORIES, name) ? BACKEND_FACTORIES[name] : undefined;
  if (factory === undefined) {
    throw new ConfigError(`SEATPLAN_BACKEND=${name} is not a backend seatplan knows: use ${Object.keys(BACKEND_FACTORIES).join(" or ")}`);
  }
  return await factory(settings, cwd, hooks);
}

/** The embedded backend's options: the simulator service's, and the client's where a test tunes them. */
export interface SimulatorBackendOptions extends SimulatorServiceOptions {
  readonly client?: Partial<Omit<PartnerCenterClientOptions, "name" | "transport" | "endpoint" | "capabilities" | "priceList">>;
}

/**
 * The embedded backend (`SEATPLAN_BACKEND=simulator`, the default): the one Partner Center
 * client on an in-process transport to the simulator's request handler — the code the
 * simulator's HTTP server runs behind its socket — on a local state file. No server, no
 * credentials; every rule, replay, fault and asynchronous answer is the simulator's own, and the
 * client meets them as it meets Partner Center's. Its name in plans is `simulator`.
 */
export class SimulatorBackend extends PartnerCenterBackend {
  constructor(
    readonly service: SimulatorService,
    options: SimulatorBackendOptions["client"] = {},
  ) {
    super({
      ...options,
      name: "simulator",
      endpoint: EMBEDDED_ORIGIN,
      tokens: EMBEDDED_TOKENS,
      transport: new InProcessTransport((request) => answerApiRequest(service, request).then(asText)),
      // The state file's catalog carries the prices, families and upgrade paths the API has not.
      priceList: service.catalog(),
      capabilities: { licenceUsage: true, cancelAtTermEnd: true },
    });
  }

  /** The requests this backend made, oldest first (what `GET /_sim/requests` shows for a server). */
  requests(): RequestLogEntry[] {
    return this.service.requests();
  }
}

/** Open the embedded backend on a state file (created with the demo tenant when allowed and missing). */
export async function openSimulatorBackend(options: SimulatorBackendOptions): Promise<SimulatorBackend> {
  const { client, ...service } = options;
  // Licences by their Graph SKU ids, as Partner Center reports them: the client maps them.
  return new SimulatorBackend(await SimulatorService.open({ subscribedSkuIds: "graph", ...service }), client);
}

/** The base of the in-process transport: it never leaves the process, so it names no real host. */
const EMBEDDED_ORIGIN = "http://simulator.invalid";

/** The in-process facade asks for no token (the HTTP facade checks one when its state names a partner). */
const EMBEDDED_TOKENS = {
  token: () => Promise.resolve("embedded"),
  refresh: () => Promise.resolve(null),
  delegated: true,
  secrets: [],
};

function asText(response: { readonly status: number; readonly headers: Readonly<Record<string, string>>; readonly body: unknown }) {
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(response.headers)) headers[k.toLowerCase()] = v;
  return { status: response.status, headers, body: response.body === undefined ? "" : JSON.stringify(response.body) };
}

/** The embedded backend on a state file (the public API's name for {@link openSimulatorBackend}). */
export const createSimulatorBackend = openSimulatorBackend;
