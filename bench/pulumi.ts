/**
 * Benchmark: a 200-resource Pulumi stack (20 customers × 10 subscriptions) through the SDK's
 * program runner and the real provider host (test/harness plays the engine), with the provider on
 * the partner-center backend against the simulator's HTTP facade, whose request log counts every
 * API call. Prints the calls made by `preview` (target: 0 — diff plans on the saved state) and by
 * `refresh` (target: one list call per customer), and each operation's time. Run with
 * `npm run bench:pulumi`. Timings are printed, not asserted: machines differ.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { formatWireDate } from "../provider/backends/partner-center/wire";
import { builtInCatalogData } from "../provider/simulator/catalog";
import { DAY_MS, startOfDay, termEnd } from "../provider/simulator/dates";
import { startSimulatorServer } from "../provider/simulator/server";
import type { SimState, SimSubscription } from "../provider/simulator/state";
import { Harness, type OperationResult } from "../test/harness/engine";

const CUSTOMERS = 20;
const SUBSCRIPTIONS = 10;
const NOW = "2026-11-23T10:00:00.000Z";
const OFFERS = ["CFQ7TTC0LH18:0001", "CFQ7TTC0LDPB:0001", "CFQ7TTC0LCHC:0002", "CFQ7TTC0LH1G:0001", "CFQ7TTC0LH16:0001"];
const REPO = join(__dirname, "..", "..", "..");

/** A GUID made from two counters, so the tenant is the same on every run. */
function guid(a: number, b: number): string {
  const hex = (n: number, width: number): string => n.toString(16).padStart(width, "0");
  return `${hex(a, 8)}-${hex(b, 4)}-4000-8000-${hex(a * 16 + b, 12)}`;
}

/** The tenant, and a YAML adopting every subscription as it is (`grow`: one more seat on every fifth). */
function tenant(): { state: SimState; yaml: (grow: boolean) => string } {
  const catalog = builtInCatalogData();
  const customers: SimState["customers"] = [];
  const entries: { customer: number; id: string; offer: string; quantity: number }[] = [];
  for (let c = 0; c < CUSTOMERS; c++) {
    const subscriptions: SimSubscription[] = [];
    for (let s = 0; s < SUBSCRIPTIONS; s++) {
      const offer = catalog.offers.find((o) => o.offer === OFFERS[s % OFFERS.length]);
      if (!offer) throw new Error("bench offer missing from the built-in catalog");
      const start = startOfDay(Date.parse(NOW) - (20 + ((c * 7 + s * 13) % 300)) * DAY_MS);
      const quantity = 5 + ((c + s) % 20);
      subscriptions.push({
        id: guid(c, s + 1),
        offerId: `${offer.offer}:${offer.availabilityId}`,
        offerName: offer.name,
        friendlyName: `sub-${s}`,
        quantity,
        status: "active",
        autoRenewEnabled: true,
        termDuration: "P1Y",
        billingCycle: "annual",
        effectiveStartDate: formatWireDate(start),
        commitmentEndDate: formatWireDate(termEnd(start, "P1Y")),
      });
      entries.push({ customer: c, id: guid(c, s + 1), offer: offer.offer, quantity });
    }
    customers.push({ id: guid(c, 0), companyName: `Customer ${c}`, domain: `customer${c}.onmicrosoft.com`, subscriptions });
  }
  const yaml = (grow: boolean): string => {
    const lines = ["version: 1", "customers:"];
    for (let c = 0; c < CUSTOMERS; c++) {
      lines.push(`  customer-${c}:`, `    tenantId: ${guid(c, 0)}`, "    subscriptions:");
      entries
        .filter((e) => e.customer === c)
        .forEach((e, s) => {
          const quantity = e.quantity + (grow && s % 5 === 0 ? 1 : 0);
          lines.push(`      sub-${s}:`, `        id: ${e.id}`, `        offer: ${e.offer}`, "        term: P1Y", "        billing: annual", `        quantity: ${quantity}`);
        });
    }
    return `${lines.join("\n")}\n`;
  };
  return { state: { version: 1, now: NOW, customers }, yaml };
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
    env: { SEATPLAN_BACKEND: "partner-center", SEATPLAN_ENDPOINT: sim.url, SEATPLAN_NOW: NOW },
    secretConfig: { "seatplan:accessToken": "bench-token" },
  });
  const rows: string[] = [];
  const measure = async (label: string, run: () => Promise<OperationResult>, target?: number): Promise<void> => {
    sim.service.clearRequests();
    const started = performance.now();
    const result = await run();
    const ms = performance.now() - started;
    if (!result.ok) throw new Error(`${label} failed: ${result.errors.map((e) => e.message).join("\n")}`);
    const calls = sim.service.requests();
    const lists = calls.filter((r) => r.method === "GET" && /^\/v1\/customers\/[^/]+\/subscriptions$/.test(r.path)).length;
    const verdict = target === undefined ? "" : calls.length === target ? `  (target ${target}: met)` : `  (target ${target}: MISSED)`;
    rows.push(`  ${label.padEnd(30)} ${count(result).padEnd(22)} ${String(calls.length).padStart(5)} API calls (${lists} subscription lists)  ${(ms / 1000).toFixed(1)} s${verdict}`);
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
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
