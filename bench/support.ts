/**
 * Shared by the benchmarks: a deterministic synthetic tenant (the same on every run, so runs
 * compare), its YAML, the naive read strategy the planner's is measured against, and medians.
 */
import pLimit from "p-limit";
import type { Backend } from "../provider/backends/backend";
import { formatWireDate } from "../provider/wire/partner-center";
import type { BillingCycle, DesiredState, Term } from "../provider/domain/types";
import type { Observation } from "../provider/plan";
import { builtInCatalogData } from "../provider/simulator/catalog";
import { DAY_MS, startOfDay, termEnd } from "../provider/simulator/dates";
import type { SimState, SimSubscription } from "../provider/simulator/state";

/** The simulator clock of every synthetic tenant. */
export const BENCH_NOW = "2026-11-23T10:00:00.000Z";

export const OFFERS = ["CFQ7TTC0LH18:0001", "CFQ7TTC0LDPB:0001", "CFQ7TTC0LCHC:0002", "CFQ7TTC0LH1G:0001", "CFQ7TTC0LH16:0001"] as const;

export type TermBilling = readonly [Term, BillingCycle];
export const TERMS: readonly TermBilling[] = [
  ["P1Y", "annual"],
  ["P1Y", "monthly"],
  ["P1M", "monthly"],
];

/** A GUID made from two counters, so a generated tenant is the same on every run. */
export function guid(a: number, b: number): string {
  const hex = (n: number, width: number): string => n.toString(16).padStart(width, "0");
  return `${hex(a, 8)}-${hex(b, 4)}-4000-8000-${hex(a * 16 + b, 12)}`;
}

/** One live subscription of the synthetic tenant. */
export interface SyntheticEntry {
  readonly customer: number;
  /** Position within its customer: the YAML key is `sub-<index>`. */
  readonly index: number;
  readonly id: string;
  readonly offer: string;
  readonly term: Term;
  readonly billing: BillingCycle;
  readonly quantity: number;
}

/**
 * `customers` × `subscriptions` active subscriptions, started 20 to 320 days before
 * {@link BENCH_NOW} (so their reduction windows are closed), with the given term/billing cycle.
 */
export function syntheticTenant(options: { customers: number; subscriptions: number; terms?: readonly TermBilling[] }): { state: SimState; entries: SyntheticEntry[] } {
  const catalog = builtInCatalogData();
  const terms = options.terms ?? TERMS;
  const customers: SimState["customers"] = [];
  const entries: SyntheticEntry[] = [];
  for (let c = 0; c < options.customers; c++) {
    const subscriptions: SimSubscription[] = [];
    for (let s = 0; s < options.subscriptions; s++) {
      const offer = catalog.offers.find((o) => o.offer === OFFERS[s % OFFERS.length]);
      if (!offer) throw new Error("bench offer missing from the built-in catalog");
      const [term, billing] = terms[s % terms.length] ?? ["P1Y", "annual"];
      const start = startOfDay(Date.parse(BENCH_NOW) - (20 + ((c * 7 + s * 13) % 300)) * DAY_MS);
      const entry: SyntheticEntry = { customer: c, index: s, id: guid(c, s + 1), offer: offer.offer, term, billing, quantity: 5 + ((c + s) % 20) };
      entries.push(entry);
      subscriptions.push({
        id: entry.id,
        offerId: `${offer.offer}:${offer.availabilityId}`,
        offerName: offer.name,
        friendlyName: `sub-${s}`,
        quantity: entry.quantity,
        status: "active",
        autoRenewEnabled: true,
        termDuration: term,
        billingCycle: billing,
        effectiveStartDate: formatWireDate(start),
        commitmentEndDate: formatWireDate(termEnd(start, term)),
      });
    }
    customers.push({ id: guid(c, 0), companyName: `Customer ${c}`, domain: `customer${c}.onmicrosoft.com`, subscriptions });
  }
  return { state: { version: 1, now: BENCH_NOW, customers }, entries };
}

/** The YAML adopting every entry by id; `shape` says its seats and, optionally, its renewal seats. */
export function desiredYaml(entries: readonly SyntheticEntry[], shape: (e: SyntheticEntry) => { quantity: number; renewalQuantity?: number }): string {
  const lines = ["version: 1", "customers:"];
  let customer = -1;
  for (const e of entries) {
    if (e.customer !== customer) {
      customer = e.customer;
      lines.push(`  customer-${customer}:`, `    tenantId: ${guid(customer, 0)}`, "    subscriptions:");
    }
    const { quantity, renewalQuantity } = shape(e);
    lines.push(`      sub-${e.index}:`, `        id: ${e.id}`, `        offer: ${e.offer}`, `        term: ${e.term}`, `        billing: ${e.billing}`, `        quantity: ${quantity}`);
    if (renewalQuantity !== undefined) lines.push("        renewal:", `          quantity: ${renewalQuantity}`);
  }
  return `${lines.join("\n")}\n`;
}

/** The strategy seatplan avoids: one GET per declared subscription (customers still read `concurrency` at a time). */
export async function naiveObserve(desired: DesiredState, backend: Backend, concurrency = 8): Promise<Observation> {
  const limit = pLimit(concurrency);
  const [catalog, customers] = await Promise.all([
    backend.getCatalog(),
    Promise.all(
      desired.customers.map((c) =>
        limit(async () => [c.key, { subscriptions: await Promise.all(c.subscriptions.map((s) => backend.getSubscription(c.tenantId, s.id ?? ""))) }] as const),
      ),
    ),
  ]);
  return { catalog, customers: Object.fromEntries(customers) };
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

/** Peak resident set size of this process so far, in MiB (rounded). */
export function peakRss(): string {
  return (process.resourceUsage().maxRSS / 1024).toFixed(0);
}

/** `a / b` as "1.23×". */
export function ratio(a: number, b: number): string {
  return `${(a / b).toFixed(2)}×`;
}
