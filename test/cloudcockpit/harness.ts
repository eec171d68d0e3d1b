import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { NetworkRequestOptions, NetworkResponse } from "@azure/msal-node";
import { CloudCockpitBackend, type CloudCockpitBackendOptions } from "../../provider/client/cloudcockpit/backend";
import { PartnerCenterBackend } from "../../provider/client/partner-center";
import { builtInCatalogData } from "../../provider/simulator/catalog";
import { ccSubscriptionId } from "../../provider/simulator/cloudcockpit/facade";
import { demoState } from "../../provider/simulator/demo";
import type { RequestLogEntry } from "../../provider/simulator/service";
import { startSimulatorServer, type SimulatorServer } from "../../provider/simulator/server";
import type { SimFault, SimState } from "../../provider/simulator/state";
import { startFaultProxy, type FaultProxy } from "../partner-center/fault-proxy";
import { APP_USER, PARTNER, SIM_NOW } from "../partner-center/harness";
import { RedirectingNetworkClient } from "../partner-center/redirecting-network-client";

export { PARTNER, SIM_NOW };
/** The portal domain every test sends as X-Tenant. */
export const PORTAL = "portal.example";

/** A network client that also remembers the access tokens MSAL received (to search for leaks). */
class RecordingNetworkClient extends RedirectingNetworkClient {
  readonly issued: string[] = [];
  override async sendPostRequestAsync<T>(url: string, options?: NetworkRequestOptions): Promise<NetworkResponse<T>> {
    const response = await super.sendPostRequestAsync<T>(url, options);
    const body = response.body as { access_token?: unknown };
    if (typeof body.access_token === "string") this.issued.push(body.access_token);
    return response;
  }
}

export interface CcHarnessOptions {
  /** @default the demo tenant at SIM_NOW, with token checking on */
  readonly state?: SimState;
  /** How long a CloudCockpit write stays invisible (real ms). @default 0 */
  readonly asyncMs?: number;
  /** `seatplan simulator --async-ms`: Partner Center's own writes take effect this much later. @default 0 */
  readonly serviceAsyncMs?: number;
}

export interface CcHarness {
  readonly sim: SimulatorServer;
  /** A fault proxy in front of the simulator (connection resets). */
  readonly proxy: FaultProxy;
  readonly log: string[];
  readonly delays: number[];
  issuedTokens(): readonly string[];
  /** The cloudcockpit backend on `/cloudcockpit` (through the proxy), real MSAL against the facade's token route. */
  backend(overrides?: Partial<CloudCockpitBackendOptions>): CloudCockpitBackend;
  /** The partner-center backend on the same simulator (real MSAL, app+user). */
  partnerCenter(): PartnerCenterBackend;
  fault(fault: Partial<SimFault> & { path: string; status: number }): Promise<void>;
  requests(): Promise<RequestLogEntry[]>;
  state(): Promise<SimState>;
  /** CloudCockpit id → Partner Center id, for every subscription of the state. */
  pcIdOf(): Promise<Map<string, string>>;
  close(): Promise<void>;
}

async function admin<T>(sim: SimulatorServer, method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(`${sim.url}${path}`, { method, ...(body === undefined ? {} : { body: JSON.stringify(body), headers: { "content-type": "application/json" } }) });
  if (!res.ok) throw new Error(`${method} ${path} → ${res.status}: ${await res.text()}`);
  return (await res.json()) as T;
}

export async function startCcHarness(options: CcHarnessOptions = {}): Promise<CcHarness> {
  const dir = mkdtempSync(join(tmpdir(), "seatplan-cc-"));
  const statePath = join(dir, "state.json");
  writeFileSync(statePath, JSON.stringify(options.state ?? { ...demoState(SIM_NOW), partner: PARTNER }, null, 2));
  const sim = await startSimulatorServer({ statePath, port: 0, rateLimitPerMinute: 0, cloudCockpitAsyncMs: options.asyncMs ?? 0, asyncMs: options.serviceAsyncMs ?? 0 });
  const proxy = await startFaultProxy(sim.url);
  const log: string[] = [];
  const delays: number[] = [];
  const clients: RecordingNetworkClient[] = [];
  const backends: { close(): Promise<void> }[] = [];
  return {
    sim,
    proxy,
    log,
    delays,
    issuedTokens: () => clients.flatMap((c) => c.issued),
    backend(overrides = {}) {
      const networkClient = new RecordingNetworkClient("https://login.microsoftonline.com", `${sim.url}/cloudcockpit`);
      clients.push(networkClient);
      const backend = new CloudCockpitBackend({
        endpoint: `${proxy.url}/cloudcockpit`,
        tenant: PORTAL,
        priceList: builtInCatalogData(),
        credentials: { kind: "app", clientId: PARTNER.clientId, clientSecret: PARTNER.clientSecret },
        msalSystem: { networkClient },
        sleep: (ms) => {
          delays.push(ms);
          return Promise.resolve();
        },
        random: () => 0.5,
        timeoutMs: 2_000,
        convergence: { intervalMs: 10, maxReads: 5 },
        log: (line) => log.push(line),
        ...overrides,
      });
      backends.push(backend);
      return backend;
    },
    partnerCenter() {
      const networkClient = new RecordingNetworkClient("https://login.microsoftonline.com", sim.url);
      clients.push(networkClient);
      const backend = new PartnerCenterBackend({
        endpoint: sim.url,
        credentials: APP_USER,
        priceList: builtInCatalogData(),
        msalSystem: { networkClient },
        sleep: () => Promise.resolve(),
        timeoutMs: 2_000,
        polling: { intervalMs: 10, maxPolls: 5 },
      });
      backends.push(backend);
      return backend;
    },
    fault: (fault) => admin(sim, "POST", "/_sim/faults", fault),
    requests: () => admin<RequestLogEntry[]>(sim, "GET", "/_sim/requests"),
    state: () => admin<SimState>(sim, "GET", "/_sim/state"),
    async pcIdOf() {
      const state = await admin<SimState>(sim, "GET", "/_sim/state");
      return new Map(state.customers.flatMap((c) => c.subscriptions.map((s) => [ccSubscriptionId(s.id), s.id] as const)));
    },
    async close() {
      await Promise.all(backends.map((b) => b.close()));
      await proxy.close();
      await sim.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The CloudCockpit requests (method and path below `/cloudcockpit`) the simulator answered, token requests left out. */
export function ccCalls(log: readonly RequestLogEntry[], method?: string): string[] {
  return log
    .filter((r) => r.path.startsWith("/cloudcockpit/v1") && (method === undefined || r.method === method))
    .map((r) => `${r.method} ${r.path.slice("/cloudcockpit".length)} ${r.status}`);
}
