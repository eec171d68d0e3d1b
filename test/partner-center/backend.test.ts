import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { createPartnerCenterBackend } from "../../provider/config/partner-center";
import { openSimulatorBackend, type SimulatorBackend } from "../../provider/config/backends";
import { DEMO_CUSTOMERS, DEMO_SUBSCRIPTIONS, demoState } from "../../provider/simulator/demo";
import type { SimState } from "../../provider/simulator/state";
import { PARTNER, SECRET, SIM_NOW, startSimHarness, type SimHarness } from "./harness";
import { RedirectingNetworkClient } from "./redirecting-network-client";

let h: SimHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

/** The embedded backend on a copy of the same state: what the REST backend must agree with. */
async function embeddedOn(state: SimState): Promise<{ backend: SimulatorBackend; done: () => void }> {
  const dir = mkdtempSync(join(tmpdir(), "seatplan-embedded-"));
  writeFileSync(join(dir, "state.json"), JSON.stringify(state));
  const backend = await openSimulatorBackend({ statePath: join(dir, "state.json"), rateLimitPerMinute: 0 });
  return { backend, done: () => rmSync(dir, { recursive: true, force: true }) };
}

describe("partner-center backend reads (over HTTP, real MSAL)", () => {
  it("reads what the embedded backend reads: customers, subscriptions, catalog, eligibilities, end dates, usage", async () => {
    const state = { ...demoState(SIM_NOW), partner: PARTNER };
    h = await startSimHarness({ state });
    const pc = h.backend();
    const embedded = await embeddedOn(state);
    try {
      const sim = embedded.backend;
      expect(await pc.listCustomers()).toEqual(await sim.listCustomers());
      for (const c of Object.values(DEMO_CUSTOMERS)) expect(await pc.listSubscriptions(c)).toEqual(await sim.listSubscriptions(c));
      expect(await pc.getSubscription(DEMO_CUSTOMERS.rockit, DEMO_SUBSCRIPTIONS.businessBasic)).toEqual(
        await sim.getSubscription(DEMO_CUSTOMERS.rockit, DEMO_SUBSCRIPTIONS.businessBasic),
      );
      expect(await pc.getCatalog()).toEqual(await sim.getCatalog());
      expect(await pc.getTransitionEligibilities(DEMO_CUSTOMERS.northwind, DEMO_SUBSCRIPTIONS.exchangePlan1)).toEqual(
        await sim.getTransitionEligibilities(DEMO_CUSTOMERS.northwind, DEMO_SUBSCRIPTIONS.exchangePlan1),
      );
      const query = { term: "P1Y" as const, cotermSubscriptionId: DEMO_SUBSCRIPTIONS.appsForBusiness };
      expect(await pc.getCustomTermEndDates(DEMO_CUSTOMERS.rockit, query)).toEqual(await sim.getCustomTermEndDates(DEMO_CUSTOMERS.rockit, query));
      expect(pc.capabilities.licenceUsage).toBe(true);
      expect(await pc.getLicenceUsage(DEMO_CUSTOMERS.rockit)).toEqual(await sim.getLicenceUsage(DEMO_CUSTOMERS.rockit));
    } finally {
      embedded.done();
    }
  });
});

describe("partner-center backend from SEATPLAN_* values", () => {
  it("uses a given access token as is (a simulator without token checking accepts any)", async () => {
    h = await startSimHarness({ state: demoState(SIM_NOW) });
    const backend = createPartnerCenterBackend({ SEATPLAN_ENDPOINT: h.sim.url, SEATPLAN_ACCESS_TOKEN: "x" });
    try {
      expect((await backend.listCustomers()).map((c) => c.companyName)).toEqual(["Rockit", "Northwind Traders"]);
      expect(backend.capabilities.licenceUsage).toBe(false);
      expect((await h.requests()).filter((r) => r.path.includes("oauth2"))).toEqual([]);
    } finally {
      await backend.close();
    }
  });

  it("gets app-only tokens through MSAL from the tenant's real authority", async () => {
    h = await startSimHarness();
    const backend = createPartnerCenterBackend(
      { SEATPLAN_ENDPOINT: h.sim.url, SEATPLAN_TENANT_ID: PARTNER.tenantId, SEATPLAN_CLIENT_ID: PARTNER.clientId, SEATPLAN_CLIENT_SECRET: SECRET },
      { msalSystem: { networkClient: new RedirectingNetworkClient("https://login.microsoftonline.com", h.sim.url) } },
    );
    try {
      expect(await backend.listCustomers()).toHaveLength(2);
      expect((await h.requests()).map((r) => `${r.method} ${r.path} ${r.status}`)).toEqual([
        `POST /${PARTNER.tenantId}/oauth2/v2.0/token 200`,
        "GET /v1/customers 200",
      ]);
    } finally {
      await backend.close();
    }
  });
});
