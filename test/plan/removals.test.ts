import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import type { CliIO } from "../../provider/cli/io";
import { main } from "../../provider/cli/main";
import type { Plan } from "../../provider/domain/types";
import { observe } from "../../provider/observe";
import { plan } from "../../provider/plan";
import { APPS, desiredOf, entryOf, FRESH, NOW, stateOf, Tenant, TENANT } from "./fixtures";

/** Removals (`plan --base`): what `policy.removed` does to the subscription of an entry deleted from the YAML. */

const yaml = (removed: "release" | "cancel" | undefined, entries: Record<string, unknown>, customer = "rockit"): string =>
  stringify({ version: 1, ...(removed === undefined ? {} : { policy: { removed } }), customers: { [customer]: { tenantId: TENANT, subscriptions: entries } } });

const BOTH = { apps: entryOf(APPS), basic: entryOf(FRESH) };

let tenants: Tenant[] = [];
afterEach(() => {
  tenants.forEach((t) => t.close());
  tenants = [];
});

async function planned(base: string, next: string): Promise<Plan> {
  const tenant = await Tenant.of(stateOf({ name: "", live: [APPS, FRESH], entries: {}, expect: [] }));
  tenants.push(tenant);
  const [b, d] = [desiredOf(base), desiredOf(next)];
  const observation = await observe({ ...d, customers: d.customers.length > 0 ? d.customers : b.customers }, tenant.backend);
  return plan(d, observation, { now: new Date(NOW), backend: "simulator" }, { base: b });
}

describe("plan with a base: removed entries", () => {
  it("release (the default) lists the removed entry, calls nothing, and does not list it as unmanaged too", async () => {
    const p = await planned(yaml(undefined, BOTH), yaml(undefined, { apps: entryOf(APPS) }));
    expect(p.steps).toEqual([]);
    expect(p.summary).toMatchObject({ removed: 1, unmanaged: 0 });
    expect(p.removed).toEqual([
      {
        customer: "rockit",
        subscription: "basic",
        subscriptionId: FRESH.id,
        policy: "release",
        outcome: "released",
        note: `policy.removed: release: subscription ${FRESH.id} is no longer managed and stays as it is (5 seats, auto-renew on); nothing is called`,
      },
    ]);
  });

  it("cancel inside the window plans a cancel now, with its deadline", async () => {
    const p = await planned(yaml("cancel", BOTH), yaml("cancel", { apps: entryOf(APPS) }));
    expect(p.steps.map((s) => [s.subscription, s.action, s.timing, s.deadline])).toEqual([["basic", "cancel", "now", "2026-11-28T00:00:00.000Z"]]);
    expect(p.removed?.map((r) => r.outcome)).toEqual(["cancel"]);
  });

  it("cancel outside the window ends at term end, never blocked (whatever policy.reductions says)", async () => {
    const p = await planned(yaml("cancel", BOTH), yaml("cancel", { basic: entryOf(FRESH) }));
    expect(p.steps.map((s) => [s.subscription, s.action, s.timing, s.effectiveAt])).toEqual([["apps", "cancel-at-term-end", "at-renewal", "2026-12-29T00:00:00.000Z"]]);
    expect(p.removed?.[0]?.note).toBe(
      `policy.removed: cancel: subscription ${APPS.id} cannot be cancelled any more (its cancellation window closed on 2026-01-05T00:00:00Z); it is cancelled at term end (auto-renew off with the explicit cancellation, so no extended service term follows) and ends on 2026-12-28`,
    );
  });

  it("a renamed key that still matches the subscription keeps it: nothing is cancelled", async () => {
    const p = await planned(yaml("cancel", BOTH), yaml("cancel", { apps: entryOf(APPS), renamed: entryOf(FRESH, { friendlyName: "basic" }) }));
    expect(p.steps).toEqual([]);
    expect(p.removed?.map((r) => [r.subscription, r.outcome, r.note])).toEqual([["basic", "kept", `entry rockit/renamed still manages subscription ${FRESH.id}; nothing is called for the removal`]]);
  });

  it("a customer removed as a whole has each of its entries removed", async () => {
    const p = await planned(yaml("cancel", BOTH), stringify({ version: 1, policy: { removed: "cancel" }, customers: {} }));
    expect(p.removed?.map((r) => [r.customer, r.subscription, r.outcome])).toEqual([
      ["rockit", "apps", "cancel-at-term-end"],
      ["rockit", "basic", "cancel"],
    ]);
  });
});

describe("seatplan plan --base", () => {
  let dir = "";
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  async function run(...argv: string[]): Promise<{ code: number; out: string }> {
    const out: string[] = [];
    const io: CliIO = { stdout: (t) => out.push(t), stderr: () => undefined, env: { SEATPLAN_SIMULATOR_STATE: "sim.json" }, cwd: dir, isTTY: false };
    return { code: await main(["node", "seatplan", ...argv], io), out: out.join("") };
  }

  it("shows the removed entries in text and markdown, and nothing else changes", async () => {
    dir = mkdtempSync(join(tmpdir(), "seatplan-base-"));
    writeFileSync(join(dir, "sim.json"), JSON.stringify(stateOf({ name: "", live: [APPS, FRESH], entries: {}, expect: [] })));
    writeFileSync(join(dir, "base.yaml"), yaml("cancel", BOTH));
    writeFileSync(join(dir, "licences.yaml"), yaml("cancel", { apps: entryOf(APPS) }));
    const text = await run("plan", "licences.yaml", "--base", "base.yaml");
    expect(text.code).toBe(0);
    // Text fits 80 columns: the summary and notes wrap, continuation lines indented.
    const flat = text.out.replace(/\n +/g, " ");
    expect(flat).toContain("Summary: 1 now, 0 at renewal, 0 irreversible, 0 blocked, 1 unchanged, 0 unmanaged, 1 removed\n");
    expect(text.out).toMatch(/\n {2}now +rockit\/basic +cancel +−?\d+\.\d\d\n {6}active → deleted\n {6}deadline: apply before 2026-11-28T00:00:00Z\n/);
    expect(flat).toContain(
      `\nRemoved from the YAML (1): rockit/basic (${FRESH.id}): cancel — policy.removed: cancel: subscription ${FRESH.id} is cancelled now, inside its cancellation window (open until 2026-11-28T00:00:00Z)\n`,
    );
    const md = await run("plan", "licences.yaml", "--base", "base.yaml", "--format", "markdown");
    expect(md.out.split("\n")[0]).toContain("· 1 removed · **apply before 2026-11-28T00:00:00Z** (rockit/basic `cancel`)");
    expect(md.out).toContain("### Removed from the YAML (1)\n\n- rockit/basic");
  });
});
