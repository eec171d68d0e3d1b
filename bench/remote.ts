/**
 * Benchmark: plan 200 customers × 10 subscriptions through the partner-center backend against
 * the simulator's HTTP facade with 50 ms latency per response. Compares the planner's read
 * strategy (one subscription list per customer, see provider/observe) with a naive one (one GET
 * per subscription) in the same run, and both with the latency-bound minimum
 * (customers ÷ concurrency × latency). Run with `npm run bench:remote`. Timings only, no
 * assertion: machines differ.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { isDeepStrictEqual } from "node:util";
import pLimit from "p-limit";
import { PartnerCenterBackend } from "../provider/backends/partner-center/backend";
import { formatWireDate } from "../provider/backends/partner-center/wire";
import { parseDesired } from "../provider/desired";
import type { DesiredState, Plan } from "../provider/domain/types";
import { observe } from "../provider/observe";
import { plan, type Observation } from "../provider/plan";
import { builtInCatalogData } from "../provider/simulator/catalog";
import { DAY_MS, startOfDay, termEnd } from "../provider/simulator/dates";
import { startSimulatorServer } from "../provider/simulator/server";
import type { SimState, SimSubscription } from "../provider/simulator/state";

const CUSTOMERS = 200;
const SUBSCRIPTIONS = 10;
const LATENCY_MS = 50;
/** Customers read at once: observe's default. */
const CONCURRENCY = 8;
const RUNS = 5;
const NOW = Date.parse("2026-11-23T10:00:00Z");

const OFFERS = ["CFQ7TTC0LH18:0001", "CFQ7TTC0LDPB:0001", "CFQ7TTC0LCHC:0002", "CFQ7TTC0LH1G:0001", "CFQ7TTC0LH16:0001"];
const TERMS = [
  ["P1Y", "annual"],
  ["P1Y", "monthly"],
  ["P1M", "monthly"],
] as const;

/** A GUID made from two counters, so the tenant is the same on every run. */
function guid(a: number, b: number): string {
  const hex = (n: number, width: number) => n.toString(16).padStart(width, "0");
  return `${hex(a, 8)}-${hex(b, 4)}-4000-8000-${hex(a * 16 + b, 12)}`;
}

function tenant(): { state: SimState; yaml: string } {
  const catalog = builtInCatalogData();
  const customers: SimState["customers"] = [];
  const yaml = ["version: 1", "customers:"];
  for (let c = 0; c < CUSTOMERS; c++) {
    const subscriptions: SimSubscription[] = [];
    yaml.push(`  customer-${c}:`, `    tenantId: ${guid(c, 0)}`, "    subscriptions:");
    for (let s = 0; s < SUBSCRIPTIONS; s++) {
      const offer = catalog.offers.find((o) => o.offer === OFFERS[s % OFFERS.length]);
      const [term, billing] = TERMS[s % TERMS.length] ?? ["P1Y", "annual"];
      if (!offer) throw new Error("bench offer missing from the built-in catalog");
      const start = startOfDay(NOW - (20 + ((c * 7 + s * 13) % 300)) * DAY_MS);
      const quantity = 5 + ((c + s) % 20);
      subscriptions.push({
        id: guid(c, s + 1),
        offerId: `${offer.offer}:${offer.availabilityId}`,
        offerName: offer.name,
        friendlyName: `sub-${s}`,
        quantity,
        status: "active",
        autoRenewEnabled: true,
        termDuration: term,
        billingCycle: billing,
        effectiveStartDate: formatWireDate(start),
        commitmentEndDate: formatWireDate(termEnd(start, term)),
      });
      // Some growth and some renewal changes, so the plan has work to do; no reductions now.
      yaml.push(`      sub-${s}:`, `        id: ${guid(c, s + 1)}`, `        offer: ${offer.offer}`, `        term: ${term}`, `        billing: ${billing}`);
      yaml.push(`        quantity: ${quantity + (s % 4 === 0 ? 1 : 0)}`);
      if (s % 5 === 1) yaml.push("        renewal:", `          quantity: ${quantity - 1}`);
    }
    customers.push({ id: guid(c, 0), companyName: `Customer ${c}`, domain: `customer${c}.onmicrosoft.com`, subscriptions });
  }
  return { state: { version: 1, now: formatWireDate(NOW), customers }, yaml: `${yaml.join("\n")}\n` };
}

/** One GET per declared subscription (customers still read `CONCURRENCY` at a time). */
async function naiveObserve(desired: DesiredState, backend: PartnerCenterBackend): Promise<Observation> {
  const limit = pLimit(CONCURRENCY);
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

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

async function main(): Promise<void> {
  const { state, yaml } = tenant();
  const { state: desired, issues } = parseDesired(yaml, "bench.yaml");
  if (!desired) throw new Error(`generated file is invalid: ${issues[0]?.message ?? "?"}`);
  const dir = mkdtempSync(join(tmpdir(), "seatplan-bench-"));
  writeFileSync(join(dir, "state.json"), JSON.stringify(state));
  const sim = await startSimulatorServer({ statePath: join(dir, "state.json"), port: 0, latencyMs: LATENCY_MS, rateLimitPerMinute: 0 });
  const requests = async () => ((await (await fetch(`${sim.url}/_sim/requests`)).json()) as unknown[]).length;

  const strategies = {
    "one list per customer (observe)": (d: DesiredState, b: PartnerCenterBackend) => observe(d, b, { concurrency: CONCURRENCY }),
    "naive: one GET per subscription": naiveObserve,
  };
  const results = new Map<string, { ms: number[]; requests: number; plan: Plan | undefined }>();
  try {
    for (let run = 0; run < RUNS; run++) {
      for (const [name, read] of Object.entries(strategies)) {
        // A fresh backend per run: its catalog memo must not hide the catalog reads.
        const backend = new PartnerCenterBackend({ endpoint: sim.url, credentials: { kind: "token", accessToken: "bench-token" } });
        await fetch(`${sim.url}/_sim/requests`, { method: "DELETE" });
        const started = performance.now();
        const result = plan(desired, await read(desired, backend), { now: new Date(NOW), backend: backend.name });
        const ms = performance.now() - started;
        const entry = results.get(name) ?? { ms: [], requests: 0, plan: undefined };
        results.set(name, { ms: [...entry.ms, ms], requests: await requests(), plan: result });
        await backend.close();
      }
    }
  } finally {
    await sim.close();
    rmSync(dir, { recursive: true, force: true });
  }

  const floorMs = (CUSTOMERS / CONCURRENCY) * LATENCY_MS;
  console.log(`remote: plan ${CUSTOMERS} customers × ${SUBSCRIPTIONS} subscriptions, ${LATENCY_MS} ms latency, ${CONCURRENCY} customers at a time, ${RUNS} runs each`);
  for (const [name, r] of results) {
    console.log(`  ${name.padEnd(34)} ${String(r.requests).padStart(5)} requests, median ${(median(r.ms) / 1000).toFixed(2)} s (${(median(r.ms) / floorMs).toFixed(1)}× the minimum)`);
  }
  console.log(`  latency-bound minimum              ${CUSTOMERS} ÷ ${CONCURRENCY} × ${LATENCY_MS} ms = ${(floorMs / 1000).toFixed(2)} s`);
  const [a, b] = [...results.values()];
  console.log(`  same plan from both strategies: ${a && b && isDeepStrictEqual(a.plan, b.plan) ? "yes" : "NO"}`);
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
