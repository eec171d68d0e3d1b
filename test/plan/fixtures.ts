import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stringify } from "yaml";
import { openSimulatorBackend, type SimulatorBackend } from "../../provider/config/backends";
import { parseDesired } from "../../provider/desired";
import type { DesiredState, DesiredSubscription, Plan, YamlEdit } from "../../provider/domain/types";
import { observe } from "../../provider/observe";
import { plan } from "../../provider/plan";
import type { CatalogEntry } from "../../provider/simulator/catalog";
import catalogJson from "../../provider/simulator/data/catalog.json";
import type { SimState, SimSubscription } from "../../provider/simulator/state";

/**
 * Scenarios are written as the tenant (a simulator state) and the YAML an engineer would write,
 * so every test goes through the real parser, the embedded simulator and the real observer.
 */

export const NOW = "2026-11-23T10:00:00.000Z";
export const TENANT = "ee2337af-1fb7-44c8-b0ef-e6bf5b59baed";

export const OFFERS = {
  appsForBusiness: "CFQ7TTC0LH1G:0001",
  businessBasic: "CFQ7TTC0LH18:0001",
  businessStandard: "CFQ7TTC0LDPB:0001",
  businessPremium: "CFQ7TTC0LCHC:0002",
  exchange1: "CFQ7TTC0LH16:0001",
  exchange2: "CFQ7TTC0LH1P:0001",
  entraP1: "CFQ7TTC0LFLS:0002",
  entraP2: "CFQ7TTC0LFK5:0001",
} as const;

/** Graph SKU ids (the catalog's provisioningId) of the offers scenarios assign seats of. */
export const GRAPH_SKU: Readonly<Record<string, string>> = Object.fromEntries(
  (catalogJson.offers as readonly { productId: string; skuId: string; provisioningId?: string }[]).flatMap((o) =>
    o.provisioningId ? [[`${o.productId}:${o.skuId}`, o.provisioningId]] : [],
  ),
);

const AVAILABILITY: Readonly<Record<string, string>> = {
  [OFFERS.appsForBusiness]: "SIMAV0000004",
  [OFFERS.businessBasic]: "SIMAV0000001",
  [OFFERS.businessStandard]: "SIMAV0000002",
  [OFFERS.businessPremium]: "SIMAV0000003",
  [OFFERS.exchange1]: "SIMAV0000013",
  [OFFERS.exchange2]: "SIMAV0000014",
  "CFQ7TTC0LGZT:0001": "SIMAV0000005",
};

/** A live subscription, in the few fields a scenario cares about. */
export interface LiveSpec {
  readonly id: string;
  readonly offer: string;
  readonly friendlyName: string;
  readonly quantity: number;
  readonly term: "P1M" | "P1Y" | "P3Y";
  readonly billing: "monthly" | "annual" | "triennial";
  readonly start: string;
  readonly end: string;
  readonly autoRenew?: boolean;
  readonly status?: string;
  readonly isTrial?: boolean;
  /** Seat batches `[quantity, allowedUntil]`; default: every seat added at `start` (window 168 h). */
  readonly lots?: readonly (readonly [number, string])[];
  readonly cancelUntil?: string;
  readonly scheduled?: { readonly offer: string; readonly term: string; readonly billing: string; readonly quantity: number };
  /** In the extended service term (billed monthly at the EST rate). */
  readonly est?: boolean;
  /** An explicit cancellation at term end is scheduled. */
  readonly cancelAtTermEnd?: boolean;
}

const WEEK_MS = 168 * 3_600_000;
const after = (iso: string, ms: number): string => new Date(Date.parse(iso) + ms).toISOString();

/** Microsoft 365 Apps for business: 3 seats, P1Y annual, renewing on 2026-12-29, windows long closed. */
export const APPS: LiveSpec = {
  id: "ec4accce-b04f-4b8d-dc23-629b6d8e630b",
  offer: OFFERS.appsForBusiness,
  friendlyName: "apps",
  quantity: 3,
  term: "P1Y",
  billing: "annual",
  start: "2025-12-29T00:00:00.000Z",
  end: "2026-12-28T00:00:00.000Z",
};
/** Business Basic bought 2 days ago: 5 seats refundable until 2026-11-28T00:00Z; renews 2027-11-21. */
export const FRESH: LiveSpec = {
  id: "3f2a8c1e-5b7d-4e9a-8c6f-1d2e3f4a5b01",
  offer: OFFERS.businessBasic,
  friendlyName: "basic",
  quantity: 5,
  term: "P1Y",
  billing: "monthly",
  start: "2026-11-21T00:00:00.000Z",
  end: "2027-11-20T00:00:00.000Z",
};
/** Business Standard: 6 old seats and 2 added 3 days ago, refundable until 2026-11-27T10:00Z; renews 2027-08-15. */
export const LOTS: LiveSpec = {
  id: "7c1d9e2f-4a6b-4c8d-9e0f-2a3b4c5d6e02",
  offer: OFFERS.businessStandard,
  friendlyName: "standard",
  quantity: 8,
  term: "P1Y",
  billing: "monthly",
  start: "2026-08-15T00:00:00.000Z",
  end: "2027-08-14T00:00:00.000Z",
  lots: [
    [6, "2026-08-22T00:00:00.000Z"],
    [2, "2026-11-27T10:00:00.000Z"],
  ],
};
/** Exchange Online (Plan 1): 10 seats, P1Y annual, ends 2027-05-06. */
export const EXCHANGE: LiveSpec = {
  id: "7c1d9e2f-4a6b-4c8d-9e0f-2a3b4c5d6e01",
  offer: OFFERS.exchange1,
  friendlyName: "exchange",
  quantity: 10,
  term: "P1Y",
  billing: "annual",
  start: "2026-05-07T00:00:00.000Z",
  end: "2027-05-06T00:00:00.000Z",
};
/** Exchange Online (Plan 2): 5 seats ending after EXCHANGE (a valid merge target). */
export const EXCHANGE2_LATER: LiveSpec = {
  id: "7c1d9e2f-4a6b-4c8d-9e0f-2a3b4c5d6e04",
  offer: OFFERS.exchange2,
  friendlyName: "exchange-2",
  quantity: 5,
  term: "P1Y",
  billing: "annual",
  start: "2026-09-01T00:00:00.000Z",
  end: "2027-08-31T00:00:00.000Z",
};
export const EXCHANGE2_EARLIER: LiveSpec = { ...EXCHANGE2_LATER, start: "2026-03-01T00:00:00.000Z", end: "2027-02-28T00:00:00.000Z" };

export function simSubscription(spec: LiveSpec): SimSubscription {
  const lots = spec.lots ?? (spec.quantity > 0 ? [[spec.quantity, after(spec.start, WEEK_MS)] as const] : []);
  return {
    id: spec.id,
    offerId: `${spec.offer}:${AVAILABILITY[spec.offer] ?? "SIMAV0000000"}`,
    offerName: spec.offer,
    friendlyName: spec.friendlyName,
    quantity: spec.quantity,
    status: spec.status ?? "active",
    autoRenewEnabled: spec.autoRenew ?? true,
    termDuration: spec.term,
    billingCycle: spec.billing,
    effectiveStartDate: spec.start,
    commitmentEndDate: spec.end,
    cancellationAllowedUntilDate: spec.cancelUntil ?? after(spec.start, WEEK_MS),
    scheduledNextTermInstructions: spec.scheduled
      ? {
          product: {
            productId: spec.scheduled.offer.split(":")[0] ?? "",
            skuId: spec.scheduled.offer.split(":")[1] ?? "",
            availabilityId: AVAILABILITY[spec.scheduled.offer] ?? "",
            billingCycle: spec.scheduled.billing,
            termDuration: spec.scheduled.term,
          },
          quantity: spec.scheduled.quantity,
        }
      : null,
    isTrial: spec.isTrial ?? false,
    ...(spec.est === true ? { extendedServiceTerm: true } : {}),
    ...(spec.cancelAtTermEnd === true ? { cancelAtTermEnd: true } : {}),
    seatLots: lots.map(([quantity, allowedUntilDateTime]) => ({ quantity, allowedUntilDateTime })),
  };
}

/** A scenario: the instant, the tenant, the YAML entries of customer `rockit`, and what must come out. */
export interface Scenario {
  readonly name: string;
  readonly now?: string;
  /** Plan at this later instant than the tenant's clock (`--now`, or Partner Center's renewal lag); the tenant stays at `now`. */
  readonly planAt?: string;
  readonly policy?: "block" | "defer";
  /** The simulator's catalog (state file `catalog`); absent: the built-in one. */
  readonly catalog?: readonly CatalogEntry[];
  /** `policy.businessSeatCap`; absent: the default (warn). */
  readonly businessSeatCap?: "warn" | "block";
  readonly live: readonly LiveSpec[];
  /** Seats assigned to users, by offer. */
  readonly assigned?: Readonly<Record<string, number>>;
  readonly entries: Readonly<Record<string, Entry>>;
  /** `[subscription key, action, timing, effectiveAt, hint]`, in plan order. */
  readonly expect: readonly ExpectedStep[];
  /** Warning codes, sorted as the plan sorts them. */
  readonly warnings?: readonly string[];
  /** What a re-plan after applying shows, when it is not just the blocked steps (a plan that converges in two applies). */
  readonly replan?: readonly ExpectedStep[];
  /** Changes the parsed state before planning: for states the parser refuses but the planner must still handle (plan() is public API). */
  readonly tweak?: (state: DesiredState) => DesiredState;
}

export type ExpectedStep = readonly [string, string, string, string | null, string | null];
export type Entry = Readonly<Record<string, unknown>>;

/** A YAML entry for a live subscription: its own values unless overridden. */
export function entryOf(spec: LiveSpec, overrides: Entry = {}): Entry {
  return { offer: spec.offer, term: spec.term, billing: spec.billing, quantity: spec.quantity, ...overrides };
}

export function stateOf(s: Scenario): SimState {
  return {
    version: 1,
    now: s.now ?? NOW,
    settings: { cancellationWindowHours: 168 },
    ...(s.catalog ? { catalog: [...s.catalog] } : {}),
    customers: [
      {
        id: TENANT,
        companyName: "Rockit",
        domain: "rockit.onmicrosoft.com",
        // The state file keys assigned seats by Graph SKU id, as Partner Center's subscribedskus does.
        assignedLicenses: Object.fromEntries(Object.entries(s.assigned ?? {}).map(([offer, n]) => [GRAPH_SKU[offer] ?? offer, n])),
        subscriptions: s.live.map(simSubscription),
      },
    ],
  };
}

export function yamlOf(policy: "block" | "defer", entries: Readonly<Record<string, Entry>>, businessSeatCap?: "warn" | "block"): string {
  const policies = businessSeatCap === undefined ? { reductions: policy } : { reductions: policy, businessSeatCap };
  return stringify({ version: 1, policy: policies, customers: { rockit: { tenantId: TENANT, subscriptions: entries } } });
}

export function desiredOf(text: string): DesiredState {
  const parsed = parseDesired(text, "licences.yaml");
  if (parsed.state === undefined) throw new Error(`invalid YAML in a scenario:\n${parsed.issues.map((i) => `${i.path}: ${i.message}`).join("\n")}\n${text}`);
  return parsed.state;
}

/** A simulator on a state file of its own; `close()` removes it. */
export class Tenant {
  private constructor(
    readonly backend: SimulatorBackend,
    private readonly dir: string,
  ) {}

  static async of(state: SimState): Promise<Tenant> {
    const dir = mkdtempSync(join(tmpdir(), "seatplan-plan-"));
    const statePath = join(dir, "simulator.json");
    writeFileSync(statePath, JSON.stringify(state));
    // Retries and polls without real pauses: the simulator's clock is its own.
    const client = { sleep: () => Promise.resolve() };
    return new Tenant(await openSimulatorBackend({ statePath, createIfMissing: false, rateLimitPerMinute: 0, client }), dir);
  }

  async plan(desired: DesiredState, at?: string): Promise<Plan> {
    const observation = await observe(desired, this.backend);
    return plan(desired, observation, { now: new Date(at ?? (await this.backend.now())), backend: this.backend.name });
  }

  /** What the simulator bills the customer per year as things stand (`GET /_sim/billing`). */
  async billing(): Promise<number> {
    return (await this.backend.service.billing(TENANT)).annualRunRate;
  }

  /** Move the simulated clock (renewals, expiries and extended service terms in between happen). */
  async advanceTo(iso: string): Promise<void> {
    await this.backend.service.setClock({ now: iso });
  }

  close(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** Apply YAML edits (a step's `fix`) to one entry; returns the new entries. */
export function applyFix(entries: Readonly<Record<string, Entry>>, key: string, fix: readonly YamlEdit[]): Record<string, Entry> {
  const out: Record<string, Entry> = structuredClone({ ...entries }) as Record<string, Entry>;
  for (const edit of fix) {
    if (edit.path === "") {
      delete out[key];
      continue;
    }
    const entry = (out[key] ?? {}) as Record<string, unknown>;
    const parts = edit.path.split(".");
    const last = parts.pop() ?? "";
    let node = entry;
    for (const p of parts) node = (node[p] ??= {}) as Record<string, unknown>;
    if (edit.value === null) delete node[last];
    else node[last] = edit.value;
    out[key] = entry;
  }
  return out;
}

export function shape(p: Plan): ExpectedStep[] {
  return p.steps.map((s) => [s.subscription, s.action, s.timing, s.effectiveAt, s.hint] as const);
}

/** The scenario's desired state: its YAML, parsed, then tweaked. */
export function scenarioDesired(s: Scenario, entries: Readonly<Record<string, Entry>> = s.entries): DesiredState {
  const state = desiredOf(yamlOf(s.policy ?? "block", entries, s.businessSeatCap));
  return s.tweak ? s.tweak(state) : state;
}

/** Sets a field of every subscription entry (for `tweak`). */
export function everyEntry(patch: Partial<DesiredSubscription>): (state: DesiredState) => DesiredState {
  return (state) => ({
    ...state,
    customers: state.customers.map((c) => ({ ...c, subscriptions: c.subscriptions.map((e) => ({ ...e, ...patch })) })),
  });
}
