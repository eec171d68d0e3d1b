/**
 * Benchmark: a 200-resource Pulumi stack (20 customers × 10 subscriptions) through the SDK's
 * program runner and the real provider host (test/harness plays the engine), with the provider on
 * the partner-center backend against the simulator's HTTP facade, whose request log counts every
 * API call. Prints the calls made by `preview` (target: 0 — diff plans on the saved state) and by
 * `refresh` (target: one list call per customer) against the naive one GET per resource, each
 * operation's time, and the peak RSS of the program runner and the provider host. Run with
 * `npm run bench:pulumi`. Timings are printed, not asserted: machines differ.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { startSimulatorServer } from "../provider/simulator/server";
import type { SimState } from "../provider/simulator/state";
import { Harness, type OperationResult } from "../test/harness/engine";
import { BENCH_NOW, desiredYaml, peakRss, ratio, syntheticTenant } from "./support";

const CUSTOMERS = 20;
const SUBSCRIPTIONS = 10;
const REPO = join(__dirname, "..", "..", "..");

/** The tenant, and a YAML adopting every subscription as it is (`grow`: one more seat on every fifth). */
function tenant(): { state: SimState; yaml: (grow: boolean) => string } {
  const { state, entries } = syntheticTenant({ customers: CUSTOMERS, subscriptions: SUBSCRIPTIONS, terms: [["P1Y", "annual"]] });
  return { state, yaml: (grow) => desiredYaml(entries, (e) => ({ quantity: e.quantity + (grow && e.index % 5 === 0 ? 1 : 0) })) };
}

function count(result: OperationResult): string {
  const ops = new Map<string, number>();
  for (const s of result.steps) ops.set(s.op, (ops.get(s.op) ?? 0) + 1);
  return [...ops].map(([op, n]) => `${n} ${op}`).join(", ");
}

async function main(): Promise<void> {
  const { state, yaml } = tenant();
  const dir = mkdtempSync(join(tmpdir(), "seatplan-bench-pulumi-"));
  // A project shaped like a user's: the quickstart program, seatplan as a dependency.
  const project = join(dir, "project");
  mkdirSync(join(project, "node_modules"), { recursive: true });
  symlinkSync(REPO, join(project, "node_modules", "seatplan"), "dir");
  for (const f of ["Pulumi.yaml", "index.ts", "tsconfig.json"]) writeFileSync(join(project, f), readFileSync(join(REPO, "examples", "quickstart", f)));
  writeFileSync(join(project, "licences.yaml"), yaml(false));
  writeFileSync(join(dir, "simulator.json"), JSON.stringify(state));

  const sim = await startSimulatorServer({ statePath: join(dir, "simulator.json"), port: 0, rateLimitPerMinute: 0 });
  const h = await Harness.start({
    projectDir: project,
    stack: "bench",
    statePath: join(dir, "stack.json"),
    env: {
      SEATPLAN_BACKEND: "partner-center",
      SEATPLAN_ENDPOINT: sim.url,
      SEATPLAN_NOW: BENCH_NOW,
      // Each child prints its peak RSS on stderr as it exits.
      NODE_OPTIONS: `--require ${join(REPO, "bench", "report-rss.js")}`,
    },
    secretConfig: { "seatplan:accessToken": "bench-token" },
  });
  const rows: string[] = [];
  const rss = (result: OperationResult): string =>
    (["program", "provider"] as const)
      .map((p) => {
        const kib = /peak-rss-kib=(\d+)/.exec(result.processes[p]?.stderr ?? "")?.[1];
        return kib === undefined ? "" : `${p} ${(Number(kib) / 1024).toFixed(0)} MiB`;
      })
      .filter((t) => t !== "")
      .join(", ");
  const measure = async (label: string, run: () => Promise<OperationResult>, target?: number): Promise<void> => {
    sim.service.clearRequests();
    const started = performance.now();
    const result = await run();
    const ms = performance.now() - started;
    if (!result.ok) throw new Error(`${label} failed: ${result.errors.map((e) => e.message).join("\n")}`);
    const calls = sim.service.requests();
    const lists = calls.filter((r) => r.method === "GET" && /^\/v1\/customers\/[^/]+\/subscriptions$/.test(r.path)).length;
    const verdict = target === undefined ? "" : calls.length === target ? `  (target ${target}: met)` : `  (target ${target}: MISSED)`;
    // Naive: one GET per resource (what a provider reading each resource on its own would make).
    const naive = label.startsWith("up") ? "" : `, ${calls.length === 0 ? "0×" : ratio(calls.length, CUSTOMERS * SUBSCRIPTIONS)} the naive ${CUSTOMERS * SUBSCRIPTIONS} GETs`;
    rows.push(`  ${label.padEnd(30)} ${count(result).padEnd(22)} ${String(calls.length).padStart(5)} API calls (${lists} subscription lists${naive})  ${(ms / 1000).toFixed(1)} s  peak RSS ${rss(result)}${verdict}`);
  };
  try {
    await measure("preview, empty stack", () => h.preview(), 0);
    await measure("up (adopt 200)", () => h.up());
    await measure("preview, nothing changed", () => h.preview(), 0);
    writeFileSync(join(project, "licences.yaml"), yaml(true));
    await measure("preview, 40 seat changes", () => h.preview(), 0);
    await measure("refresh", () => h.refresh(), CUSTOMERS);
  } finally {
    await h.close();
    await sim.close();
    rmSync(dir, { recursive: true, force: true });
  }
  console.log(`pulumi: a ${CUSTOMERS * SUBSCRIPTIONS}-resource stack (${CUSTOMERS} customers × ${SUBSCRIPTIONS} subscriptions), partner-center backend on the simulator over HTTP`);
  for (const row of rows) console.log(row);
  console.log(`  peak RSS of this process (harness and simulator): ${peakRss()} MiB`);
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
