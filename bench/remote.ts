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
import { PartnerCenterBackend } from "../provider/client/partner-center";
import { parseDesired } from "../provider/desired";
import type { DesiredState, Plan } from "../provider/domain/types";
import { observe } from "../provider/observe";
import { plan } from "../provider/plan";
import { builtInCatalogData } from "../provider/simulator/catalog";
import { startSimulatorServer } from "../provider/simulator/server";
import type { SimState } from "../provider/simulator/state";
import { BENCH_NOW, desiredYaml, median, naiveObserve, syntheticTenant } from "./support";

const CUSTOMERS = 200;
const SUBSCRIPTIONS = 10;
const LATENCY_MS = 50;
/** Customers read at once: observe's default. */
const CONCURRENCY = 8;
const RUNS = 5;

/** The synthetic tenant and a YAML with work in it: some growth and some renewal changes, no reductions now. */
function tenant(): { state: SimState; yaml: string } {
  const { state, entries } = syntheticTenant({ customers: CUSTOMERS, subscriptions: SUBSCRIPTIONS });
  const yaml = desiredYaml(entries, (e) => ({ quantity: e.quantity + (e.index % 4 === 0 ? 1 : 0), ...(e.index % 5 === 1 ? { renewalQuantity: e.quantity - 1 } : {}) }));
  return { state, yaml };
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
    "naive: one GET per subscription": (d: DesiredState, b: PartnerCenterBackend) => naiveObserve(d, b, CONCURRENCY),
  };
  const results = new Map<string, { ms: number[]; requests: number; plan: Plan | undefined }>();
  try {
    for (let run = 0; run < RUNS; run++) {
      for (const [name, read] of Object.entries(strategies)) {
        // A fresh backend per run: its catalog memo must not hide the catalog reads.
        const backend = new PartnerCenterBackend({ endpoint: sim.url, credentials: { kind: "token", accessToken: "bench-token" }, priceList: builtInCatalogData() });
        await fetch(`${sim.url}/_sim/requests`, { method: "DELETE" });
        const started = performance.now();
        const result = plan(desired, await read(desired, backend), { now: new Date(BENCH_NOW), backend: backend.name });
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
