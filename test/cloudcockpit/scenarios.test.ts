import { afterEach, describe, expect, it } from "vitest";
import { applySubscription } from "../../provider/apply";
import type { Backend } from "../../provider/backends/backend";
import type { DesiredState, Plan, PlanStep } from "../../provider/domain/types";
import { observe } from "../../provider/observe";
import { plan } from "../../provider/plan";
import { describeEdits } from "../../provider/rules/steps";
import { applyFix, desiredOf, NOW, scenarioDesired, shape, stateOf, TENANT, yamlOf, type Scenario } from "../plan/fixtures";
import { SCENARIOS } from "../plan/scenarios";
import { PARTNER, startCcHarness, type CcHarness } from "./harness";

/**
 * The planner's rule table over the CloudCockpit facade, beside the partner-center backend on the
 * same simulator: per subscription the plan is the same, or it differs and a step of it names the
 * cloudcockpit backend (the documented downgrade, explained in the plan). Then the CloudCockpit
 * plan is applied through CloudCockpit and a re-plan finds only what stays blocked.
 */

async function planWith(backend: Backend, desired: DesiredState, now: string): Promise<Plan> {
  return plan(desired, await observe(desired, backend), { now: new Date(now), backend: backend.name, capabilities: backend.capabilities });
}

/** CloudCockpit ids written as Partner Center's, backend name blanked: what the two plans share. */
function normalise(p: Plan, pcIdOf: ReadonlyMap<string, string>): Plan {
  const text = JSON.stringify({ ...p, backend: "" }).replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi, (id) => pcIdOf.get(id.toLowerCase()) ?? id);
  return JSON.parse(text) as Plan;
}

function bySubscription(steps: readonly PlanStep[]): Map<string, PlanStep[]> {
  const groups = new Map<string, PlanStep[]>();
  for (const s of steps) groups.set(s.subscription, [...(groups.get(s.subscription) ?? []), s]);
  return groups;
}

/**
 * A renewal seat count or offer scheduled in Partner Center (the scenario's live state) is
 * invisible through CloudCockpit, whose renewal settings hold term and billing only (README,
 * "CloudCockpit: what is not supported"): plans of such a subscription differ without a reason.
 */
function invisibleRenewal(scenario: Scenario, key: string): boolean {
  const live = liveOf(scenario, key);
  return live?.scheduled !== undefined && (live.scheduled.quantity !== live.quantity || live.scheduled.offer !== live.offer);
}

function liveOf(scenario: Scenario, key: string): Scenario["live"][number] | undefined {
  const entry = scenario.entries[key];
  return scenario.live.find((l) => l.id === entry?.["id"] || l.friendlyName === (entry?.["friendlyName"] ?? key));
}

/**
 * Nor does CloudCockpit show the end of a term (README, "CloudCockpit: what is not supported"): a
 * subscription in the extended service term reads as a monthly one with auto-renew off, and an
 * explicit cancellation at term end scheduled in Partner Center is not visible. Its plan differs
 * without a reason, and Partner Center refuses at apply what it does not allow in EST.
 */
function invisibleTermEnd(scenario: Scenario, key: string): boolean {
  const live = liveOf(scenario, key);
  return live?.est === true || live?.cancelAtTermEnd === true;
}

const explained = (steps: readonly PlanStep[]): boolean => steps.some((s) => `${s.reason ?? ""} ${s.hint ?? ""}`.includes("the cloudcockpit backend"));

let h: CcHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const differences: string[] = [];

describe("the rule table over the CloudCockpit facade", () => {
  it.each(SCENARIOS.map((s) => [s.name, s] as const))("%s", async (name, scenario: Scenario) => {
    const now = scenario.now ?? NOW;
    const desired = scenarioDesired(scenario);
    h = await startCcHarness({ state: { ...stateOf(scenario), partner: PARTNER } });
    const cc = h.backend();
    const pc = h.partnerCenter();

    const expected = await planWith(pc, desired, now);
    const planned = await planWith(cc, desired, now);
    expect(planned.backend).toBe("cloudcockpit");
    const ids = await h.pcIdOf();
    const mine = normalise(planned, ids);
    const theirs = normalise(expected, ids);
    expect(mine.unmanaged).toEqual(theirs.unmanaged);
    const a = bySubscription(mine.steps);
    const b = bySubscription(theirs.steps);
    for (const key of new Set([...a.keys(), ...b.keys()])) {
      const ours = a.get(key) ?? [];
      if (JSON.stringify(ours) === JSON.stringify(b.get(key) ?? [])) continue;
      differences.push(`${name}: ${key}`);
      if (invisibleRenewal(scenario, key) || invisibleTermEnd(scenario, key)) continue;
      // A difference is a downgrade the plan explains on that subscription, never a silent one.
      expect({ key, explained: explained(ours), steps: ours }).toMatchObject({ key, explained: true });
    }

    const before = await h.requests();
    let refused = 0;
    const refusedIn = new Set<string>();
    for (const steps of bySubscription(planned.steps).values()) {
      const outcomes = await applySubscription(steps, cc, { customerId: TENANT });
      const ran = outcomes.filter((o) => o.status !== "blocked");
      const key = steps[0]?.subscription ?? "";
      if (invisibleTermEnd(scenario, key) && ran.some((o) => o.status === "failed")) {
        // Refused by Partner Center behind CloudCockpit (a change to a subscription in EST), not half-done.
        expect(ran.filter((o) => o.status === "failed").map((o) => (o.status === "failed" ? o.code : ""))).not.toContain("verification");
        refused += ran.filter((o) => o.status === "failed").length;
        refusedIn.add(key);
        continue;
      }
      expect(ran.map((o) => [o.step.action, o.status, o.status === "failed" ? o.message : ""])).toEqual(ran.map((o) => [o.step.action, "done", ""]));
    }
    const writes = (await h.requests()).slice(before.length).filter((r) => r.path.startsWith("/cloudcockpit/v1") && r.method !== "GET");
    // Each write is sent once: no 409, no retry on this quiet simulator; one refusal per write refused behind CloudCockpit.
    expect(writes.filter((w) => w.status >= 300).length).toBe(refused);
    const again = await planWith(cc, desired, now);
    const replan = shape(again);
    // A step the CloudCockpit plan blocks as a downgrade stays blocked; the rest converges as on Partner Center.
    // So does one refused behind CloudCockpit (it stays planned, and refused, until the YAML changes).
    const downgraded = new Set([...again.steps.filter((s) => explained([s])).map((s) => s.subscription), ...refusedIn]);
    const kept = (rows: readonly (readonly unknown[])[]) => rows.filter((r) => !downgraded.has(String(r[0])));
    expect(kept(replan)).toEqual(kept(scenario.replan ?? replan.filter(([, , timing]) => timing === "blocked")));
  });

  const downgradedBlocks: string[] = [];
  it.each(SCENARIOS.map((s) => [s.name, s] as const))("%s: every hint of the CloudCockpit plan, applied to the YAML, plans without a blocked step", async (name, scenario: Scenario) => {
    const now = scenario.now ?? NOW;
    h = await startCcHarness({ state: { ...stateOf(scenario), partner: PARTNER } });
    let planned = await planWith(h.backend(), scenarioDesired(scenario), now);
    let entries = scenario.entries;
    // A hint written for Partner Center (renew into the other offer, reduce at renewal) may lead
    // to the renewal change CloudCockpit cannot make: its own hint follows in the next round.
    for (let round = 1; round <= 3; round++) {
      const blocked = planned.steps.filter((s) => s.timing === "blocked");
      if (blocked.length === 0) break;
      if (round === 3) expect(blocked.map((s) => `${s.subscription} ${s.rule}: ${s.reason}`)).toEqual([]);
      for (const step of blocked) {
        expect(step.hint?.startsWith(`${describeEdits(step.fix ?? [])} `)).toBe(true);
        if (round === 1 && explained([step])) downgradedBlocks.push(`${name}: ${step.subscription}`);
        entries = applyFix(entries, step.subscription, step.fix ?? []);
      }
      await h.close();
      h = await startCcHarness({ state: { ...stateOf(scenario), partner: PARTNER } });
      planned = await planWith(h.backend(), desiredOf(yamlOf(scenario.policy ?? "block", entries)), now);
    }
  });

  it("some scenarios differ, and only where a capability does (listed for the record)", () => {
    process.stdout.write(
      `cloudcockpit downgrades: ${differences.length} subscriptions in ${new Set(differences.map((d) => d.split(": ")[0])).size} of ${SCENARIOS.length} scenarios; blocked by a downgrade: ${downgradedBlocks.length}\n${differences.join("\n")}\n`,
    );
    expect(differences.length).toBeGreaterThan(0);
    expect(differences.length).toBeLessThan(SCENARIOS.length);
  });
});
