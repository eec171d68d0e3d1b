// The real dynamic-provider host (`@pulumi/pulumi/cmd/dynamic-provider`) over gRPC, started in
// examples/quickstart as the engine would start it there: Configure with the full namespaced stack
// config (a secret among it), then Check, Diff, Create, Read, Update and Delete.
import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SubscriptionEntry, SubscriptionInputs } from "../../provider/pulumi";
import { outputsOf } from "../../provider/pulumi/outputs";
import { DEMO_SUBSCRIPTIONS } from "../../provider/simulator/demo";
import { startSimulatorServer } from "../../provider/simulator/server";
import { ProviderHost } from "../harness/providerHost";
import { type Props, SECRET_SIG, SIG_KEY } from "../harness/sdk";
import { serializeProvider } from "../harness/serialize";
import { DEMO_ENTRIES, DEMO_NOW, FAKE_SECRET, inputs, NORTHWIND, openSimulator, QUICKSTART, REPO, requireFreshBuild, ROCKIT, tempDir, writeDemoState } from "./support";

const PROJECT = "seatplan-quickstart";
const TYPE = "pulumi-nodejs:dynamic/seatplan:Subscription";
const urn = (name: string): string => `urn:pulumi:dev::${PROJECT}::${TYPE}::${name}`;
const secret = (value: string): Props[string] => ({ [SIG_KEY]: SECRET_SIG, value });

const dir = tempDir("host");
let providerText: string;

/** Inputs as the engine sends them: with the serialized provider. */
function withProvider(i: SubscriptionInputs | Props): Props {
  return { ...(i as unknown as Props), __provider: providerText };
}

async function storedOutputs(statePath: string, tenant: string, id: string, e: SubscriptionEntry, customerKey: string): Promise<Props> {
  const s = await (await openSimulator(statePath)).getSubscription(tenant, id);
  return withProvider(outputsOf(s, { customerKey, subscriptionKey: e.key, providerVersion: inputs(e).providerVersion }) as unknown as Props);
}

/** A host in the quickstart directory (seatplan resolves there by package self-reference). */
async function startHost(config: Props): Promise<ProviderHost> {
  const plain = Object.fromEntries(Object.entries(config).map(([k, v]) => [k, typeof v === "string" ? v : JSON.stringify(v)]));
  const host = await ProviderHost.start({
    cwd: QUICKSTART,
    project: PROJECT,
    stack: "dev",
    config: plain,
    env: { SEATPLAN_NOW: DEMO_NOW, SEATPLAN_BACKEND: "", SEATPLAN_SIMULATOR_STATE: "", SEATPLAN_AUDIT_LOG: path.join(dir, "audit.jsonl") },
  });
  await host.configure(config);
  return host;
}

beforeAll(async () => {
  requireFreshBuild();
  providerText = (await serializeProvider({ module: path.join(REPO, "dist", "provider", "pulumi", "index.js"), exportName: "subscriptionProvider" })).text;
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe("provider host on the embedded simulator, configured through the stack config", () => {
  const statePath = writeDemoState(path.join(dir, "simulator.json"));
  let host: ProviderHost;
  beforeAll(async () => {
    host = await startHost({
      "seatplan:simulatorState": statePath,
      "seatplan:clientSecret": secret(FAKE_SECRET),
      [`${PROJECT}:unrelated`]: "kept apart",
    });
  });
  afterAll(async () => {
    await host.kill();
  });

  it("Check returns the canonical inputs, or failures naming the input property", async () => {
    const news = withProvider({ ...inputs(DEMO_ENTRIES.businessBasic), customerTenantId: ROCKIT.toUpperCase() });
    expect(await host.check(urn("rockit/business-basic"), {}, news)).toEqual({ inputs: withProvider(inputs(DEMO_ENTRIES.businessBasic)), failures: [] });
    const zero = withProvider(inputs({ ...DEMO_ENTRIES.businessBasic, quantity: 0 }));
    expect((await host.check(urn("rockit/business-basic"), {}, zero)).failures).toEqual([
      { property: "entry.quantity", reason: 'must be an integer ≥ 1 (hint: found 0; to end the subscription, set "status: cancelled" instead)' },
    ]);
  });

  it("Create adopts and applies; Diff against its outputs is then empty, and a raise is a change", async () => {
    const news = withProvider(inputs({ ...DEMO_ENTRIES.businessBasic, quantity: 4 }));
    const created = await host.create(urn("rockit/business-basic"), news);
    expect(created.id).toBe(DEMO_SUBSCRIPTIONS.businessBasic);
    expect(created.outputs).toMatchObject({ quantity: 4, subscriptionKey: "business-basic", __provider: providerText });
    expect(host.stdout).toContain(`seatplan: rockit/business-basic: adopted subscription ${DEMO_SUBSCRIPTIONS.businessBasic} (matched by friendlyName)\n`);

    expect(await host.diff(urn("rockit/business-basic"), created.id, created.outputs, news)).toEqual({ changes: "none", replaces: [], deleteBeforeReplace: false });
    const more = withProvider(inputs({ ...DEMO_ENTRIES.businessBasic, quantity: 6 }));
    expect(await host.diff(urn("rockit/business-basic"), created.id, created.outputs, more)).toEqual({ changes: "some", replaces: [], deleteBeforeReplace: false });

    const updated = await host.update(urn("rockit/business-basic"), created.id, created.outputs, more);
    expect(updated.outputs).toMatchObject({ quantity: 6, __provider: providerText });
  });

  it("Diff fails on a blocked step with its reason and hint", async () => {
    const olds = await storedOutputs(statePath, ROCKIT, DEMO_SUBSCRIPTIONS.appsForBusiness, DEMO_ENTRIES.appsForBusiness, "rockit");
    await expect(host.diff(urn("rockit/apps-for-business"), DEMO_SUBSCRIPTIONS.appsForBusiness, olds, withProvider(inputs({ ...DEMO_ENTRIES.appsForBusiness, quantity: 2 })))).rejects.toThrow(
      "Diff failed: rockit/apps-for-business: decrease-quantity 3 → 2 is blocked: the reduction window closed on 2025-12-20T00:00:00Z\n" +
        "  hint: set quantity: 3 and renewal.quantity: 2 to reduce at renewal on 2026-12-13",
    );
  });

  it("Read brings drift in; Delete (policy.removed: cancel) of a subscription outside its window ends it at term end and says so", async () => {
    const olds = await storedOutputs(statePath, ROCKIT, DEMO_SUBSCRIPTIONS.teamsEssentials, DEMO_ENTRIES.teamsEssentials, "rockit");
    await (await openSimulator(statePath)).setQuantity(ROCKIT, DEMO_SUBSCRIPTIONS.teamsEssentials, 6);
    const read = await host.read(urn("rockit/teams-essentials"), DEMO_SUBSCRIPTIONS.teamsEssentials, olds);
    expect(read).toMatchObject({ id: DEMO_SUBSCRIPTIONS.teamsEssentials, outputs: { quantity: 6, __provider: providerText } });

    await host.delete(urn("rockit/teams-essentials"), DEMO_SUBSCRIPTIONS.teamsEssentials, { ...read.outputs, removed: "cancel" });
    expect(host.stdout).toContain(
      `seatplan: rockit/teams-essentials: removed from the YAML: policy.removed: cancel: subscription ${DEMO_SUBSCRIPTIONS.teamsEssentials} cannot be cancelled any more (its cancellation window closed on 2026-11-18T00:00:00Z); it is cancelled at term end (auto-renew off with the explicit cancellation, so no extended service term follows) and ends on 2026-12-10\n`,
    );
    expect((await (await openSimulator(statePath)).getSubscription(ROCKIT, DEMO_SUBSCRIPTIONS.teamsEssentials)).autoRenew).toBe(false);
  });

  it("never prints the secret it was configured with", () => {
    expect(host.stdout + host.stderr).not.toContain(FAKE_SECRET);
  });
});

describe("provider host on Partner Center's REST API (the simulator's HTTP facade)", () => {
  const statePath = writeDemoState(path.join(dir, "rest.json"));
  let server: Awaited<ReturnType<typeof startSimulatorServer>>;
  let host: ProviderHost;
  beforeAll(async () => {
    server = await startSimulatorServer({ statePath, createIfMissing: false, rateLimitPerMinute: 0 });
    host = await startHost({
      "seatplan:backend": "partner-center",
      "seatplan:endpoint": server.url,
      "seatplan:accessToken": secret(FAKE_SECRET),
    });
  });
  afterAll(async () => {
    await host.kill();
    await server.close();
  });

  it("Check and Diff (all of preview) make no API call", async () => {
    server.service.clearRequests();
    const olds = await storedOutputs(statePath, ROCKIT, DEMO_SUBSCRIPTIONS.appsForBusiness, DEMO_ENTRIES.appsForBusiness, "rockit");
    const news = withProvider(inputs({ ...DEMO_ENTRIES.appsForBusiness, quantity: 5 }));
    await host.check(urn("rockit/apps-for-business"), olds, news);
    expect((await host.diff(urn("rockit/apps-for-business"), DEMO_SUBSCRIPTIONS.appsForBusiness, olds, news)).changes).toBe("some");
    expect(server.service.requests()).toEqual([]);
  });

  it("Read of six subscriptions of two customers lists each customer once, and nothing else", async () => {
    const resources: [string, string, SubscriptionEntry, string][] = [
      [ROCKIT, DEMO_SUBSCRIPTIONS.appsForBusiness, DEMO_ENTRIES.appsForBusiness, "rockit"],
      [ROCKIT, DEMO_SUBSCRIPTIONS.businessBasic, DEMO_ENTRIES.businessBasic, "rockit"],
      [ROCKIT, DEMO_SUBSCRIPTIONS.teamsEssentials, DEMO_ENTRIES.teamsEssentials, "rockit"],
      [ROCKIT, DEMO_SUBSCRIPTIONS.premiumTrial, { ...DEMO_ENTRIES.teamsEssentials, key: "premium-trial" }, "rockit"],
      [NORTHWIND, DEMO_SUBSCRIPTIONS.businessStandard, DEMO_ENTRIES.businessStandard, "northwind"],
      [NORTHWIND, DEMO_SUBSCRIPTIONS.exchangePlan1, { ...DEMO_ENTRIES.businessStandard, key: "exchange-plan-1" }, "northwind"],
    ];
    const stored = await Promise.all(resources.map(([tenant, id, e, customer]) => storedOutputs(statePath, tenant, id, e, customer)));
    server.service.clearRequests();
    const reads = await Promise.all(resources.map(([, id, e, customer], i) => host.read(urn(`${customer}/${e.key}`), id, stored[i] ?? {})));
    expect(reads.map((r) => r.id)).toEqual(resources.map(([, id]) => id));
    expect(server.service.requests().map((r) => `${r.method} ${r.path}`).sort()).toEqual([
      `GET /v1/customers/${NORTHWIND}/subscriptions`,
      `GET /v1/customers/${ROCKIT}/subscriptions`,
    ]);
  });
});
