/**
 * Benchmark: plan through the partner-center backend against the simulator's HTTP facade with
 * 50 ms latency per response and Partner Center's rate limit (500 requests per minute per
 * customer), each against the latency-bound floor (requests × latency ÷ concurrency):
 *
 * 1. 200 customers × 10 subscriptions: the planner's reads (one list per customer, licence usage
 *    only where seats go down) against a naive strategy (one GET per subscription), interleaved.
 * 2. 5,000 customers × 2 subscriptions: the planner's reads once (bounded: about half a minute).
 *
 * Prints requests per plan (customers + customers whose plan lowers seats + a constant), the
 * medians, the ratio to the floor and peak RSS. Run with `npm run bench:remote`. Timings only, no
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
import { BENCH_NOW, desiredYaml, median, naiveObserve, peakRss, ratio, syntheticTenant } from "./support";

const LATENCY_MS = 50;
const RATE_LIMIT_PER_MINUTE = 500;
/** Customers read at once: observe's default. */
const CONCURRENCY = 8;
const RUNS = 3;
/** Every fifth customer schedules a lower renewal quantity: only those need licence usage. */
const REDUCING_EVERY = 5;

interface Setup {
  readonly desired: DesiredState;
  readonly reducing: number;
  readonly url: string;
  readonly requests: () => Promise<number>;
  readonly close: () => Promise<void>;
}

async function setup(customers: number, subscriptions: number): Promise<Setup> {
  const { state, entries } = syntheticTenant({ customers, subscriptions });
  const yaml = desiredYaml(entries, (e) => ({
    quantity: e.quantity + (e.index % 4 === 0 ? 1 : 0),
    ...(e.index === 1 && e.customer % REDUCING_EVERY === 0 ? { renewalQuantity: e.quantity - 1 } : {}),
  }));
  const { state: desired, issues } = parseDesired(yaml, "bench.yaml");
  if (!desired) throw new Error(`generated file is invalid: ${issues[0]?.message ?? "?"}`);
  const dir = mkdtempSync(join(tmpdir(), "seatplan-bench-remote-"));
  writeFileSync(join(dir, "state.json"), JSON.stringify(state));
  const sim = await startSimulatorServer({ statePath: join(dir, "state.json"), port: 0, latencyMs: LATENCY_MS, rateLimitPerMinute: RATE_LIMIT_PER_MINUTE, requestLogLimit: 1_000_000 });
  return {
    desired,
    reducing: Math.ceil(customers / REDUCING_EVERY),
    url: sim.url,
    requests: async () => ((await (await fetch(`${sim.url}/_sim/requests`)).json()) as unknown[]).length,
    close: async () => {
      await sim.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * A delegated (app+user) bearer token, as licence usage needs: a JWT whose payload has `scp`. The
 * simulator without a partner section accepts any token; the client reads the claim only.
 */
const b64 = (o: unknown): string => Buffer.from(JSON.stringify(o)).toString("base64url");
const BENCH_TOKEN = `${b64({ alg: "none", typ: "JWT" })}.${b64({ scp: "user_impersonation", exp: 4_102_444_800 })}.bench`;

type Read = (d: DesiredState, b: PartnerCenterBackend) => ReturnType<typeof observe>;

async function timedPlan(s: Setup, read: Read): Promise<{ ms: number; requests: number; plan: Plan }> {
  // A fresh backend per run: its catalog memo must not hide the catalog reads.
  const backend = new PartnerCenterBackend({ endpoint: s.url, credentials: { kind: "token", accessToken: BENCH_TOKEN }, priceList: builtInCatalogData() });
  await fetch(`${s.url}/_sim/requests`, { method: "DELETE" });
  const started = performance.now();
  const result = plan(s.desired, await read(s.desired, backend), { now: new Date(BENCH_NOW), backend: backend.name });
  const ms = performance.now() - started;
  await backend.close();
  return { ms, requests: await s.requests(), plan: result };
}

const steps = (p: Plan | undefined): string[] => (p?.steps ?? []).map((s) => `${s.customer}/${s.subscription} ${s.action} ${s.timing}`);
const floorMs = (requests: number): number => (requests * LATENCY_MS) / CONCURRENCY;
const seconds = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;

async function compare(customers: number, subscriptions: number): Promise<void> {
  const s = await setup(customers, subscriptions);
  try {
    const strategies: Record<string, Read> = {
      "seatplan (list per customer)": (d, b) => observe(d, b, { concurrency: CONCURRENCY }),
      "naive (GET per subscription)": (d, b) => naiveObserve(d, b, CONCURRENCY),
    };
    const results = new Map<string, { ms: number[]; requests: number; plan: Plan | undefined }>();
    for (let run = 0; run < RUNS; run++) {
      for (const [name, read] of Object.entries(strategies)) {
        const r = await timedPlan(s, read);
        const entry = results.get(name) ?? { ms: [], requests: 0, plan: undefined };
        results.set(name, { ms: [...entry.ms, r.ms], requests: r.requests, plan: r.plan });
      }
    }
    console.log(`remote: ${customers} customers × ${subscriptions} subscriptions over HTTP, ${LATENCY_MS} ms latency, ${RATE_LIMIT_PER_MINUTE} req/min per customer, ${CONCURRENCY} customers at a time, ${RUNS} runs each (interleaved)`);
    for (const [name, r] of results) {
      const m = median(r.ms);
      // The naive strategy reads a customer's subscriptions in parallel too: its floor is not requests ÷ 8.
      const floor = name.startsWith("seatplan") ? `, ${ratio(m, floorMs(r.requests))} its latency floor (${seconds(floorMs(r.requests))})` : "";
      console.log(`  ${name.padEnd(30)} ${String(r.requests).padStart(6)} requests, median ${seconds(m)}${floor}`);
    }
    const [a, b] = [...results.values()];
    if (a && b) {
      console.log(`  seatplan requests per plan: ${a.requests} = ${customers} customers + ${s.reducing} customers lowering seats + ${a.requests - customers - s.reducing}`);
      console.log(`  naive/seatplan: ${ratio(b.requests, a.requests)} the requests, ${ratio(median(b.ms), median(a.ms))} the time; same steps from both: ${isDeepStrictEqual(steps(a.plan), steps(b.plan)) ? "yes" : "NO"} (the naive reads skip licence usage, so only seatplan's plan warns about assigned seats)`);
    }
  } finally {
    await s.close();
  }
}

async function large(customers: number, subscriptions: number): Promise<void> {
  const s = await setup(customers, subscriptions);
  try {
    const r = await timedPlan(s, (d, b) => observe(d, b, { concurrency: CONCURRENCY }));
    console.log(`remote: ${customers} customers × ${subscriptions} subscriptions over HTTP, ${LATENCY_MS} ms latency, ${RATE_LIMIT_PER_MINUTE} req/min per customer, ${CONCURRENCY} customers at a time, one run`);
    console.log(`  seatplan: ${r.requests} requests = ${customers} customers + ${s.reducing} customers lowering seats + ${r.requests - customers - s.reducing}, ${seconds(r.ms)}, ${ratio(r.ms, floorMs(r.requests))} its latency floor (${seconds(floorMs(r.requests))}), ${r.plan.steps.length} steps`);
  } finally {
    await s.close();
  }
}

async function main(): Promise<void> {
  await compare(200, 10);
  await large(5_000, 2);
  console.log(`  peak RSS of this process (bench, server and client together): ${peakRss()} MiB`);
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
