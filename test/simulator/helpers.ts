import { mkdtempSync, renameSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { BillingCycle, Term } from "../../provider/domain/types";
import { formatWireDate } from "../../provider/backends/partner-center/wire";
import { startSimulatorServer, type SimulatorServer, type SimulatorServerOptions } from "../../provider/simulator/server";
import type { SeatLotRecord, SimCustomer, SimState, SimSubscription } from "../../provider/simulator/state";

/** Shared fixtures for the simulator tests: temp state files, a server on port 0, a JSON client. */

export const CUSTOMER = "11111111-1111-4111-8111-111111111111";
export const SUB = "22222222-2222-4222-8222-222222222222";
export const OTHER_SUB = "33333333-3333-4333-8333-333333333333";

export const OFFERS = {
  basic: "CFQ7TTC0LH18:0001:SIMAV0000001",
  standard: "CFQ7TTC0LDPB:0001:SIMAV0000002",
  premium: "CFQ7TTC0LCHC:0002:SIMAV0000003",
  e3: "CFQ7TTC0LFLX:0001:SIMAV0000009",
  exchange1: "CFQ7TTC0LH16:0001:SIMAV0000013",
  exchange2: "CFQ7TTC0LH1P:0001:SIMAV0000014",
  a3: "CFQ7TTC0LHPL:000W:SIMAV0000018",
} as const;

export function tempDir(): string {
  return mkdtempSync(join(tmpdir(), "seatplan-sim-"));
}

/** Write a state file the way the store does (temp + rename), so a running server sees it whole. */
export function writeState(path: string, state: SimState): void {
  writeFileSync(`${path}.fixture.tmp`, JSON.stringify(state));
  renameSync(`${path}.fixture.tmp`, path);
}

export const ms = (iso: string): number => Date.parse(iso);
export const iso = (t: number): string => formatWireDate(t);

export interface SubscriptionFixture {
  readonly id?: string;
  readonly offerId?: string;
  readonly friendlyName?: string;
  readonly quantity?: number;
  readonly status?: string;
  readonly autoRenewEnabled?: boolean;
  readonly term?: Term;
  readonly billing?: BillingCycle;
  /** Start of the term (an instant). */
  readonly start: string;
  /** Inclusive last day; default: start + term − 1 day. */
  readonly end: string;
  readonly cancellationAllowedUntilDate?: string;
  readonly seatLots?: SeatLotRecord[];
  readonly isTrial?: boolean;
  readonly scheduledNextTermInstructions?: SimSubscription["scheduledNextTermInstructions"];
}

export function subscription(f: SubscriptionFixture): SimSubscription {
  const quantity = f.quantity ?? 5;
  const windowEnd = iso(ms(f.start) + 168 * 3_600_000);
  return {
    id: f.id ?? SUB,
    offerId: f.offerId ?? OFFERS.basic,
    offerName: "fixture offer",
    friendlyName: f.friendlyName ?? "fixture",
    quantity,
    status: f.status ?? "active",
    autoRenewEnabled: f.autoRenewEnabled ?? true,
    termDuration: f.term ?? "P1Y",
    billingCycle: f.billing ?? "monthly",
    effectiveStartDate: f.start,
    commitmentEndDate: f.end,
    cancellationAllowedUntilDate: f.cancellationAllowedUntilDate ?? windowEnd,
    scheduledNextTermInstructions: f.scheduledNextTermInstructions ?? null,
    isTrial: f.isTrial ?? false,
    seatLots: f.seatLots ?? [{ quantity, allowedUntilDateTime: windowEnd }],
  };
}

export function customer(subscriptions: SimSubscription[], extra: Partial<SimCustomer> = {}): SimCustomer {
  return { id: CUSTOMER, companyName: "Contoso", domain: "contoso.onmicrosoft.com", subscriptions, ...extra };
}

export function state(now: string, customers: SimCustomer[], extra: Partial<SimState> = {}): SimState {
  return { version: 1, now, settings: { cancellationWindowHours: 168 }, customers, ...extra };
}

/** Ids 00000000-0000-4000-8000-000000000001, …2, … so tests can name what they create. */
export function counterIds(): () => string {
  let n = 0;
  return () => `00000000-0000-4000-8000-${String(++n).padStart(12, "0")}`;
}

export interface Answer<T = Record<string, unknown>> {
  readonly status: number;
  readonly headers: Headers;
  readonly body: T;
}

export interface TestSimulator {
  readonly server: SimulatorServer;
  readonly url: string;
  readonly statePath: string;
  call<T = Record<string, unknown>>(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<Answer<T>>;
  /** Replace the whole state (the server re-reads the changed file). */
  load(s: SimState): void;
  close(): Promise<void>;
}

export async function startTestSimulator(initial: SimState | null, options: Partial<SimulatorServerOptions> = {}): Promise<TestSimulator> {
  const statePath = join(tempDir(), "state.json");
  if (initial) writeState(statePath, initial);
  const server = await startSimulatorServer({ statePath, rateLimitPerMinute: 0, newId: counterIds(), ...options });
  return {
    server,
    url: server.url,
    statePath,
    async call<T>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Answer<T>> {
      const res = await fetch(`${server.url}${path}`, {
        method,
        headers: { "content-type": "application/json", ...headers },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      const text = await res.text();
      return { status: res.status, headers: res.headers, body: (text ? JSON.parse(text) : null) as T };
    },
    load(s: SimState): void {
      writeState(statePath, s);
    },
    close: () => server.close(),
  };
}

export const subPath = (id: string = SUB, customerId: string = CUSTOMER): string => `/v1/customers/${customerId}/subscriptions/${id}`;

/** GET-modify-PATCH, as Partner Center clients do. */
export async function patch(
  sim: TestSimulator,
  change: Record<string, unknown>,
  id: string = SUB,
  headers: Record<string, string> = {},
): Promise<Answer> {
  const current = await sim.call("GET", subPath(id));
  return sim.call("PATCH", subPath(id), { ...current.body, ...change }, headers);
}

/** A code as Partner Center sends it in an error body: a number for Microsoft's numeric codes. */
export function wireCode(code: string | number): string | number {
  return typeof code === "string" && /^\d+$/.test(code) ? Number(code) : code;
}

/** The error body the simulator answers with (Partner Center's shape). */
export function fault(code: string, description: string): { code: string | number; description: string; data: unknown[]; source: string } {
  return { code: wireCode(code), description, data: [], source: "PartnerFD" };
}
