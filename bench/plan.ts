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
import type { Backend } from "../provider/backends/backend";
import { openSimulatorBackend } from "../provider/config/backends";
import { parseDesired } from "../provider/desired";
import type { Plan } from "../provider/domain/types";
import { observe } from "../provider/observe";
import { plan } from "../provider/plan";
import type { SimState } from "../provider/simulator/state";
import { BENCH_NOW, desiredYaml, median, naiveObserve, syntheticTenant } from "./support";

const CUSTOMERS = 1_000;
const SUBSCRIPTIONS = 10;
const RUNS = 5;

/** The synthetic tenant and a YAML with work in it: some seats added, some renewals scheduled, most unchanged, no reductions. */
function tenant(): { state: SimState; yaml: string } {
  const { state, entries } = syntheticTenant({ customers: CUSTOMERS, subscriptions: SUBSCRIPTIONS });
  const yaml = desiredYaml(entries, (e) => ({ quantity: e.quantity + (e.index === 0 ? 2 : 0), ...(e.index === 1 && e.term !== "P1M" ? { renewalQuantity: e.quantity + 5 } : {}) }));
  return { state, yaml };
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

async function timed(run: () => Promise<Plan>): Promise<{ ms: number; plan: Plan }> {
  const start = performance.now();
  const result = await run();
  return { ms: performance.now() - start, plan: result };
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
    const sim = await openSimulatorBackend({ statePath, createIfMissing: false, rateLimitPerMinute: 0 });
    const { backend, calls, reset } = counting(sim);
    const ctx = { now: new Date(BENCH_NOW), backend: backend.name };
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
