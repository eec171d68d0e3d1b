// The quickstart program as Pulumi runs it: the SDK's program runner (with its TypeScript
// support) and the real provider host, played by the engine harness (test/harness), with a JSON
// state file and the embedded simulator on a demo tenant frozen at DEMO_NOW. One stack walks
// through its life; each `it` starts where the previous one left it.
import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import YAML from "yaml";
import type { AuditRecord } from "../../provider/audit";
import type { SimulatorBackend } from "../../provider/backends/simulator";
import { main } from "../../provider/cli/main";
import type { Plan } from "../../provider/domain/types";
import { DEMO_SUBSCRIPTIONS } from "../../provider/simulator/demo";
import { Harness, type OperationResult } from "../harness/engine";
import { DEMO_NOW, FAKE_SECRET, NORTHWIND, openSimulator, QUICKSTART, requireFreshBuild, ROCKIT, tempDir, userProject, writeDemoState } from "./support";

const PROJECT = "seatplan-quickstart";
const TYPE = "pulumi-nodejs:dynamic/seatplan:Subscription";
const urn = (name: string): string => `urn:pulumi:dev::${PROJECT}::${TYPE}::${name}`;
const CRASH_FIXTURE = path.join(__dirname, "fixtures", "crash-after-checkout.js");

/** Steps as sorted "op name" strings: the steps of one run finish in any order. */
function steps(result: OperationResult): string[] {
  return result.steps.map((s) => `${s.op} ${s.urn.split("::").pop() ?? ""}${s.drift === undefined ? "" : ` (${s.drift})`}`).sort();
}

/** One stack in a project shaped like a user's, on its own simulator state. */
class Stack {
  readonly dir = tempDir("stack");
  readonly project = userProject(path.join(this.dir, "project"));
  readonly simulatorPath = writeDemoState(path.join(this.dir, "simulator.json"));
  readonly statePath = path.join(this.dir, "stack.json");
  private sim: SimulatorBackend | undefined;

  harness(): Promise<Harness> {
    return Harness.start({
      projectDir: this.project,
      stack: "dev",
      statePath: this.statePath,
      env: { SEATPLAN_SIMULATOR_STATE: this.simulatorPath, SEATPLAN_NOW: DEMO_NOW, SEATPLAN_BACKEND: "" },
      secretConfig: { "seatplan:clientSecret": FAKE_SECRET },
    });
  }

  /** Edits the project's licences.yaml, starting from the quickstart's. */
  edit(change: (customers: Record<string, { subscriptions: Record<string, Record<string, unknown>> }>, doc: Record<string, unknown>) => void): void {
    const doc = YAML.parse(fs.readFileSync(path.join(this.project, "licences.yaml"), "utf8")) as { customers: Parameters<typeof change>[0] } & Record<string, unknown>;
    change(doc.customers, doc);
    fs.writeFileSync(path.join(this.project, "licences.yaml"), YAML.stringify(doc));
  }

  /** `seatplan plan licences.yaml --format json …` on this stack's tenant, as a PR check runs it. */
  async plan(...args: string[]): Promise<Plan> {
    const out: string[] = [];
    const err: string[] = [];
    const env = { SEATPLAN_SIMULATOR_STATE: this.simulatorPath, SEATPLAN_NOW: DEMO_NOW };
    const code = await main(["node", "seatplan", "plan", "licences.yaml", "--format", "json", ...args], { stdout: (t) => out.push(t), stderr: (t) => err.push(t), env, cwd: this.project, isTTY: false });
    if (code !== 0) throw new Error(`seatplan plan exited ${code}: ${err.join("")}`);
    return JSON.parse(out.join("")) as Plan;
  }

  /** The audit log the provider wrote (in the project directory, the default path). */
  audit(): AuditRecord[] {
    const file = path.join(this.project, ".seatplan", "audit.jsonl");
    if (!fs.existsSync(file)) return [];
    return fs.readFileSync(file, "utf8").split("\n").filter((l) => l !== "").map((l) => JSON.parse(l) as AuditRecord);
  }

  async simulator(): Promise<SimulatorBackend> {
    this.sim ??= await openSimulator(this.simulatorPath);
    return this.sim;
  }

  async subscription(tenant: string, id: string): Promise<{ quantity: number; status: string; autoRenew: boolean; renewal: number | null }> {
    const s = await (await this.simulator()).getSubscription(tenant, id);
    return { quantity: s.quantity, status: s.status, autoRenew: s.autoRenew, renewal: s.scheduledRenewal?.quantity ?? null };
  }

  async named(tenant: string, friendlyName: string): Promise<string[]> {
    return (await (await this.simulator()).listSubscriptions(tenant)).filter((s) => s.friendlyName === friendlyName).map((s) => s.id);
  }

  simulatorBytes(): string {
    return fs.readFileSync(this.simulatorPath, "utf8");
  }

  remove(): void {
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

const QUICKSTART_NAMES = [
  "northwind/business-standard",
  "northwind/entra-id-p1",
  "northwind/exchange-plan-1",
  "rockit/apps-for-business",
  "rockit/business-basic",
  "rockit/premium-trial",
  "rockit/teams-essentials",
];
const all = (op: string, names = QUICKSTART_NAMES): string[] => names.map((n) => `${op} ${n}`);

beforeAll(() => requireFreshBuild());

describe("the quickstart stack through its life", () => {
  const stack = new Stack();
  let h: Harness;
  beforeAll(async () => {
    h = await stack.harness();
  });
  afterAll(async () => {
    await h.close();
    stack.remove();
  });

  it("preview on an empty stack plans a create per entry and writes nothing anywhere", async () => {
    const before = stack.simulatorBytes();
    const result = await h.preview();
    expect(result.errors).toEqual([]);
    expect(steps(result)).toEqual(all("create"));
    expect(stack.simulatorBytes()).toBe(before);
    expect(fs.existsSync(stack.statePath)).toBe(false);
  });

  it("up adopts six subscriptions, buys one, and applies every timing class the file asks for, each write in the audit log as `seatplan plan` showed it", async () => {
    const planned = await stack.plan();
    const result = await h.up();
    expect(result.errors).toEqual([]);
    const key = (r: { customer: string; subscription: string; action: string }): string => `${r.customer}/${r.subscription} ${r.action}`;
    expect(stack.audit().map(key).sort()).toEqual(planned.steps.map(key).sort());
    expect(stack.audit().every((r) => r.outcome === "done" && r.source === "pulumi" && r.planId === null && r.requestId !== "")).toBe(true);
    expect(steps(result)).toEqual(all("create"));
    expect(await stack.subscription(ROCKIT, DEMO_SUBSCRIPTIONS.appsForBusiness)).toMatchObject({ quantity: 4 });
    expect(await stack.subscription(ROCKIT, DEMO_SUBSCRIPTIONS.businessBasic)).toMatchObject({ quantity: 4 });
    expect(await stack.subscription(ROCKIT, DEMO_SUBSCRIPTIONS.teamsEssentials)).toMatchObject({ quantity: 4, renewal: 2 });
    // The upgrade with acknowledge: irreversible moved every seat to a new Plan 2 subscription.
    expect(await stack.subscription(NORTHWIND, DEMO_SUBSCRIPTIONS.exchangePlan1)).toMatchObject({ quantity: 0 });
    const plan2 = (await (await stack.simulator()).listSubscriptions(NORTHWIND)).filter((s) => s.offer === "CFQ7TTC0LH1P:0001");
    expect(plan2.map((s) => s.quantity)).toEqual([10]);
    expect(await stack.named(NORTHWIND, "entra-id-p1")).toHaveLength(1);
    const provider = result.processes.provider?.stdout ?? "";
    expect(provider).toContain("seatplan: northwind/exchange-plan-1: upgrade 10 × CFQ7TTC0LH16:0001 → 10 × CFQ7TTC0LH1P:0001 (irreversible)\n");
    expect(provider).toContain("seatplan: northwind/entra-id-p1: purchase 5 × CFQ7TTC0LFLS:0002 P1Y/annual until 2027-11-22 (now)\n");
    expect(result.outputs["licences"]).toMatchObject({
      file: "licences.yaml",
      backend: "simulator",
      customers: 2,
      summary: { subscriptions: 7, active: 7, cancelled: 0, seats: 50, renewalsScheduled: 1 },
      subscriptions: { "rockit/apps-for-business": { subscriptionId: DEMO_SUBSCRIPTIONS.appsForBusiness, quantity: 4, renewalQuantity: null } },
    });
  });

  it("a second up is a no-op: no provider call reaches the simulator", async () => {
    const before = stack.simulatorBytes();
    const result = await h.up();
    expect(result.errors).toEqual([]);
    expect(steps(result)).toEqual(all("same"));
    expect(stack.simulatorBytes()).toBe(before);
  });

  it("an invalid file fails the program with every problem and its position, declaring nothing", async () => {
    const file = path.join(stack.project, "licences.yaml");
    const valid = fs.readFileSync(file, "utf8");
    fs.writeFileSync(file, valid.replace("quantity: 4\n", "quantity: 0\n").replace("term: P1M", "term: P2M"));
    try {
      const result = await h.preview();
      expect(result.ok).toBe(false);
      expect(result.steps).toEqual([]);
      expect(result.errors.map((e) => e.message)).toEqual([
        "seatplan: licences.yaml is invalid (2 problems); nothing was declared:\n" +
          "licences.yaml:26:19 customers.rockit.subscriptions.apps-for-business.quantity: must be an integer ≥ 1\n" +
          '  hint: found 0; to end the subscription, set "status: cancelled" instead\n' +
          "licences.yaml:34:15 customers.rockit.subscriptions.teams-essentials.term: must be one of P1M, P1Y or P3Y\n" +
          '  hint: found "P2M"; did you mean "term: P1M"?\n',
      ]);
    } finally {
      fs.writeFileSync(file, valid);
    }
  });

  it("raising a quantity previews an update of that entry alone, and up makes it", async () => {
    stack.edit((c) => {
      c["northwind"]!.subscriptions["business-standard"]!["quantity"] = 10;
    });
    const before = stack.simulatorBytes();
    const preview = await h.preview();
    expect(steps(preview)).toEqual([...all("same").filter((s) => !s.endsWith("business-standard")), "update northwind/business-standard"].sort());
    expect(stack.simulatorBytes()).toBe(before);

    expect((await h.up()).errors).toEqual([]);
    expect(await stack.subscription(NORTHWIND, DEMO_SUBSCRIPTIONS.businessStandard)).toMatchObject({ quantity: 10 });
  });

  it("lowering seats outside their window fails preview with the reason and the YAML that works", async () => {
    stack.edit((c) => {
      c["rockit"]!.subscriptions["apps-for-business"]!["quantity"] = 2;
    });
    try {
      const result = await h.preview();
      expect(result.ok).toBe(false);
      // 1 of the 4 seats was added by the last up (its window is open), the other 3 long ago.
      expect(result.errors).toEqual([
        {
          urn: urn("rockit/apps-for-business"),
          message:
            "Diff failed: rockit/apps-for-business: decrease-quantity 4 → 2 is blocked: only 1 of the 2 seats to remove are still refundable\n" +
            "  hint: set quantity: 3 and renewal.quantity: 2 to remove 1 seat now and reduce to 2 at renewal on 2026-12-13",
        },
      ]);
    } finally {
      stack.edit((c) => {
        c["rockit"]!.subscriptions["apps-for-business"]!["quantity"] = 4;
      });
    }
  });

  it("renewal.quantity schedules the lower quantity for the renewal", async () => {
    stack.edit((c) => {
      c["northwind"]!.subscriptions["business-standard"]!["renewal"] = { quantity: 8 };
    });
    const result = await h.up();
    expect(result.errors).toEqual([]);
    expect(steps(result)).toContain("update northwind/business-standard");
    expect(await stack.subscription(NORTHWIND, DEMO_SUBSCRIPTIONS.businessStandard)).toMatchObject({ quantity: 10, renewal: 8 });
  });

  it("drift made in the simulator is invisible until refresh; the next up puts the YAML back", async () => {
    await (await stack.simulator()).setQuantity(ROCKIT, DEMO_SUBSCRIPTIONS.businessBasic, 6);
    expect(steps(await h.up())).toEqual(all("same"));
    expect(await stack.subscription(ROCKIT, DEMO_SUBSCRIPTIONS.businessBasic)).toMatchObject({ quantity: 6 });

    const refreshed = await h.refresh();
    expect(refreshed.errors).toEqual([]);
    expect(steps(refreshed)).toEqual(all("read").map((s) => `${s} (${s.endsWith("business-basic") ? "changed" : "none"})`));

    const restored = await h.up();
    expect(steps(restored)).toContain("update rockit/business-basic");
    expect(await stack.subscription(ROCKIT, DEMO_SUBSCRIPTIONS.businessBasic)).toMatchObject({ quantity: 4 });
  });

  it("removing an entry releases it by default: the PR plan says so, and up calls nothing", async () => {
    fs.copyFileSync(path.join(stack.project, "licences.yaml"), path.join(stack.project, "base.yaml"));
    stack.edit((c) => {
      delete c["rockit"]!.subscriptions["teams-essentials"];
    });
    const pr = await stack.plan("--base", "base.yaml");
    expect(pr.steps).toEqual([]);
    expect(pr.removed).toEqual([
      {
        customer: "rockit",
        subscription: "teams-essentials",
        subscriptionId: DEMO_SUBSCRIPTIONS.teamsEssentials,
        policy: "release",
        outcome: "released",
        note: `policy.removed: release: subscription ${DEMO_SUBSCRIPTIONS.teamsEssentials} is no longer managed and stays as it is (4 seats, auto-renew on); nothing is called`,
      },
    ]);
    const before = stack.simulatorBytes();
    const writes = stack.audit().length;
    const result = await h.up();
    expect(result.errors).toEqual([]);
    expect(steps(result)).toEqual([...all("same").filter((s) => !s.endsWith("teams-essentials")), "delete rockit/teams-essentials"].sort());
    expect(stack.simulatorBytes()).toBe(before);
    expect(stack.audit()).toHaveLength(writes);
    expect(result.processes.provider?.stdout).toContain(
      `seatplan: rockit/teams-essentials: removed from the YAML: policy.removed: release: subscription ${DEMO_SUBSCRIPTIONS.teamsEssentials} is no longer managed and stays as it is in tenant ${ROCKIT}; nothing was called\n`,
    );
  });

  it("with policy.removed: cancel, up makes exactly the writes the PR plan showed for the removed entry", async () => {
    fs.copyFileSync(path.join(stack.project, "licences.yaml"), path.join(stack.project, "base.yaml"));
    stack.edit((c, doc) => {
      doc["policy"] = { removed: "cancel" };
      delete c["rockit"]!.subscriptions["business-basic"];
    });
    const pr = await stack.plan("--base", "base.yaml");
    expect(pr.removed?.map((r) => [r.subscription, r.outcome])).toEqual([["business-basic", "cancel"]]);
    const writes = stack.audit().length;
    const result = await h.up();
    expect(result.errors).toEqual([]);
    expect(await stack.subscription(ROCKIT, DEMO_SUBSCRIPTIONS.businessBasic)).toMatchObject({ status: "deleted" });
    const made = stack.audit().slice(writes);
    expect(made.map((r) => [r.customer, r.subscription, r.subscriptionId, r.action, r.outcome, r.source])).toEqual(
      pr.steps.map((st) => [st.customer, st.subscription, st.subscriptionId, st.action, "done", "pulumi"]),
    );
    expect(result.processes.provider?.stdout).toContain(
      `seatplan: rockit/business-basic: removed from the YAML: policy.removed: cancel: subscription ${DEMO_SUBSCRIPTIONS.businessBasic} is cancelled now, inside its cancellation window (open until 2026-11-28T00:00:00Z)\n`,
    );
  });

  it("a provider host killed right after checkout fails the run; the next up adopts what was bought, never buying twice", async () => {
    stack.edit((c) => {
      c["rockit"]!.subscriptions["exchange"] = { offer: "CFQ7TTC0LH16:0001", term: "P1Y", billing: "annual", quantity: 3 };
    });
    const crashed = await h.up({
      providerEnv: { NODE_OPTIONS: `--require ${CRASH_FIXTURE}`, SEATPLAN_TEST_CRASH_AFTER_BUYING: "exchange" },
    });
    expect(crashed.ok).toBe(false);
    expect(crashed.processes.provider?.exit).toBe("SIGKILL");
    expect(crashed.errors.map((e) => e.urn)).toContain(urn("rockit/exchange"));
    const bought = await stack.named(ROCKIT, "exchange");
    expect(bought).toHaveLength(1);
    expect(h.state().resources.map((r) => r.urn)).not.toContain(urn("rockit/exchange"));

    const retried = await h.up();
    expect(retried.errors).toEqual([]);
    expect(steps(retried)).toContain("create rockit/exchange");
    expect(await stack.named(ROCKIT, "exchange")).toEqual(bought);
    expect(retried.processes.provider?.stdout).toContain(`seatplan: rockit/exchange: adopted subscription ${bought[0] ?? ""} (matched by friendlyName)\n`);
    expect(h.state().resources.find((r) => r.urn === urn("rockit/exchange"))?.id).toBe(bought[0]);
  });

  it("the state file never holds the secret config value, and neither does any provider output or the audit log", () => {
    const raw = fs.readFileSync(stack.statePath, "utf8");
    expect(raw).not.toContain(FAKE_SECRET);
    expect(stack.audit().length).toBeGreaterThan(0);
    expect(fs.readFileSync(path.join(stack.project, ".seatplan", "audit.jsonl"), "utf8")).not.toContain(FAKE_SECRET);
    expect(raw).toContain('"__provider"');
  });

  it("destroy, with policy.removed: cancel, ends every subscription it manages and empties the state", async () => {
    const result = await h.destroy();
    expect(result.errors).toEqual([]);
    expect(h.state().resources).toEqual([]);
    expect(await stack.subscription(NORTHWIND, (await stack.named(NORTHWIND, "entra-id-p1"))[0] ?? "")).toMatchObject({ status: "deleted" });
    expect(await stack.subscription(ROCKIT, DEMO_SUBSCRIPTIONS.appsForBusiness)).toMatchObject({ status: "active", autoRenew: false });
    expect(result.processes.provider?.stdout + (result.processes.provider?.stderr ?? "")).not.toContain(FAKE_SECRET);
  });
});

describe("examples/quickstart itself, as the README runs it", () => {
  const dir = tempDir("quickstart");
  let h: Harness;
  beforeAll(async () => {
    h = await Harness.start({
      projectDir: QUICKSTART,
      stack: "dev",
      statePath: path.join(dir, "stack.json"),
      env: { SEATPLAN_SIMULATOR_STATE: writeDemoState(path.join(dir, "simulator.json")), SEATPLAN_NOW: DEMO_NOW, SEATPLAN_BACKEND: "", SEATPLAN_AUDIT_LOG: path.join(dir, "audit.jsonl") },
    });
  });
  afterAll(async () => {
    await h.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("previews, then ups without credentials on the embedded simulator, then has nothing to do", async () => {
    expect(steps(await h.preview())).toEqual(all("create"));
    const up = await h.up();
    expect(up.errors).toEqual([]);
    expect(steps(up)).toEqual(all("create"));
    expect(steps(await h.up())).toEqual(all("same"));
  });
});
