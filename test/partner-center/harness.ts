import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { NetworkRequestOptions, NetworkResponse } from "@azure/msal-node";
import type { PartnerCenterCredentials } from "../../provider/client/auth";
import { builtInCatalogData } from "../../provider/simulator/catalog";
import { PartnerCenterBackend, type PartnerCenterBackendOptions } from "../../provider/client/partner-center";
import { demoState } from "../../provider/simulator/demo";
import { startSimulatorServer, type SimulatorServer } from "../../provider/simulator/server";
import type { SimFault, SimState } from "../../provider/simulator/state";
import type { RequestLogEntry } from "../../provider/simulator/service";
import { startFaultProxy, type FaultProxy } from "./fault-proxy";
import { RedirectingNetworkClient } from "./redirecting-network-client";

/** The known fake secrets: tests search every error, log line and plan output for them. */
export const SECRET = "fake-secret-7c1e9a";
export const REFRESH_TOKEN = "fake-refresh-token-5d2b71";
export const PARTNER = { tenantId: "0d2c8f6e-9b1a-4c3d-8e7f-6a5b4c3d2e1f", clientId: "seatplan-tests", clientSecret: SECRET, refreshToken: REFRESH_TOKEN };
export const APP_USER: PartnerCenterCredentials = { kind: "app+user", ...PARTNER };
export const APP_ONLY: Extract<PartnerCenterCredentials, { kind: "app" }> = { kind: "app", tenantId: PARTNER.tenantId, clientId: PARTNER.clientId, clientSecret: SECRET };
/** The simulated clock of every test state (the demo tenant is dated relative to it). */
export const SIM_NOW = Date.parse("2026-11-23T10:00:00Z");

/** A network client that also remembers the access tokens MSAL received (to search for leaks). */
class RecordingNetworkClient extends RedirectingNetworkClient {
  readonly issued: string[] = [];
  override async sendPostRequestAsync<T>(url: string, options?: NetworkRequestOptions): Promise<NetworkResponse<T>> {
    const response = await super.sendPostRequestAsync<T>(url, options);
    const body = response.body as { access_token?: unknown; refresh_token?: unknown };
    for (const t of [body.access_token, body.refresh_token]) if (typeof t === "string") this.issued.push(t);
    return response;
  }
}

export interface SimHarnessOptions {
  /** @default the demo tenant at SIM_NOW, with token checking on */
  readonly state?: SimState;
  /** Requests per minute per customer. @default 0 (off) */
  readonly rateLimitPerMinute?: number;
  readonly realNow?: () => number;
  readonly latencyMs?: number;
  /**
   * The simulator's `--async-ms`: writes take effect this many ms of its real clock later. The
   * harness then runs that clock itself (from the real clock at start, or `realNow`'s first value): each pause
   * a backend asks for (a poll interval, a retry backoff) moves it on instead of waiting, so
   * "later" is exact and nothing really sleeps. Backends poll 10 × 100 ms. @default 0
   */
  readonly asyncMs?: number;
}

export interface SimHarness {
  readonly sim: SimulatorServer;
  readonly proxy: FaultProxy;
  /** Delays the backends' injected sleep was asked for (nothing really sleeps). */
  readonly delays: number[];
  /** Every log line of every backend built here. */
  readonly log: string[];
  /** Tokens the token endpoint handed out. */
  readonly issuedTokens: () => readonly string[];
  /** A partner-center backend on the simulator (through the fault proxy), real MSAL. */
  backend(overrides?: Partial<PartnerCenterBackendOptions>): PartnerCenterBackend;
  fault(fault: Partial<SimFault> & { path: string; status: number }): Promise<void>;
  /** Moves the simulator's real clock on (only with `asyncMs`, where the harness runs it). */
  advance(ms: number): void;
  requests(): Promise<RequestLogEntry[]>;
  state(): Promise<SimState>;
  close(): Promise<void>;
}

async function admin<T>(sim: SimulatorServer, method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(`${sim.url}${path}`, { method, ...(body === undefined ? {} : { body: JSON.stringify(body), headers: { "content-type": "application/json" } }) });
  if (!res.ok) throw new Error(`${method} ${path} → ${res.status}: ${await res.text()}`);
  return (await res.json()) as T;
}

export async function startSimHarness(options: SimHarnessOptions = {}): Promise<SimHarness> {
  const dir = mkdtempSync(join(tmpdir(), "seatplan-pc-"));
  const statePath = join(dir, "state.json");
  const state: SimState = options.state ?? { ...demoState(SIM_NOW), partner: PARTNER };
  writeFileSync(statePath, JSON.stringify(state, null, 2));
  const asyncMs = options.asyncMs ?? 0;
  let clock = options.realNow?.() ?? Date.now();
  const sim = await startSimulatorServer({
    statePath,
    port: 0,
    rateLimitPerMinute: options.rateLimitPerMinute ?? 0,
    // Licences by Graph SKU id, as Partner Center reports them (the client maps them to offers).
    subscribedSkuIds: "graph",
    ...(asyncMs > 0 ? { asyncMs, realNow: () => clock } : options.realNow ? { realNow: options.realNow } : {}),
    ...(options.latencyMs !== undefined ? { latencyMs: options.latencyMs } : {}),
  });
  const proxy = await startFaultProxy(sim.url);
  const delays: number[] = [];
  const log: string[] = [];
  const networkClients: RecordingNetworkClient[] = [];
  const backends: PartnerCenterBackend[] = [];
  return {
    sim,
    proxy,
    delays,
    log,
    issuedTokens: () => networkClients.flatMap((c) => c.issued),
    backend(overrides = {}) {
      const networkClient = new RecordingNetworkClient("https://login.microsoftonline.com", sim.url);
      networkClients.push(networkClient);
      const backend = new PartnerCenterBackend({
        endpoint: proxy.url,
        credentials: APP_USER,
        priceList: builtInCatalogData(),
        msalSystem: { networkClient },
        sleep: (ms) => {
          delays.push(ms);
          clock += ms;
          return Promise.resolve();
        },
        random: () => 0.5,
        timeoutMs: 2_000,
        polling: asyncMs > 0 ? { intervalMs: 100, maxPolls: 10 } : { intervalMs: 10, maxPolls: 5 },
        log: (line) => log.push(line),
        ...overrides,
      });
      backends.push(backend);
      return backend;
    },
    fault: (fault) => admin(sim, "POST", "/_sim/faults", fault),
    advance: (ms) => {
      clock += ms;
    },
    requests: () => admin<RequestLogEntry[]>(sim, "GET", "/_sim/requests"),
    state: () => admin<SimState>(sim, "GET", "/_sim/state"),
    async close() {
      await Promise.all(backends.map((b) => b.close()));
      await proxy.close();
      await sim.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
