// Shared by the Pulumi provider tests: the demo tenant at a fixed instant, a Pulumi project
// shaped like a user's, inputs for the demo tenant's entries, and a check that the build is fresh.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { SimulatorBackend } from "../../provider/backends/simulator";
import type { SubscriptionEntry, SubscriptionInputs } from "../../provider/pulumi";
import { packageVersion } from "../../provider/pulumi/version";
import { DEMO_CUSTOMERS, demoState } from "../../provider/simulator/demo";

export const REPO = path.join(__dirname, "..", "..");
export const QUICKSTART = path.join(REPO, "examples", "quickstart");

/** The simulator clock of every test state, also given as SEATPLAN_NOW so diff plans at it. */
export const DEMO_NOW = "2026-11-23T10:00:00.000Z";
/** A fake credential: it must never show up in serialized providers, state files or messages. */
export const FAKE_SECRET = "fake-secret-7c1e9a";

export function tempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `seatplan-${prefix}-`));
}

/** The demo tenant, frozen at {@link DEMO_NOW}, written to `file`. */
export function writeDemoState(file: string): string {
  fs.writeFileSync(file, `${JSON.stringify(demoState(Date.parse(DEMO_NOW)), null, 2)}\n`);
  return file;
}

/** A second handle on a simulator state file, for looking at it and changing it behind the provider's back. */
export function openSimulator(statePath: string): Promise<SimulatorBackend> {
  return SimulatorBackend.open({ statePath, createIfMissing: false, rateLimitPerMinute: 0 });
}

/**
 * A Pulumi project laid out as a user's: the quickstart's program files and YAML, and seatplan as
 * a dependency (`node_modules/seatplan`, a link to this repository, which must be built).
 */
export function userProject(dir: string): string {
  fs.mkdirSync(path.join(dir, "node_modules"), { recursive: true });
  fs.symlinkSync(REPO, path.join(dir, "node_modules", "seatplan"), "dir");
  for (const f of ["Pulumi.yaml", "index.ts", "tsconfig.json", "licences.yaml"]) fs.copyFileSync(path.join(QUICKSTART, f), path.join(dir, f));
  return dir;
}

/** A JSON-safe entry with the YAML defaults, as `entryOf` produces it. */
export function entry(key: string, fields: Partial<SubscriptionEntry> & Pick<SubscriptionEntry, "offer" | "term" | "billing" | "quantity">): SubscriptionEntry {
  return { key, id: null, autoRenew: true, status: "active", friendlyName: key, alignEndDate: null, renewal: null, upgrade: null, ...fields };
}

export const ROCKIT = DEMO_CUSTOMERS.rockit;
export const NORTHWIND = DEMO_CUSTOMERS.northwind;

/** Demo tenant entries as the quickstart declares them before any change. */
export const DEMO_ENTRIES = {
  appsForBusiness: entry("apps-for-business", { id: "ec4accce-b04f-4b8d-dc23-629b6d8e630b", offer: "CFQ7TTC0LH1G:0001", term: "P1Y", billing: "annual", quantity: 3 }),
  businessBasic: entry("business-basic", { offer: "CFQ7TTC0LH18:0001", term: "P1Y", billing: "monthly", quantity: 5 }),
  teamsEssentials: entry("teams-essentials", { offer: "CFQ7TTC0JN4R:0002", term: "P1M", billing: "monthly", quantity: 4 }),
  businessStandard: entry("business-standard", { offer: "CFQ7TTC0LDPB:0001", term: "P1Y", billing: "monthly", quantity: 8 }),
  entraIdP1: entry("entra-id-p1", { offer: "CFQ7TTC0LFLS:0002", term: "P1Y", billing: "annual", quantity: 5 }),
};

/** Checked inputs of a resource for `e`, of Rockit unless said otherwise. */
export function inputs(e: SubscriptionEntry, customer: { key: string; tenantId: string } = { key: "rockit", tenantId: ROCKIT }): SubscriptionInputs {
  return { entry: e, customerKey: customer.key, customerTenantId: customer.tenantId, reductions: "block", removed: "release", related: [], providerVersion: packageVersion() };
}

/** Paths of every `undefined` in a value (the engine's Struct refuses them). */
export function undefinedPaths(value: unknown, at = "$"): string[] {
  if (value === undefined) return [at];
  if (Array.isArray(value)) return value.flatMap((v, i) => undefinedPaths(v, `${at}[${i}]`));
  if (typeof value === "object" && value !== null) return Object.entries(value).flatMap(([k, v]) => undefinedPaths(v, `${at}.${k}`));
  return [];
}

/**
 * The provider host and the SDK's serializer run the built package (dist/), not these sources:
 * fail early, with the fix, when dist/ is older than a source file.
 */
export function requireFreshBuild(): void {
  const built = path.join(REPO, "dist", "provider", "pulumi", "runtime.js");
  if (!fs.existsSync(built)) throw new Error("dist/ is missing: run `npm run build` before these tests");
  const builtAt = fs.statSync(built).mtimeMs;
  const sources = (dir: string): string[] =>
    fs.readdirSync(dir, { withFileTypes: true }).flatMap((d) => (d.isDirectory() ? sources(path.join(dir, d.name)) : d.name.endsWith(".ts") ? [path.join(dir, d.name)] : []));
  const stale = sources(path.join(REPO, "provider")).filter((f) => fs.statSync(f).mtimeMs > builtAt);
  if (stale.length > 0) throw new Error(`dist/ is older than ${path.relative(REPO, stale[0] ?? "")}: run \`npm run build\` before these tests`);
}
