/**
 * Benchmark: plan 1,000 customers × 10 subscriptions on the embedded simulator.
 *
 * 1. As the user runs it: `seatplan plan` processes on a fresh state file (the first plan, with
 *    renewals due since the file was written) and again (repeated plans): the first/repeated
 *    ratio, each process's peak RSS, and the state file's hash before and after (reads never write).
 * 2. In process, interleaved: seatplan's reads (one list per customer, licence usage only where
 *    seats go down) against the naive strategy (one GET per subscription): backend calls per
 *    plan and median times, as a ratio.
 *
 * Run with `npm run bench:plan`. Timings only, no assertion: machines differ.
 */
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { performance } from "node:perf_hooks";
import type { Backend } from "../provider/backends/backend";
import { openSimulatorBackend } from "../provider/config/backends";
import { parseDesired } from "../provider/desired";
import type { Plan } from "../provider/domain/types";
import { observe } from "../provider/observe";
import { plan } from "../provider/plan";
import type { SimState } from "../provider/simulator/state";
import { BENCH_NOW, desiredYaml, median, naiveObserve, peakRss, ratio, syntheticTenant } from "./support";

const CUSTOMERS = 1_000;
const SUBSCRIPTIONS = 10;
const RUNS = 5;
const PROCESS_RUNS = 3;
/** Every tenth customer schedules a lower renewal quantity: only those need licence usage. */
const REDUCING_EVERY = 10;
const ROOT = resolve(__dirname, "..", "..", "..");

/** The synthetic tenant and a YAML with work in it: seats added, renewals scheduled (some lower), most unchanged. */
function tenant(): { state: SimState; yaml: string } {
  const { state, entries } = syntheticTenant({ customers: CUSTOMERS, subscriptions: SUBSCRIPTIONS });
  const yaml = desiredYaml(entries, (e) => ({
    quantity: e.quantity + (e.index === 0 ? 2 : 0),
    ...(e.index === 1 && e.term !== "P1M" ? { renewalQuantity: e.quantity + 5 } : {}),
    ...(e.index === 3 && e.customer % REDUCING_EVERY === 0 ? { renewalQuantity: e.quantity - 1 } : {}),
  }));
  return { state, yaml };
}

/** Counts every backend call (reads and writes alike), by method. */
function counting(backend: Backend): { backend: Backend; calls: () => Record<string, number>; reset: () => void } {
  let calls: Record<string, number> = {};
  const counted = new Proxy(backend, {
    get(target, key, receiver) {
      const value: unknown = Reflect.get(target, key, receiver);
      if (typeof value !== "function" || key === "capabilities") return value;
      return (...args: unknown[]): unknown => {
        calls[String(key)] = (calls[String(key)] ?? 0) + 1;
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return { backend: counted, calls: () => calls, reset: () => (calls = {}) };
}

const total = (calls: Record<string, number>): number => Object.values(calls).reduce((a, b) => a + b, 0);
const hash = (file: string): string => createHash("sha256").update(readFileSync(file)).digest("hex").slice(0, 16);

/** One `seatplan plan` process: wall time (ms) and peak RSS (MiB). */
function planProcess(dir: string, statePath: string): { ms: number; rssMiB: number } {
  const start = performance.now();
  const result = spawnSync(
    process.execPath,
    ["--require", join(ROOT, "bench", "report-rss.js"), join(ROOT, "bin", "seatplan.js"), "plan", "bench.yaml", "--format", "json"],
    { cwd: dir, encoding: "utf8", maxBuffer: 1 << 30, env: { ...process.env, SEATPLAN_BACKEND: "simulator", SEATPLAN_SIMULATOR_STATE: statePath, SEATPLAN_NOW: BENCH_NOW } },
  );
  const ms = performance.now() - start;
  if (result.status !== 0 && result.status !== 2) throw new Error(`seatplan plan exited ${String(result.status)}: ${result.stderr.slice(0, 2000)}`);
  return { ms, rssMiB: Number(/peak-rss-kib=(\d+)/.exec(result.stderr)?.[1] ?? 0) / 1024 };
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "seatplan-bench-plan-"));
  try {
    const { state, yaml } = tenant();
    const statePath = join(dir, "simulator.json");
    writeFileSync(statePath, JSON.stringify(state));
    writeFileSync(join(dir, "bench.yaml"), yaml);
    const parsed = parseDesired(yaml, "bench.yaml");
    if (parsed.state === undefined) throw new Error(`generated YAML is invalid: ${parsed.issues[0]?.message ?? "?"}`);
    const desired = parsed.state;

    // 1. Processes: the first plan on the fresh file, then repeated ones.
    const before = hash(statePath);
    const first = planProcess(dir, statePath);
    const repeated = Array.from({ length: PROCESS_RUNS }, () => planProcess(dir, statePath));
    const after = hash(statePath);
    const repeatedMs = median(repeated.map((r) => r.ms));
    const rss = Math.max(first.rssMiB, ...repeated.map((r) => r.rssMiB));
    const repeatedRss = Math.max(...repeated.map((r) => r.rssMiB));
    console.log(`plan: ${CUSTOMERS} customers × ${SUBSCRIPTIONS} subscriptions on the embedded simulator (state file ${(readFileSync(statePath).length / 1048576).toFixed(1)} MiB)`);
    console.log(`  seatplan plan process: first ${(first.ms / 1000).toFixed(2)} s, repeated median ${(repeatedMs / 1000).toFixed(2)} s of ${PROCESS_RUNS}: first/repeated ${ratio(first.ms, repeatedMs)} (target ≤ 1.5×)`);
    console.log(
      `  peak RSS of a plan process: first ${first.rssMiB.toFixed(0)} MiB, repeated ${repeated.map((r) => r.rssMiB.toFixed(0)).join(" / ")} MiB (max ${repeatedRss.toFixed(0)} MiB); highest ${rss.toFixed(0)} MiB = ${((rss * 1048576) / 1e6).toFixed(0)} MB (target < 200 MB)`,
    );
    console.log(`  state file hash before/after ${PROCESS_RUNS + 1} plans: ${before} / ${after} (${before === after ? "unchanged: reads never write" : "CHANGED"})`);

    // 2. In process: seatplan's reads against the naive strategy.
    const sim = await openSimulatorBackend({ statePath, createIfMissing: false, rateLimitPerMinute: 0 });
    const { backend, calls, reset } = counting(sim);
    const ctx = { now: new Date(BENCH_NOW), backend: backend.name };
    const strategies = {
      seatplan: async () => plan(desired, await observe(desired, backend), ctx),
      naive: async () => plan(desired, await naiveObserve(desired, backend), ctx),
    } as const;
    const results: Record<keyof typeof strategies, { ms: number[]; calls: Record<string, number>; steps: number }> = {
      seatplan: { ms: [], calls: {}, steps: 0 },
      naive: { ms: [], calls: {}, steps: 0 },
    };
    // Interleaved so both see the same warm caches and machine load.
    for (let run = 0; run < RUNS; run++) {
      for (const name of ["seatplan", "naive"] as const) {
        reset();
        const start = performance.now();
        const p: Plan = await strategies[name]();
        results[name].ms.push(performance.now() - start);
        results[name].calls = calls();
        results[name].steps = p.steps.length;
      }
    }
    const [a, b] = [results.seatplan, results.naive];
    const reducing = Math.ceil(CUSTOMERS / REDUCING_EVERY);
    const usage = a.calls["getLicenceUsage"] ?? 0;
    console.log(`  in process, ${RUNS} runs each (interleaved):`);
    console.log(
      `    seatplan reads: ${total(a.calls)} backend calls per plan = ${CUSTOMERS} customers + ${usage} licence-usage reads (${reducing} customers schedule fewer seats) + ${total(a.calls) - CUSTOMERS - usage}; median ${median(a.ms).toFixed(0)} ms, ${a.steps} steps`,
    );
    console.log(`    naive (get per subscription): ${total(b.calls)} backend calls per plan, median ${median(b.ms).toFixed(0)} ms, ${b.steps} steps`);
    console.log(`    ratio naive/seatplan: ${ratio(total(b.calls), total(a.calls))} the calls, ${ratio(median(b.ms), median(a.ms))} the time; this process's peak RSS ${peakRss()} MiB`);
    if (a.steps !== b.steps) throw new Error(`the two strategies planned different steps (${a.steps} vs ${b.steps})`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
