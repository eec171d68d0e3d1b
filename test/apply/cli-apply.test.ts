import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { AuditRecord } from "../../provider/audit";
import type { CliIO } from "../../provider/cli/io";
import { main } from "../../provider/cli/main";
import type { Plan } from "../../provider/domain/types";
import { demoState } from "../../provider/simulator/demo";
import { SIM_NOW, startSimHarness, type SimHarness } from "../partner-center/harness";
import { entryOf, EXCHANGE, OFFERS, stateOf, yamlOf } from "../plan/fixtures";

/**
 * `seatplan plan --out` and `seatplan apply` against the simulator over HTTP (the partner-center
 * backend, a given access token), through `main` with injected streams: the simulator's request
 * log says which writes reached the tenant.
 */

const QUICKSTART = join(__dirname, "..", "..", "examples", "quickstart", "licences.yaml");
/** A fake credential: it must appear in no output, saved plan or audit line. */
const FAKE_TOKEN = "fake-access-token-9d7c1e2a";

let h: SimHarness | undefined;
let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "seatplan-apply-"));
});
afterEach(async () => {
  await h?.close();
  h = undefined;
  rmSync(dir, { recursive: true, force: true });
});

interface Run {
  code: number;
  out: string;
  err: string;
}

async function run(env: Record<string, string>, io: Partial<CliIO>, ...argv: string[]): Promise<Run> {
  const out: string[] = [];
  const err: string[] = [];
  const full: CliIO = { stdout: (t) => out.push(t), stderr: (t) => err.push(t), env, cwd: dir, isTTY: false, ...io };
  const code = await main(["node", "seatplan", ...argv], full);
  return { code, out: out.join(""), err: err.join("") };
}

async function demoTenant(): Promise<Record<string, string>> {
  h = await startSimHarness({ state: demoState(SIM_NOW) });
  return { SEATPLAN_BACKEND: "partner-center", SEATPLAN_ENDPOINT: h.sim.url, SEATPLAN_ACCESS_TOKEN: FAKE_TOKEN, SEATPLAN_AUDIT_LOG: join(dir, "audit.jsonl") };
}

async function writes(): Promise<string[]> {
  return (await (h as SimHarness).requests()).filter((r) => r.method !== "GET" && !r.path.startsWith("/_sim")).map((r) => `${r.method} ${r.path} ${r.status}`);
}

const ROCKIT = "ee2337af-1fb7-44c8-b0ef-e6bf5b59baed";
const APPS = "ec4accce-b04f-4b8d-dc23-629b6d8e630b";

function audit(): AuditRecord[] {
  return readFileSync(join(dir, "audit.jsonl"), "utf8")
    .split("\n")
    .filter((l) => l !== "")
    .map((l) => JSON.parse(l) as AuditRecord);
}

/** The write each step stands for, as the simulator logs it (a purchase is its checkout; its cart is only prepared). */
function expectedWrite(step: Plan["steps"][number]): string {
  const customer = step.customer === "rockit" ? ROCKIT : "6b9f0d6a-3c1e-4c59-9a0e-2f7c1d8a4b21";
  if (step.action === "purchase") return `POST /v1/customers/${customer}/carts/{cart}/checkout 201`;
  if (step.action === "upgrade") return `POST /v1/customers/${customer}/subscriptions/${step.subscriptionId ?? ""}/transitions 200`;
  return `PATCH /v1/customers/${customer}/subscriptions/${step.subscriptionId ?? ""} 200`;
}

const operations = (all: string[]): string[] => all.filter((w) => !/\/carts 201$/.test(w)).map((w) => w.replace(/\/carts\/[^/]+\/checkout/, "/carts/{cart}/checkout")).sort();

describe("seatplan plan --out, then seatplan apply PLAN.json", () => {
  it("on an unchanged tenant makes one write per step, records each in the audit log, and leaves nothing to plan", async () => {
    const env = await demoTenant();
    const planned = await run(env, {}, "plan", QUICKSTART, "--out", "plan.json", "--format", "json");
    expect(planned.code).toBe(0);
    const plan = JSON.parse(planned.out) as Plan;
    expect(plan.steps).toHaveLength(5);
    await fetch(`${(h as SimHarness).sim.url}/_sim/requests`, { method: "DELETE" });

    const applied = await run(env, {}, "apply", "plan.json", "--yes");
    expect([applied.code, applied.err]).toEqual([0, ""]);
    expect(operations(await writes())).toEqual(plan.steps.map(expectedWrite).sort());
    const saved = JSON.parse(readFileSync(join(dir, "plan.json"), "utf8")) as { planId: string };
    expect(applied.out).toContain(`Applying plan ${saved.planId} to partner-center:`);
    expect(applied.out).toContain("Applied: 5 done, 0 failed, 0 blocked, 0 not run, 0 subscriptions refused");

    // One audit line per write, with the request id the tenant saw.
    const records = audit();
    expect(records.map((r) => [r.customer, r.subscription, r.action, r.outcome, r.planId, r.source, r.backend]).sort()).toEqual(
      plan.steps.map((s) => [s.customer, s.subscription, s.action, "done", saved.planId, "cli", "partner-center"]).sort(),
    );
    const sent = new Set((await (h as SimHarness).requests()).filter((r) => r.method === "PATCH").map((r) => r.msRequestId));
    expect(records.filter((r) => r.action !== "purchase" && r.action !== "upgrade").every((r) => sent.has(r.requestId))).toBe(true);
    expect(records.find((r) => r.subscription === "apps-for-business")).toMatchObject({ before: { quantity: 3 }, after: { quantity: 4 }, subscriptionId: APPS });

    const again = await run(env, {}, "plan", QUICKSTART, "--format", "json");
    expect((JSON.parse(again.out) as Plan).summary).toMatchObject({ now: 0, atRenewal: 0, irreversible: 0, blocked: 0 });
    for (const text of [planned.out, applied.out, applied.err, readFileSync(join(dir, "plan.json"), "utf8"), readFileSync(join(dir, "audit.jsonl"), "utf8")]) {
      expect(text).not.toContain(FAKE_TOKEN);
    }
  });

  it("refuses a subscription another process changed since, runs the others, prints why and the plan for it now, and exits 1", async () => {
    const env = await demoTenant();
    expect((await run(env, {}, "plan", QUICKSTART, "--out", "plan.json")).code).toBe(0);
    // Another process turns auto-renew off behind the plan's back.
    await (h as SimHarness).backend().setAutoRenew(ROCKIT, APPS, false);
    await fetch(`${(h as SimHarness).sim.url}/_sim/requests`, { method: "DELETE" });

    const applied = await run(env, {}, "apply", "plan.json", "--yes");
    expect(applied.code).toBe(1);
    expect(applied.out).toContain("refused  rockit/apps-for-business: the subscription changed since the plan was made (its etag differs); none of its 1 step(s) ran");
    expect(applied.out).toContain("The plan for it now:");
    expect(applied.out).toMatch(/rockit\/apps-for-business +enable-auto-renew/);
    expect(applied.err).toContain("seatplan: rockit/apps-for-business was not applied (the subscription changed since the plan was made (its etag differs))");
    const all = await writes();
    expect(all.filter((w) => w.includes(APPS))).toEqual([]);
    expect(operations(all)).toHaveLength(4);
    expect(audit().map((r) => r.subscription).sort()).toEqual(["business-basic", "entra-id-p1", "exchange-plan-1", "teams-essentials"]);
  });

  it("refuses a step whose deadline passed before the apply", async () => {
    const env = await demoTenant();
    expect((await run(env, {}, "plan", QUICKSTART, "--out", "plan.json")).code).toBe(0);
    const applied = await run(env, {}, "apply", "plan.json", "--yes", "--now", "2026-11-28T00:00:01Z");
    expect(applied.code).toBe(1);
    expect(applied.out).toContain(
      "refused  rockit/business-basic: the deadline of decrease-quantity passed (it could run until 2026-11-28T00:00:00Z; it is now 2026-11-28T00:00:01Z); none of its 1 step(s) ran",
    );
    expect((await writes()).filter((w) => w.includes("3f2a8c1e-5b7d-4e9a-8c6f-1d2e3f4a5b01"))).toEqual([]);
  });

  it("refuses a saved plan edited after it was written, before any call", async () => {
    const env = await demoTenant();
    expect((await run(env, {}, "plan", QUICKSTART, "--out", "plan.json")).code).toBe(0);
    const file = join(dir, "plan.json");
    writeFileSync(file, readFileSync(file, "utf8").replace('"quantity": 4', '"quantity": 40'));
    await fetch(`${(h as SimHarness).sim.url}/_sim/requests`, { method: "DELETE" });
    const applied = await run(env, {}, "apply", "plan.json", "--yes");
    expect(applied.code).toBe(1);
    expect(applied.err).toMatch(/^seatplan: plan\.json was changed after it was written \(its content does not match plan id [0-9a-f-]+\): plan again/);
    expect(await (h as SimHarness).requests()).toEqual([]);
  });
});

describe("seatplan apply progress", () => {
  // Off a terminal without --progress nothing is shown: the other tests check that stderr stays empty.
  it("shows customer i of N and step j of M on stderr with --progress once a run takes more than 2 s", async () => {
    // A slow tenant: every request takes 200 ms, so applying the quickstart takes several seconds.
    h = await startSimHarness({ state: demoState(SIM_NOW), latencyMs: 200 });
    const env = { SEATPLAN_BACKEND: "partner-center", SEATPLAN_ENDPOINT: h.sim.url, SEATPLAN_ACCESS_TOKEN: FAKE_TOKEN, SEATPLAN_AUDIT_LOG: join(dir, "audit.jsonl") };
    expect((await run(env, {}, "plan", QUICKSTART, "--out", "plan.json")).code).toBe(0);
    const shown = await run(env, { stderrIsTTY: false }, "apply", "plan.json", "--yes", "--progress");
    expect(shown.code).toBe(0);
    expect(shown.err).toMatch(/^(seatplan: customer [12] of 2 \((northwind|rockit)\), step [1-5] of 5\n)+$/);
  });
});

describe("seatplan apply FILE.yaml on the embedded demo tenant", () => {
  const demo = (): Record<string, string> => {
    writeFileSync(join(dir, "sim.json"), JSON.stringify(demoState(SIM_NOW)));
    return { SEATPLAN_SIMULATOR_STATE: "sim.json", SEATPLAN_AUDIT_LOG: "audit.jsonl", SEATPLAN_CLIENT_SECRET: FAKE_TOKEN };
  };

  it("with --yes applies every step; a plan afterwards shows no changes", async () => {
    const env = demo();
    const applied = await run(env, {}, "apply", QUICKSTART, "--yes");
    expect([applied.code, applied.err]).toEqual([0, ""]);
    expect(applied.out).toMatch(/^seatplan plan against simulator at /);
    expect(applied.out).toContain("  done     rockit/business-basic  decrease-quantity 5 → 4\n");
    const after = await run(env, {}, "plan", QUICKSTART, "--detailed-exitcode");
    expect(after.code).toBe(0);
    expect(after.out).toContain("No changes: the tenant matches the YAML.");
    expect(audit()).toHaveLength(5);
    expect(readFileSync(join(dir, "audit.jsonl"), "utf8")).not.toContain(FAKE_TOKEN);
  });

  it("without --yes and without a terminal refuses: exit 1, nothing written", async () => {
    const env = demo();
    const before = readFileSync(join(dir, "sim.json"), "utf8");
    const applied = await run(env, { interactive: false }, "apply", QUICKSTART);
    expect(applied.code).toBe(1);
    expect(applied.err).toBe(
      "seatplan: apply needs confirmation and stdin is not a terminal: nothing was written; review the plan above and run again with --yes (e.g. in CI)\n",
    );
    expect(readFileSync(join(dir, "sim.json"), "utf8")).toBe(before);
    expect(() => readFileSync(join(dir, "audit.jsonl"))).toThrow(/ENOENT/);
  });

  it("on a terminal asks, and applies only after yes", async () => {
    const env = demo();
    const before = readFileSync(join(dir, "sim.json"), "utf8");
    const questions: string[] = [];
    const declined = await run(env, { interactive: true, prompt: (q) => (questions.push(q), Promise.resolve("n")) }, "apply", QUICKSTART);
    expect([declined.code, declined.err]).toEqual([1, "seatplan: not confirmed: nothing was written\n"]);
    expect(questions).toEqual(['\nApply 5 steps to simulator? Only "yes" applies: ']);
    expect(readFileSync(join(dir, "sim.json"), "utf8")).toBe(before);
    const confirmed = await run(env, { interactive: true, prompt: () => Promise.resolve("yes") }, "apply", QUICKSTART);
    expect(confirmed.code).toBe(0);
    expect(audit()).toHaveLength(5);
  });

  it("does not run a subscription another one links to (upgrade.into) while that one is blocked, as pulumi up does", async () => {
    writeFileSync(join(dir, "sim.json"), JSON.stringify(stateOf({ name: "", live: [EXCHANGE], entries: {}, expect: [] })));
    const entries = {
      exchange: entryOf(EXCHANGE, { upgrade: { to: OFFERS.exchange2, into: "exchange-2", acknowledge: "irreversible" } }),
      "exchange-2": { offer: OFFERS.exchange2, term: "P1Y", billing: "annual", quantity: 5 },
    };
    writeFileSync(join(dir, "linked.yaml"), yamlOf("block", entries));
    const applied = await run({ SEATPLAN_SIMULATOR_STATE: "sim.json", SEATPLAN_AUDIT_LOG: "audit.jsonl" }, {}, "apply", "linked.yaml", "--yes");
    expect(applied.code).toBe(1);
    expect(applied.out).toMatch(/ blocked +rockit\/exchange +upgrade /);
    expect(applied.out).toContain("  skipped  rockit/exchange-2  purchase 5 × CFQ7TTC0LH1P:0001 P1Y/annual until 2027-11-22\n           not run: exchange links to this subscription and did not complete\n");
    expect(() => readFileSync(join(dir, "audit.jsonl"))).toThrow(/ENOENT/);
  });

  it("never runs a blocked step, nor the other steps of its subscription, and exits 1", async () => {
    const env = demo();
    const whatIf = join(__dirname, "..", "..", "examples", "quickstart", "what-if.yaml");
    const applied = await run(env, {}, "apply", whatIf, "--yes");
    expect(applied.code).toBe(1);
    expect(applied.out).toMatch(/ blocked +rockit\/apps-for-business +decrease-quantity 3 → 2\n/);
    expect(() => readFileSync(join(dir, "audit.jsonl"))).toThrow(/ENOENT/);
  });
});

describe("seatplan history", () => {
  it("lists the audit log's writes, filtered by customer and time, as text or JSON", async () => {
    writeFileSync(join(dir, "sim.json"), JSON.stringify(demoState(SIM_NOW)));
    const env = { SEATPLAN_SIMULATOR_STATE: "sim.json", SEATPLAN_AUDIT_LOG: "audit.jsonl" };
    expect((await run(env, {}, "history")).out).toBe("No writes recorded in audit.jsonl.\n");
    expect((await run(env, {}, "apply", QUICKSTART, "--yes")).code).toBe(0);
    const all = await run(env, {}, "history", "--format", "json");
    expect(all.code).toBe(0);
    expect((JSON.parse(all.out) as AuditRecord[]).map((r) => r.action)).toHaveLength(5);
    const rockit = JSON.parse((await run(env, {}, "history", "--customer", "rockit", "--format", "json")).out) as AuditRecord[];
    expect(rockit.map((r) => r.subscription).sort()).toEqual(["apps-for-business", "business-basic", "teams-essentials"]);
    expect(JSON.parse((await run(env, {}, "history", "--since", "2999-01-01T00:00:00Z", "--format", "json")).out)).toEqual([]);
    const text = await run(env, {}, "history", "--customer", "rockit");
    expect(text.out).toMatch(/ done {4}rockit\/apps-for-business {2}increase-quantity {2}\(cli, simulator, plan [0-9a-f-]+\)\n {4}subscription ec4accce-b04f-4b8d-dc23-629b6d8e630b, request [0-9a-f-]+\n {4}before: 3 × CFQ7TTC0LH1G:0001, active, auto-renew on\n {4}after: {2}4 × CFQ7TTC0LH1G:0001, active, auto-renew on\n/);
  });

  it("names lines that are not audit records and exits 1", async () => {
    writeFileSync(join(dir, "audit.jsonl"), 'not json\n{"time":"2026-11-23T10:00:00.000Z","customer":"x","subscription":"y","tenantId":"t","action":"cancel","source":"cli","backend":"simulator","planId":null,"subscriptionId":null,"requestId":"r","before":null,"after":null,"outcome":"done","code":null,"message":null}\n');
    const result = await run({ SEATPLAN_AUDIT_LOG: "audit.jsonl" }, {}, "history", "--format", "json");
    expect(result.code).toBe(1);
    expect(result.err).toBe("seatplan: audit.jsonl: line 1 is not an audit record (skipped)\n");
    expect(JSON.parse(result.out)).toHaveLength(1);
  });
});
