// Parity cross-check (issue 8): for every scenario of the plan table, the writes `pulumi up` makes
// (through test/harness: the SDK's program runner and the real provider host) are the steps
// `seatplan plan` printed for the same YAML and tenant — removals included, under both
// `policy.removed` values. The provider's writes are read from the audit log, and checked
// against the simulator's own record of writes.
//
// The harness is slow, so scenarios share stacks: every scenario becomes two customers of one
// tenant (one per removal policy), and the scenarios planned at one instant share a simulator
// state and a stack (one YAML file per set of policies, all read by one program). Per stack: one
// `up` applies every scenario, one `up` with every entry removed applies the removals.
import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import YAML from "yaml";
import type { AuditRecord } from "../../provider/audit";
import { main } from "../../provider/cli/main";
import type { Plan, PlanStep } from "../../provider/domain/types";
import type { SimState } from "../../provider/simulator/state";
import { Harness } from "../harness/engine";
import { NOW, type Scenario, stateOf } from "../plan/fixtures";
import { SCENARIOS } from "../plan/scenarios";
import { REPO, requireFreshBuild, tempDir } from "./support";

type Removal = "release" | "cancel";
const REMOVALS: readonly Removal[] = ["release", "cancel"];

/** A scenario as one customer of a shared tenant. */
interface Placed {
  readonly scenario: Scenario;
  readonly key: string;
  readonly tenantId: string;
  readonly removal: Removal;
  readonly reductions: "block" | "defer";
  readonly seatCap: "warn" | "block";
}

/** Scenarios the YAML cannot express (their state is tweaked after parsing) cannot run through Pulumi. */
const runnable = SCENARIOS.filter((s) => s.tweak === undefined);

/** Scenarios planned at one instant share a tenant clock and a stack. */
function groups(): Map<string, Placed[]> {
  const out = new Map<string, Placed[]>();
  runnable.forEach((scenario, i) => {
    const clock = `${scenario.now ?? NOW}|${scenario.planAt ?? scenario.now ?? NOW}`;
    for (const [j, removal] of REMOVALS.entries()) {
      const n = i * REMOVALS.length + j;
      const placed: Placed = {
        scenario,
        key: `${removal === "release" ? "r" : "c"}${i}`,
        tenantId: `00000000-0000-4000-8000-${n.toString(16).padStart(12, "0")}`,
        removal,
        reductions: scenario.policy ?? "block",
        seatCap: scenario.businessSeatCap ?? "warn",
      };
      out.set(clock, [...(out.get(clock) ?? []), placed]);
    }
  });
  return out;
}

/** Subscription ids made unique per customer: the scenario's id with the customer's number in front. */
function idOf(p: Placed, id: string): string {
  return `${p.tenantId.slice(-8)}${id.slice(8)}`;
}

function tenantOf(placed: readonly Placed[], now: string): SimState {
  return {
    version: 1,
    now,
    settings: { cancellationWindowHours: 168 },
    customers: placed.map((p) => {
      const [customer] = stateOf(p.scenario).customers;
      if (customer === undefined) throw new Error("a scenario without its customer");
      return { ...customer, id: p.tenantId, companyName: p.key, subscriptions: customer.subscriptions.map((s) => ({ ...s, id: idOf(p, s.id) })) };
    }),
  };
}

function entriesOf(p: Placed): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(p.scenario.entries).map(([key, e]) => [key, typeof e["id"] === "string" ? { ...e, id: idOf(p, e["id"]) } : e]),
  );
}

const fileOf = (p: Placed): string => `${p.reductions}-${p.removal}-${p.seatCap}.yaml`;

/** One YAML file per set of policies; `empty`: every entry removed (the customers stay, with no subscriptions). */
function writeFiles(dir: string, placed: readonly Placed[], empty: boolean): string[] {
  const files = new Map<string, Placed[]>();
  for (const p of placed) files.set(fileOf(p), [...(files.get(fileOf(p)) ?? []), p]);
  for (const [file, ps] of files) {
    const [first] = ps;
    const doc = {
      version: 1,
      policy: { reductions: first?.reductions ?? "block", removed: first?.removal ?? "release", businessSeatCap: first?.seatCap ?? "warn" },
      customers: Object.fromEntries(ps.map((p) => [p.key, { tenantId: p.tenantId, subscriptions: empty ? {} : entriesOf(p) }])),
    };
    fs.writeFileSync(path.join(dir, file), YAML.stringify(doc));
  }
  return [...files.keys()].sort();
}

async function cliPlan(project: string, env: Record<string, string>, ...args: string[]): Promise<Plan> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(["node", "seatplan", "plan", ...args, "--format", "json"], { stdout: (t) => out.push(t), stderr: (t) => err.push(t), env, cwd: project, isTTY: false });
  if ((code !== 0 && code !== 1) || out.length === 0) throw new Error(`seatplan plan ${args.join(" ")} exited ${code}: ${err.join("")}`);
  return JSON.parse(out.join("")) as Plan;
}

/**
 * The writes a plan stands for: every step of a subscription none of whose steps is blocked (a
 * blocked step fails that resource in Pulumi and stops that subscription in `seatplan apply`),
 * nor of a subscription another one links to (`upgrade.into`, `alignEndDate`) when that one is
 * blocked: it waits for it. An adoption reads, it does not write.
 */
function writesOf(steps: readonly PlanStep[], placed: readonly Placed[] = []): string[] {
  const blocked = new Set(steps.filter((s) => s.timing === "blocked").map((s) => `${s.customer}/${s.subscription}`));
  for (let grew = true; grew; ) {
    grew = false;
    for (const p of placed) {
      for (const [key, e] of Object.entries(p.scenario.entries)) {
        const upgrade = e["upgrade"] as { into?: string } | undefined;
        const targets = [upgrade?.into, typeof e["alignEndDate"] === "string" && e["alignEndDate"] !== "calendar-month" ? e["alignEndDate"] : undefined];
        for (const t of targets) {
          if (typeof t === "string" && blocked.has(`${p.key}/${key}`) && !blocked.has(`${p.key}/${t}`)) {
            blocked.add(`${p.key}/${t}`);
            grew = true;
          }
        }
      }
    }
  }
  return steps
    .filter((s) => !blocked.has(`${s.customer}/${s.subscription}`) && s.call?.kind !== "adopt" && s.action !== "adopt")
    .map((s) => `${s.customer}/${s.subscription} ${s.action}`)
    .sort();
}

function auditOf(file: string): AuditRecord[] {
  if (!fs.existsSync(file)) return [];
  return fs.readFileSync(file, "utf8").split("\n").filter((l) => l !== "").map((l) => JSON.parse(l) as AuditRecord);
}

beforeAll(() => requireFreshBuild());

const all = [...groups().entries()];

describe.each(all.map(([clock, placed]) => [clock.split("|")[0] ?? "", clock.split("|")[1] ?? "", placed] as const))(
  "pulumi up and seatplan plan agree, tenant at %s, planned at %s",
  (tenantNow, planAt, placed) => {
    const dir = tempDir("parity");
    const project = path.join(dir, "project");
    const statePath = path.join(dir, "simulator.json");
    const auditPath = path.join(dir, "audit.jsonl");
    const env = { SEATPLAN_SIMULATOR_STATE: statePath, SEATPLAN_NOW: planAt, SEATPLAN_AUDIT_LOG: auditPath, SEATPLAN_BACKEND: "" };
    let h: Harness;
    let files: string[] = [];

    beforeAll(async () => {
      fs.mkdirSync(path.join(project, "node_modules"), { recursive: true });
      fs.symlinkSync(REPO, path.join(project, "node_modules", "seatplan"), "dir");
      fs.writeFileSync(path.join(project, "Pulumi.yaml"), "name: seatplan-parity\nruntime: nodejs\nmain: index.js\n");
      fs.writeFileSync(statePath, JSON.stringify(tenantOf(placed, tenantNow)));
      files = writeFiles(project, placed, false);
      fs.writeFileSync(path.join(project, "files.json"), JSON.stringify(files));
      fs.writeFileSync(path.join(project, "index.js"), 'const { fromYaml } = require("seatplan/pulumi");\nfor (const file of require("./files.json")) fromYaml(file);\n');
      h = await Harness.start({ projectDir: project, stack: "parity", statePath: path.join(dir, "stack.json"), env, typescript: false });
    });
    afterAll(async () => {
      await h.close();
      fs.rmSync(dir, { recursive: true, force: true });
    });

    it(`applying ${placed.length / 2} scenario(s): up writes exactly the steps seatplan plan printed`, async () => {
      const planned = (await Promise.all(files.map((f) => cliPlan(project, env, f)))).flatMap((p) => p.steps);
      await h.up();
      const made = auditOf(auditPath);
      expect(made.filter((r) => r.outcome !== "done").map((r) => `${r.customer}/${r.subscription} ${r.action}: ${r.message ?? ""}`)).toEqual([]);
      expect(made.map((r) => `${r.customer}/${r.subscription} ${r.action}`).sort()).toEqual(writesOf(planned, placed));
    });

    it("removing every entry: up writes exactly the removals seatplan plan --base printed (release: none; cancel: the cancels)", async () => {
      // The base is the YAML as the stack applied it: an entry whose create failed (a blocked step,
      // or waiting for a blocked one) was never managed, so removing it calls nothing in Pulumi.
      const managed = new Set(h.state().resources.map((r) => r.urn.split("::").pop() ?? ""));
      for (const f of files) {
        const doc = YAML.parse(fs.readFileSync(path.join(project, f), "utf8")) as { customers: Record<string, { subscriptions: Record<string, unknown> }> };
        for (const [key, c] of Object.entries(doc.customers)) {
          c.subscriptions = Object.fromEntries(
            Object.entries(c.subscriptions)
              .filter(([k]) => managed.has(`${key}/${k}`))
              // A link to an entry the stack never managed is dropped; a removal does not depend on it.
              .map(([k, e]) => {
                const entry = { ...(e as Record<string, unknown>) };
                const upgrade = entry["upgrade"] as { into?: string } | undefined;
                if (upgrade?.into !== undefined && !managed.has(`${key}/${upgrade.into}`)) delete entry["upgrade"];
                const align = entry["alignEndDate"];
                if (typeof align === "string" && align !== "calendar-month" && !managed.has(`${key}/${align}`)) delete entry["alignEndDate"];
                return [k, entry];
              }),
          );
        }
        fs.writeFileSync(path.join(project, `base-${f}`), YAML.stringify(doc));
      }
      writeFiles(project, placed, true);
      const plans = await Promise.all(files.map((f) => cliPlan(project, env, f, "--base", `base-${f}`)));
      const released = plans.filter((_, i) => files[i]?.endsWith("-release.yaml"));
      expect(released.flatMap((p) => p.steps)).toEqual([]);
      expect(released.flatMap((p) => p.removed ?? []).every((r) => r.outcome === "released" || r.outcome === "gone" || r.outcome === "ended")).toBe(true);
      const before = auditOf(auditPath).length;
      const result = await h.up();
      expect(result.steps.every((s) => s.op === "delete")).toBe(true);
      const made = auditOf(auditPath).slice(before);
      expect(made.filter((r) => r.outcome !== "done")).toEqual([]);
      expect(made.map((r) => `${r.customer}/${r.subscription} ${r.action}`).sort()).toEqual(writesOf(plans.flatMap((p) => p.steps)));
      expect(made.every((r) => r.customer.startsWith("c"))).toBe(true);
    });
  },
);
