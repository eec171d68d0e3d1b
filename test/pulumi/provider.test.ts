// The Subscription provider called directly, as the provider host would, against the embedded
// simulator on a demo-tenant state file frozen at DEMO_NOW. The methods load seatplan from the
// project directory like the serialized provider does, so they run the build (dist/).
import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { type SubscriptionEntry, type SubscriptionInputs, SubscriptionProvider } from "../../provider/pulumi";
import { outputsOf, type SubscriptionOutputs } from "../../provider/pulumi/outputs";
import { DEMO_SUBSCRIPTIONS, demoState } from "../../provider/simulator/demo";
import {
  DEMO_ENTRIES,
  DEMO_NOW,
  entry,
  FAKE_SECRET,
  inputs,
  NORTHWIND,
  openSimulator,
  requireFreshBuild,
  ROCKIT,
  tempDir,
  undefinedPaths,
  writeDemoState,
} from "./support";

const dir = tempDir("provider");
/** What the provider host passes for a value not known before apply (preview of a computed input). */
const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
const provider = new SubscriptionProvider();

/** A config as `configure()` receives it (keys with a namespace are read as they are). */
function config(values: Record<string, string>): { config: { get(key: string): string | undefined; require(key: string): string } } {
  return {
    config: {
      get: (key) => values[key],
      require: (key) => values[key] ?? (() => { throw new Error(`missing ${key}`); })(),
    },
  };
}

/** A fresh demo tenant for each test that writes; the provider reads it through SEATPLAN_SIMULATOR_STATE. */
function freshTenant(name: string): string {
  const statePath = writeDemoState(path.join(dir, `${name}.json`));
  vi.stubEnv("SEATPLAN_SIMULATOR_STATE", statePath);
  return statePath;
}

async function stored(statePath: string, id: string, e: SubscriptionEntry, customerKey = "rockit"): Promise<SubscriptionOutputs> {
  const sim = await openSimulator(statePath);
  const tenant = customerKey === "rockit" ? ROCKIT : NORTHWIND;
  return outputsOf(await sim.getSubscription(tenant, id), { customerKey, subscriptionKey: e.key, providerVersion: inputs(e).providerVersion });
}

async function live(statePath: string, tenant: string, id: string): Promise<{ quantity: number; status: string; autoRenew: boolean }> {
  const s = await (await openSimulator(statePath)).getSubscription(tenant, id);
  return { quantity: s.quantity, status: s.status, autoRenew: s.autoRenew };
}

beforeAll(() => requireFreshBuild());
beforeEach(async () => {
  vi.stubEnv("SEATPLAN_NOW", DEMO_NOW);
  vi.stubEnv("SEATPLAN_AUDIT_LOG", path.join(dir, "audit.jsonl"));
  vi.stubEnv("SEATPLAN_BACKEND", "");
  await provider.configure(config({}));
});
afterEach(() => {
  vi.unstubAllEnvs();
  vi.restoreAllMocks();
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe("check: the YAML validation on the inputs", () => {
  it("fills the YAML defaults and canonical forms, so equal YAML gives equal inputs", async () => {
    const news = {
      entry: { key: "apps", id: "EC4ACCCE-B04F-4B8D-DC23-629B6D8E630B", offer: "CFQ7TTC0LH1G:0001:SIMAV0000004", term: "P1Y", billing: "annual", quantity: 3 },
      customerKey: "rockit",
      customerTenantId: ROCKIT.toUpperCase(),
      providerVersion: "9.9.9",
    } as unknown as SubscriptionInputs;
    expect(await provider.check({} as SubscriptionInputs, news)).toEqual({
      inputs: {
        entry: {
          key: "apps",
          id: "ec4accce-b04f-4b8d-dc23-629b6d8e630b",
          offer: "CFQ7TTC0LH1G:0001:SIMAV0000004",
          term: "P1Y",
          billing: "annual",
          quantity: 3,
          autoRenew: true,
          status: "active",
          friendlyName: "apps",
          alignEndDate: null,
          renewal: null,
          upgrade: null,
        },
        customerKey: "rockit",
        customerTenantId: ROCKIT,
        reductions: "block",
        removed: "release",
        related: [],
        providerVersion: "9.9.9",
      },
    });
  });

  const base = DEMO_ENTRIES.appsForBusiness;
  it.each([
    {
      mistake: "a quantity of 0",
      news: inputs({ ...base, quantity: 0 }),
      failure: { property: "entry.quantity", reason: 'must be an integer ≥ 1 (hint: found 0; to end the subscription, set "status: cancelled" instead)' },
    },
    {
      mistake: "a renewal quantity in words",
      news: inputs({ ...base, renewal: { quantity: "two" as unknown as number, term: null, billing: null, offer: null } }),
      failure: { property: "entry.renewal.quantity", reason: 'must be an integer ≥ 1 (hint: found "two"; write a whole number, e.g. "quantity: 1")' },
    },
    {
      mistake: "an unknown key",
      news: inputs({ ...base, seats: 3 } as SubscriptionEntry),
      failure: {
        property: "entry.seats",
        reason: 'unknown key "seats" (hint: did you mean "status"? allowed keys here: id, offer, term, billing, quantity, autoRenew, status, friendlyName, alignEndDate, renewal, upgrade)',
      },
    },
    {
      mistake: "a billing the term does not sell",
      news: inputs({ ...base, term: "P1M" }),
      failure: { property: "entry.billing", reason: "billing annual is not offered with term P1M (hint: with term P1M, set billing to monthly; or choose a longer term)" },
    },
    {
      mistake: "an upgrade into an entry that does not exist",
      news: inputs({ ...base, upgrade: { to: "CFQ7TTC0LCHC:0002", quantity: null, into: "premium", acknowledge: "irreversible" } }),
      failure: { property: "entry.upgrade.into", reason: '"premium" is not a subscription of customer "rockit" (hint: remove into to upgrade into a new subscription)' },
    },
    {
      mistake: "a tenant id that is no GUID",
      news: { ...inputs(base), customerTenantId: "rockit.onmicrosoft.com" },
      failure: {
        property: "customerTenantId",
        reason: 'must be a GUID of 8-4-4-4-12 hexadecimal digits (hint: found "rockit.onmicrosoft.com"; e.g. "tenantId: ee2337af-1fb7-44c8-b0ef-e6bf5b59baed")',
      },
    },
  ])("refuses $mistake, naming the input property", async ({ news, failure }) => {
    expect(await provider.check({} as SubscriptionInputs, news)).toEqual({ inputs: news, failures: [failure] });
  });

  it("leaves inputs not known before apply alone, wherever they are: preview must not fail on them", async () => {
    const news = { ...inputs(DEMO_ENTRIES.businessBasic), related: [UNKNOWN] } as unknown as SubscriptionInputs;
    expect(await provider.check({} as SubscriptionInputs, news)).toEqual({ inputs: news });
  });

  it("opens no backend: a partner-center stack without credentials still checks", async () => {
    vi.stubEnv("SEATPLAN_BACKEND", "partner-center");
    const news = inputs(DEMO_ENTRIES.businessBasic);
    expect(await provider.check({} as SubscriptionInputs, news)).toEqual({ inputs: news });
  });
});

describe("diff: the planner on the stored outputs, without a backend call", () => {
  let statePath: string;
  let apps: SubscriptionOutputs;
  let basic: SubscriptionOutputs;
  beforeAll(async () => {
    statePath = writeDemoState(path.join(dir, "diff.json"));
    apps = await stored(statePath, DEMO_SUBSCRIPTIONS.appsForBusiness, DEMO_ENTRIES.appsForBusiness);
    basic = await stored(statePath, DEMO_SUBSCRIPTIONS.businessBasic, DEMO_ENTRIES.businessBasic);
  });
  beforeEach(() => {
    // Diff must not touch the backend: point it at one that cannot even be opened.
    vi.stubEnv("SEATPLAN_BACKEND", "partner-center");
    vi.stubEnv("SEATPLAN_SIMULATOR_STATE", path.join(dir, "missing", "never-created.json"));
  });

  it.each([
    { change: "nothing", entry: DEMO_ENTRIES.appsForBusiness, changes: false },
    { change: "more seats", entry: { ...DEMO_ENTRIES.appsForBusiness, quantity: 5 }, changes: true },
    { change: "fewer seats at renewal", entry: { ...DEMO_ENTRIES.appsForBusiness, renewal: { quantity: 2, term: null, billing: null, offer: null } }, changes: true },
    { change: "auto-renew off", entry: { ...DEMO_ENTRIES.appsForBusiness, autoRenew: false }, changes: true },
    { change: "a new friendly name", entry: { ...DEMO_ENTRIES.appsForBusiness, friendlyName: "Rockit apps" }, changes: true },
  ])("$change: changes $changes", async ({ entry, changes }) => {
    expect(await provider.diff(DEMO_SUBSCRIPTIONS.appsForBusiness, apps, inputs(entry))).toEqual({ changes });
    expect(fs.existsSync(path.join(dir, "missing"))).toBe(false);
  });

  it("a new seatplan version changes the resource once, so its outputs are rewritten, whatever shape the old ones have", async () => {
    const newer = { ...inputs(DEMO_ENTRIES.appsForBusiness), providerVersion: "99.0.0" };
    expect(await provider.diff(DEMO_SUBSCRIPTIONS.appsForBusiness, apps, newer)).toEqual({ changes: true });
    const { refundableQuantity: _gone, ...older } = apps;
    expect(await provider.diff(DEMO_SUBSCRIPTIONS.appsForBusiness, { ...older, providerVersion: "0.0.1" } as SubscriptionOutputs, inputs(DEMO_ENTRIES.appsForBusiness))).toEqual({ changes: true });
  });

  it("a reduction outside the window fails with the reason and the YAML that works", async () => {
    await expect(provider.diff(DEMO_SUBSCRIPTIONS.appsForBusiness, apps, inputs({ ...DEMO_ENTRIES.appsForBusiness, quantity: 1 }))).rejects.toThrow(
      "rockit/apps-for-business: decrease-quantity 3 → 1 is blocked: the reduction window closed on 2025-12-20T00:00:00Z\n" +
        "  hint: set quantity: 3 and renewal.quantity: 1 to reduce at renewal on 2026-12-13",
    );
  });

  it("judges windows at SEATPLAN_NOW: the same reduction is allowed inside the window and blocked after it", async () => {
    const fewer = inputs({ ...DEMO_ENTRIES.businessBasic, quantity: 4 });
    expect(await provider.diff(DEMO_SUBSCRIPTIONS.businessBasic, basic, fewer)).toEqual({ changes: true });
    vi.stubEnv("SEATPLAN_NOW", "2026-12-01T00:00:00Z");
    await expect(provider.diff(DEMO_SUBSCRIPTIONS.businessBasic, basic, fewer)).rejects.toThrow(
      "rockit/business-basic: decrease-quantity 5 → 4 is blocked: the reduction window closed on 2026-11-28T00:00:00Z\n" +
        "  hint: set quantity: 5 and renewal.quantity: 4 to reduce at renewal on 2027-11-21",
    );
  });

  it("without SEATPLAN_NOW plans at the embedded simulator's clock (as up will), reading its state file without changing it", async () => {
    const later = path.join(dir, "later.json");
    fs.writeFileSync(later, JSON.stringify({ ...demoState(Date.parse(DEMO_NOW)), now: "2031-01-01T00:00:00Z" }));
    const before = fs.readFileSync(later, "utf8");
    vi.stubEnv("SEATPLAN_NOW", "");
    vi.stubEnv("SEATPLAN_BACKEND", "");
    vi.stubEnv("SEATPLAN_SIMULATOR_STATE", later);
    // At the real clock (pinned inside the window) these seats are still refundable; at the simulator's they are not.
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(new Date(DEMO_NOW));
    try {
      await expect(provider.diff(DEMO_SUBSCRIPTIONS.businessBasic, basic, inputs({ ...DEMO_ENTRIES.businessBasic, quantity: 4 }))).rejects.toThrow(
        "rockit/business-basic: decrease-quantity 5 → 4 is blocked: the reduction window closed on 2026-11-28T00:00:00Z",
      );
    } finally {
      vi.useRealTimers();
    }
    expect(fs.readFileSync(later, "utf8")).toBe(before);
  });

  it("without SEATPLAN_NOW and with no simulator state file, plans at the real clock and creates no file", async () => {
    const missing = path.join(dir, "no-simulator", "simulator.json");
    vi.stubEnv("SEATPLAN_NOW", "");
    vi.stubEnv("SEATPLAN_BACKEND", "");
    vi.stubEnv("SEATPLAN_SIMULATOR_STATE", missing);
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(new Date(DEMO_NOW));
    try {
      expect(await provider.diff(DEMO_SUBSCRIPTIONS.businessBasic, basic, inputs({ ...DEMO_ENTRIES.businessBasic, quantity: 4 }))).toEqual({ changes: true });
    } finally {
      vi.useRealTimers();
    }
    expect(fs.existsSync(path.join(dir, "no-simulator"))).toBe(false);
  });

  it("leaves an entry linked by upgrade.into to the engine's input comparison: the other end's live state is not in this state", async () => {
    const into = { ...DEMO_ENTRIES.appsForBusiness, upgrade: { to: "CFQ7TTC0LCHC:0002", quantity: null, into: "premium", acknowledge: "irreversible" } };
    const premium = entry("premium", { offer: "CFQ7TTC0LCHC:0002", term: "P1Y", billing: "annual", quantity: 3 });
    expect(await provider.diff(DEMO_SUBSCRIPTIONS.appsForBusiness, apps, { ...inputs(into), related: [premium] })).toEqual({});
  });

  it.each([
    { what: "the tenant id", news: (): SubscriptionInputs => ({ ...inputs(DEMO_ENTRIES.appsForBusiness), customerTenantId: UNKNOWN }) },
    { what: "the entry", news: (): SubscriptionInputs => ({ ...inputs(DEMO_ENTRIES.appsForBusiness), entry: UNKNOWN as unknown as SubscriptionEntry }) },
    { what: "a related entry", news: (): SubscriptionInputs => ({ ...inputs(DEMO_ENTRIES.appsForBusiness), related: [UNKNOWN as unknown as SubscriptionEntry] }) },
  ])("with $what not known before apply, leaves the decision to the engine instead of failing preview", async ({ news }) => {
    expect(await provider.diff(DEMO_SUBSCRIPTIONS.appsForBusiness, apps, news())).toEqual({});
  });

  it("refuses to move the resource to another subscription or tenant", async () => {
    const other = "3f2a8c1e-5b7d-4e9a-8c6f-1d2e3f4a5b02";
    await expect(provider.diff(DEMO_SUBSCRIPTIONS.appsForBusiness, apps, inputs({ ...DEMO_ENTRIES.appsForBusiness, id: other }))).rejects.toThrow(
      `rockit/apps-for-business: this resource manages subscription ${DEMO_SUBSCRIPTIONS.appsForBusiness}, but the YAML now says id: ${other}; a resource cannot switch subscriptions: forget this one with \`pulumi state delete\` (the subscription is left as it is), then \`pulumi up\` adopts the other, or set id: ${DEMO_SUBSCRIPTIONS.appsForBusiness} again`,
    );
    await expect(
      provider.diff(DEMO_SUBSCRIPTIONS.appsForBusiness, apps, inputs(DEMO_ENTRIES.appsForBusiness, { key: "rockit", tenantId: NORTHWIND })),
    ).rejects.toThrow(`but the YAML now says tenantId: ${NORTHWIND}; a resource cannot move to another tenant`);
  });
});

describe("create, update, read and delete against the embedded simulator", () => {
  it("create adopts a subscription by friendlyName and applies the rest of the entry, with JSON-safe outputs", async () => {
    const statePath = freshTenant("adopt");
    const logged = vi.spyOn(console, "log").mockImplementation(() => undefined);
    const created = await provider.create(inputs({ ...DEMO_ENTRIES.businessBasic, quantity: 4 }));
    expect(created.id).toBe(DEMO_SUBSCRIPTIONS.businessBasic);
    expect(undefinedPaths(created.outs)).toEqual([]);
    expect(created.outs).toEqual(JSON.parse(JSON.stringify(created.outs)));
    expect(created.outs).toMatchObject({
      subscriptionId: DEMO_SUBSCRIPTIONS.businessBasic,
      customerKey: "rockit",
      subscriptionKey: "business-basic",
      customerTenantId: ROCKIT,
      offer: "CFQ7TTC0LH18:0001",
      quantity: 4,
      status: "active",
      autoRenew: true,
      term: "P1Y",
      billing: "monthly",
      cancellationAllowedUntilDate: "2026-11-28T00:00:00.000Z",
      scheduledRenewal: null,
      orderId: "d3m0rock0002",
    });
    expect(await live(statePath, ROCKIT, DEMO_SUBSCRIPTIONS.businessBasic)).toMatchObject({ quantity: 4 });
    expect(logged.mock.calls.map(([line]) => String(line))).toEqual([
      `seatplan: rockit/business-basic: adopted subscription ${DEMO_SUBSCRIPTIONS.businessBasic} (matched by friendlyName)`,
      "seatplan: rockit/business-basic: decrease-quantity 5 → 4 (now)",
    ]);
  });

  it("create buys once: the same inputs again adopt the subscription the first create bought", async () => {
    const statePath = freshTenant("buy");
    vi.spyOn(console, "log").mockImplementation(() => undefined);
    const news = inputs(DEMO_ENTRIES.entraIdP1, { key: "northwind", tenantId: NORTHWIND });
    const first = await provider.create(news);
    // As after a create whose answer was lost: the engine never recorded it and creates again.
    const second = await provider.create(news);
    expect(second.id).toBe(first.id);
    const sim = await openSimulator(statePath);
    expect((await sim.listSubscriptions(NORTHWIND)).filter((s) => s.friendlyName === "entra-id-p1").map((s) => s.id)).toEqual([first.id]);
    expect(first.outs).toMatchObject({ offer: "CFQ7TTC0LFLS:0002", quantity: 5, endDate: "2027-11-22T00:00:00.000Z", refundableQuantity: { totalQuantity: 5 } });
  });

  it("create of a status: cancelled entry cancels the subscription it matches, and records it", async () => {
    const statePath = freshTenant("cancelled");
    vi.spyOn(console, "log").mockImplementation(() => undefined);
    const created = await provider.create(inputs({ ...DEMO_ENTRIES.businessBasic, status: "cancelled" }));
    expect(created).toMatchObject({ id: DEMO_SUBSCRIPTIONS.businessBasic, outs: { status: "deleted" } });
    expect(await live(statePath, ROCKIT, DEMO_SUBSCRIPTIONS.businessBasic)).toMatchObject({ status: "deleted" });
    // Created again (say, after a refresh dropped it): it binds to the ended subscription, calling nothing.
    expect(await provider.create(inputs({ ...DEMO_ENTRIES.businessBasic, status: "cancelled" }))).toMatchObject({ id: DEMO_SUBSCRIPTIONS.businessBasic });
  });

  it("create of a status: cancelled entry that no subscription ever matched says to remove the entry", async () => {
    freshTenant("never");
    await expect(provider.create(inputs({ ...DEMO_ENTRIES.entraIdP1, status: "cancelled" }))).rejects.toThrow(
      `rockit/entra-id-p1: status: cancelled, and tenant ${ROCKIT} has no subscription named "entra-id-p1", not even a cancelled one: there is nothing to manage; remove the entry from the YAML`,
    );
  });

  it("create plans with the related entries: a purchase aligned to another subscription ends with it", async () => {
    const statePath = freshTenant("aligned");
    vi.spyOn(console, "log").mockImplementation(() => undefined);
    const aligned = entry("premium", { offer: "CFQ7TTC0LCHC:0002", term: "P1Y", billing: "annual", quantity: 2, alignEndDate: "apps-for-business" });
    const created = await provider.create({ ...inputs(aligned), related: [DEMO_ENTRIES.appsForBusiness] });
    const apps = await (await openSimulator(statePath)).getSubscription(ROCKIT, DEMO_SUBSCRIPTIONS.appsForBusiness);
    expect(created.outs).toMatchObject({ friendlyName: "premium", quantity: 2, endDate: apps.endDate });
  });

  it("update plans on a fresh read and applies; a backend refusal surfaces its code and hint and keeps what was done", async () => {
    const statePath = freshTenant("update");
    vi.spyOn(console, "log").mockImplementation(() => undefined);
    const olds = await stored(statePath, DEMO_SUBSCRIPTIONS.appsForBusiness, DEMO_ENTRIES.appsForBusiness);
    const more = inputs({ ...DEMO_ENTRIES.appsForBusiness, quantity: 5 });
    expect((await provider.update(DEMO_SUBSCRIPTIONS.appsForBusiness, olds, more)).outs).toMatchObject({ quantity: 5 });

    const sim = await openSimulator(statePath);
    await sim.service.addFault({ method: "PATCH", path: `/subscriptions/${DEMO_SUBSCRIPTIONS.appsForBusiness}$`, status: 400, code: "800002", description: "Simulated refusal" });
    const error = await provider.update(DEMO_SUBSCRIPTIONS.appsForBusiness, olds, { ...more, entry: { ...more.entry, quantity: 6 } }).catch((e: unknown) => e);
    expect((error as Error).message.replace(/MS-RequestId [0-9a-f-]+/, "MS-RequestId <id>")).toBe(
      `rockit/apps-for-business: increase-quantity 5 → 6 failed [800002]: simulator: 400 800002 Simulated refusal; check the request (PATCH /v1/customers/${ROCKIT}/subscriptions/${DEMO_SUBSCRIPTIONS.appsForBusiness}, MS-RequestId <id>)\n` +
        "  hint: run `pulumi refresh` to read the subscription as it is now, then `pulumi preview` (or `seatplan plan`) to see what the rules allow",
    );
    // A partial failure: the provider host records the subscription with these outputs.
    expect(error).toMatchObject({ id: DEMO_SUBSCRIPTIONS.appsForBusiness, properties: { quantity: 5, __provider: "" } });
  });

  it("update acts on a change made again after another one at one instant (auto-renew off, on, off), instead of replaying the first answer", async () => {
    const statePath = freshTenant("toggle");
    vi.spyOn(console, "log").mockImplementation(() => undefined);
    const olds = await stored(statePath, DEMO_SUBSCRIPTIONS.appsForBusiness, DEMO_ENTRIES.appsForBusiness);
    const autoRenew = async (enabled: boolean): Promise<boolean> => {
      await provider.update(DEMO_SUBSCRIPTIONS.appsForBusiness, olds, inputs({ ...DEMO_ENTRIES.appsForBusiness, autoRenew: enabled }));
      return (await live(statePath, ROCKIT, DEMO_SUBSCRIPTIONS.appsForBusiness)).autoRenew;
    };
    // SEATPLAN_NOW and the simulator's clock stay put: the three plans are made at one instant.
    expect([await autoRenew(false), await autoRenew(true), await autoRenew(false)]).toEqual([false, true, false]);
  });

  it("read returns the live subscription, drift included, in JSON-safe outputs", async () => {
    const statePath = freshTenant("read");
    const olds = await stored(statePath, DEMO_SUBSCRIPTIONS.businessBasic, DEMO_ENTRIES.businessBasic);
    await (await openSimulator(statePath)).setQuantity(ROCKIT, DEMO_SUBSCRIPTIONS.businessBasic, 7);
    const read = await provider.read(DEMO_SUBSCRIPTIONS.businessBasic, olds);
    expect(read).toEqual({ id: DEMO_SUBSCRIPTIONS.businessBasic, props: { ...olds, quantity: 7, refundableQuantity: read.props?.refundableQuantity } });
    expect(read.props?.refundableQuantity.totalQuantity).toBe(7);
    expect(undefinedPaths(read)).toEqual([]);
  });

  it("read finds a subscription cancelled behind the stack's back gone, but keeps one the YAML cancelled", async () => {
    const statePath = freshTenant("read-gone");
    const olds = await stored(statePath, DEMO_SUBSCRIPTIONS.businessBasic, DEMO_ENTRIES.businessBasic);
    await (await openSimulator(statePath)).cancel(ROCKIT, DEMO_SUBSCRIPTIONS.businessBasic);
    expect(await provider.read(DEMO_SUBSCRIPTIONS.businessBasic, olds)).toEqual({ id: "", props: {} });
    expect(await provider.read(DEMO_SUBSCRIPTIONS.businessBasic, { ...olds, status: "deleted" })).toMatchObject({ id: DEMO_SUBSCRIPTIONS.businessBasic, props: { status: "deleted" } });
  });

  it("delete releases by default: the subscription stays as it is, nothing is called, and it says so", async () => {
    const statePath = freshTenant("delete-release");
    const before = fs.readFileSync(statePath, "utf8");
    const logged = vi.spyOn(console, "log").mockImplementation(() => undefined);
    await provider.delete(DEMO_SUBSCRIPTIONS.businessBasic, await stored(statePath, DEMO_SUBSCRIPTIONS.businessBasic, DEMO_ENTRIES.businessBasic));
    expect(fs.readFileSync(statePath, "utf8")).toBe(before);
    expect(logged.mock.calls.map(([line]) => String(line))).toEqual([
      `seatplan: rockit/business-basic: removed from the YAML: policy.removed: release: subscription ${DEMO_SUBSCRIPTIONS.businessBasic} is no longer managed and stays as it is in tenant ${ROCKIT}; nothing was called`,
    ]);
  });

  it("delete follows policy.removed of the YAML file the program read, as it is now", async () => {
    const statePath = freshTenant("delete-file-policy");
    const project = fs.mkdtempSync(path.join(dir, "project-"));
    vi.spyOn(console, "log").mockImplementation(() => undefined);
    fs.writeFileSync(path.join(project, "licences.yaml"), `version: 1\npolicy:\n  removed: cancel\ncustomers:\n  rockit:\n    tenantId: ${ROCKIT}\n    subscriptions: {}\n`);
    // Recorded as `release`: the file's current policy wins (a removal and a policy change in one commit).
    const olds = { ...(await stored(statePath, DEMO_SUBSCRIPTIONS.businessBasic, DEMO_ENTRIES.businessBasic)), desiredFile: path.join(project, "licences.yaml"), removed: "release" as const };
    await provider.delete(DEMO_SUBSCRIPTIONS.businessBasic, olds);
    expect(await live(statePath, ROCKIT, DEMO_SUBSCRIPTIONS.businessBasic)).toMatchObject({ status: "deleted" });
  });

  it("delete with policy.removed: cancel cancels inside the cancellation window, and says so", async () => {
    const statePath = freshTenant("delete-in-window");
    const logged = vi.spyOn(console, "log").mockImplementation(() => undefined);
    const olds = { ...(await stored(statePath, DEMO_SUBSCRIPTIONS.businessBasic, DEMO_ENTRIES.businessBasic)), removed: "cancel" as const };
    await provider.delete(DEMO_SUBSCRIPTIONS.businessBasic, olds);
    expect(await live(statePath, ROCKIT, DEMO_SUBSCRIPTIONS.businessBasic)).toMatchObject({ status: "deleted" });
    expect(logged.mock.calls.map(([line]) => String(line))).toEqual([
      `seatplan: rockit/business-basic: removed from the YAML: policy.removed: cancel: subscription ${DEMO_SUBSCRIPTIONS.businessBasic} is cancelled now, inside its cancellation window (open until 2026-11-28T00:00:00Z)`,
    ]);
  });

  it("delete with policy.removed: cancel outside the window turns auto-renew off so the subscription ends at term end, and says so", async () => {
    const statePath = freshTenant("delete-at-term-end");
    const logged = vi.spyOn(console, "log").mockImplementation(() => undefined);
    const olds = { ...(await stored(statePath, DEMO_SUBSCRIPTIONS.teamsEssentials, DEMO_ENTRIES.teamsEssentials)), removed: "cancel" as const };
    await provider.delete(DEMO_SUBSCRIPTIONS.teamsEssentials, olds);
    expect(await live(statePath, ROCKIT, DEMO_SUBSCRIPTIONS.teamsEssentials)).toEqual({ quantity: 4, status: "active", autoRenew: false });
    expect(logged.mock.calls.map(([line]) => String(line))).toEqual([
      `seatplan: rockit/teams-essentials: removed from the YAML: policy.removed: cancel: subscription ${DEMO_SUBSCRIPTIONS.teamsEssentials} cannot be cancelled any more (its cancellation window closed on 2026-11-18T00:00:00Z); it is cancelled at term end (auto-renew off with the explicit cancellation, so no extended service term follows) and ends on 2026-12-10`,
    ]);
  });
});

describe("configuration: environment over stack config, read in every call", () => {
  it("takes the simulator state from the stack config when the environment does not say", async () => {
    const statePath = writeDemoState(path.join(dir, "from-config.json"));
    vi.stubEnv("SEATPLAN_SIMULATOR_STATE", "");
    await provider.configure(config({ "seatplan:simulatorState": statePath, "seatplan:clientSecret": FAKE_SECRET }));
    const olds = await stored(statePath, DEMO_SUBSCRIPTIONS.appsForBusiness, DEMO_ENTRIES.appsForBusiness);
    expect((await provider.read(DEMO_SUBSCRIPTIONS.appsForBusiness, olds)).id).toBe(DEMO_SUBSCRIPTIONS.appsForBusiness);
  });

  it("lets the environment win over the stack config", async () => {
    await provider.configure(config({ "seatplan:backend": "partner-center" }));
    vi.stubEnv("SEATPLAN_BACKEND", "simulator");
    const statePath = freshTenant("env-wins");
    const olds = await stored(statePath, DEMO_SUBSCRIPTIONS.appsForBusiness, DEMO_ENTRIES.appsForBusiness);
    expect((await provider.read(DEMO_SUBSCRIPTIONS.appsForBusiness, olds)).id).toBe(DEMO_SUBSCRIPTIONS.appsForBusiness);
  });

  it("names the stack config keys beside the variables when partner-center credentials are missing, and never the secret", async () => {
    const statePath = freshTenant("no-credentials");
    await provider.configure(config({ "seatplan:backend": "partner-center", "seatplan:clientSecret": FAKE_SECRET }));
    const olds = await stored(statePath, DEMO_SUBSCRIPTIONS.appsForBusiness, DEMO_ENTRIES.appsForBusiness);
    const error = (await provider.read(DEMO_SUBSCRIPTIONS.appsForBusiness, olds).catch((e: unknown) => e)) as Error;
    expect(error.message).toBe(
      "SEATPLAN_TENANT_ID and SEATPLAN_CLIENT_ID are not set, needed for the partner-center backend; set SEATPLAN_TENANT_ID, SEATPLAN_CLIENT_ID and SEATPLAN_CLIENT_SECRET (app-only), add SEATPLAN_REFRESH_TOKEN for app+user, or give a bearer token in SEATPLAN_ACCESS_TOKEN; " +
        "in a Pulumi stack, `pulumi config set seatplan:tenantId`, `pulumi config set seatplan:clientId`, `pulumi config set seatplan:clientSecret`, `pulumi config set seatplan:refreshToken`, `pulumi config set seatplan:accessToken` (add --secret for seatplan:clientSecret, seatplan:refreshToken, seatplan:accessToken) work as well",
    );
  });
});
