/**
 * Benchmark: plan 1,000 customers × 10 subscriptions on the embedded simulator, two ways, in the
 * same run: seatplan's observer (one list call per customer, the catalog once) and a naive
 * strategy that reads every subscription on its own. Prints backend calls per plan and the
 * median time of each. Run with `npm run bench:plan`. Timings only, no assertion: machines differ.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import pLimit from "p-limit";
import type { Backend } from "../provider/backends/backend";
import { SimulatorBackend } from "../provider/backends/simulator";
import { parseDesired } from "../provider/desired";
import type { DesiredState, Plan } from "../provider/domain/types";
import { observe } from "../provider/observe";
import { type Observation, plan } from "../provider/plan";
import type { SimState, SimSubscription } from "../provider/simulator/state";

const CUSTOMERS = 1_000;
const SUBSCRIPTIONS = 10;
const RUNS = 5;
const NOW = "2026-11-23T10:00:00.000Z";
const OFFERS = [
  ["CFQ7TTC0LH18:0001", "SIMAV0000001"],
  ["CFQ7TTC0LDPB:0001", "SIMAV0000002"],
  ["CFQ7TTC0LCHC:0002", "SIMAV0000003"],
  ["CFQ7TTC0LH1G:0001", "SIMAV0000004"],
  ["CFQ7TTC0LH16:0001", "SIMAV0000013"],
] as const;

/** A GUID made from two counters, so the tenant is the same on every run. */
function guid(a: number, b: number): string {
  const hex = (n: number, width: number): string => n.toString(16).padStart(width, "0");
  return `${hex(a, 8)}-${hex(b, 4)}-4000-8000-${hex(a * 16 + b, 12)}`;
}

function tenant(): { state: SimState; yaml: string } {
  const customers: SimState["customers"] = [];
  const yaml = ["version: 1", "customers:"];
  for (let c = 0; c < CUSTOMERS; c++) {
    const subscriptions: SimSubscription[] = [];
    yaml.push(`  customer-${c}:`, `    tenantId: ${guid(c, 0)}`, "    subscriptions:");
    for (let s = 0; s < SUBSCRIPTIONS; s++) {
      const [offer, availability] = OFFERS[s % OFFERS.length] ?? OFFERS[0];
      const billing = s % 2 === 0 ? "annual" : "monthly";
      const start = Date.parse("2026-01-01T00:00:00Z") + ((c * 7 + s * 31) % 300) * 86_400_000;
      const end = new Date(start);
      end.setUTCFullYear(end.getUTCFullYear() + 1);
      const quantity = 5 + ((c + s) % 40);
      subscriptions.push({
        id: guid(c, s + 1),
        offerId: `${offer}:${availability}`,
        offerName: offer,
        friendlyName: `sub-${s}`,
        quantity,
        status: "active",
        autoRenewEnabled: true,
        termDuration: "P1Y",
        billingCycle: billing,
        effectiveStartDate: new Date(start).toISOString(),
        commitmentEndDate: new Date(end.getTime() - 86_400_000).toISOString(),
        scheduledNextTermInstructions: null,
      });
      // A plan without upgrades or reductions: some seats added, some renewals scheduled, most unchanged.
      yaml.push(`      sub-${s}:`, `        id: ${guid(c, s + 1)}`, `        offer: ${offer}`, "        term: P1Y", `        billing: ${billing}`);
      yaml.push(`        quantity: ${quantity + (s === 0 ? 2 : 0)}`);
      if (s === 1) yaml.push("        renewal:", `          quantity: ${quantity + 5}`);
    }
    customers.push({ id: guid(c, 0), companyName: `Customer ${c}`, domain: `customer${c}.onmicrosoft.com`, subscriptions });
  }
  return { state: { version: 1, now: NOW, customers }, yaml: `${yaml.join("\n")}\n` };
}

/** Counts every backend call (reads and writes alike). */
function counting(backend: Backend): { backend: Backend; calls: () => number; reset: () => void } {
  let calls = 0;
  const counted = new Proxy(backend, {
    get(target, key, receiver) {
      const value: unknown = Reflect.get(target, key, receiver);
      if (typeof value !== "function" || key === "capabilities") return value;
      return (...args: unknown[]): unknown => {
        calls += 1;
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return { backend: counted, calls: () => calls, reset: () => (calls = 0) };
}

/** The naive way: one read per declared subscription (plus the catalog), then the same planner. */
async function naiveObserve(desired: DesiredState, backend: Backend): Promise<Observation> {
  const limit = pLimit(8);
  const catalog = await backend.getCatalog();
  const customers = await Promise.all(
    desired.customers.map(async (c) => {
      const subscriptions = await Promise.all(c.subscriptions.map((s) => limit(() => backend.getSubscription(c.tenantId, s.id ?? ""))));
      return [c.key, { subscriptions }] as const;
    }),
  );
  return { catalog, customers: Object.fromEntries(customers) };
}

async function timed(run: () => Promise<Plan>): Promise<{ ms: number; plan: Plan }> {
  const start = performance.now();
  const result = await run();
  return { ms: performance.now() - start, plan: result };
}

function median(xs: readonly number[]): number {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "seatplan-bench-plan-"));
  try {
    const { state, yaml } = tenant();
    const statePath = join(dir, "simulator.json");
    writeFileSync(statePath, JSON.stringify(state));
    const parsed = parseDesired(yaml, "bench.yaml");
    if (parsed.state === undefined) throw new Error(`generated YAML is invalid: ${parsed.issues[0]?.message ?? "?"}`);
    const desired = parsed.state;
    const sim = await SimulatorBackend.open({ statePath, createIfMissing: false, rateLimitPerMinute: 0 });
    const { backend, calls, reset } = counting(sim);
    const ctx = { now: new Date(NOW), backend: backend.name };
    const strategies = {
      seatplan: async () => plan(desired, await observe(desired, backend), ctx),
      naive: async () => plan(desired, await naiveObserve(desired, backend), ctx),
    } as const;
    const results: Record<keyof typeof strategies, { ms: number[]; calls: number; steps: number }> = {
      seatplan: { ms: [], calls: 0, steps: 0 },
      naive: { ms: [], calls: 0, steps: 0 },
    };
    // Interleaved so both see the same warm caches and machine load.
    for (let run = 0; run < RUNS; run++) {
      for (const name of ["seatplan", "naive"] as const) {
        reset();
        const { ms, plan: p } = await timed(strategies[name]);
        results[name].ms.push(ms);
        results[name].calls = calls();
        results[name].steps = p.steps.length;
      }
    }
    const [a, b] = [results.seatplan, results.naive];
    console.log(`plan: ${CUSTOMERS} customers × ${SUBSCRIPTIONS} subscriptions on the embedded simulator, ${RUNS} runs each (interleaved)`);
    console.log(`  seatplan (list per customer): ${a.calls} backend calls per plan (= ${CUSTOMERS} customers + ${a.calls - CUSTOMERS}), median ${median(a.ms).toFixed(0)} ms, ${a.steps} steps`);
    console.log(`  naive (get per subscription): ${b.calls} backend calls per plan, median ${median(b.ms).toFixed(0)} ms, ${b.steps} steps`);
    console.log(`  ratio: ${(b.calls / a.calls).toFixed(1)}× fewer calls, ${(median(b.ms) / median(a.ms)).toFixed(1)}× faster`);
    if (a.steps !== b.steps) throw new Error(`the two strategies planned different steps (${a.steps} vs ${b.steps})`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
