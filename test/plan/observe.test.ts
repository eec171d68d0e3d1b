import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Backend } from "../../provider/backends/backend";
import { observe } from "../../provider/observe";
import { plan } from "../../provider/plan";
import { DEMO_CUSTOMERS, DEMO_SUBSCRIPTIONS, demoState } from "../../provider/simulator/demo";
import { desiredOf, NOW, Tenant } from "./fixtures";

/** What the observer reads, asserted on the simulator's request log. */
describe("observe", () => {
  let tenant: Tenant;
  beforeEach(async () => {
    tenant = await Tenant.of(demoState(Date.parse(NOW)));
    tenant.backend.service.clearRequests();
  });
  afterEach(() => tenant.close());
  // Customer reads only: the catalog (`/v1/products…`) is read once per backend, not per customer.
  const log = (): string[] =>
    tenant.backend
      .requests()
      .filter((r) => r.path.startsWith("/v1/customers/"))
      .map((r) => `${r.method} ${r.path}`)
      .sort();
  const quickstart = (): string => readFileSync(join(__dirname, "..", "..", "examples", "quickstart", "licences.yaml"), "utf8");
  const rockit = `/v1/customers/${DEMO_CUSTOMERS.rockit}`;
  const northwind = `/v1/customers/${DEMO_CUSTOMERS.northwind}`;

  it("lists each customer once and reads only what the plan uses", async () => {
    // Quickstart: business-basic is reduced (usage for rockit), exchange-plan-1 is upgraded (its eligibilities).
    await observe(desiredOf(quickstart()), tenant.backend);
    expect(log()).toEqual([
      `GET ${northwind}/subscriptions`,
      `GET ${northwind}/subscriptions/${DEMO_SUBSCRIPTIONS.exchangePlan1}/transitionEligibilities`,
      `GET ${rockit}/subscribedskus`,
      `GET ${rockit}/subscriptions`,
    ]);
  });

  it("costs one call per customer when nothing is reduced, upgraded or aligned", async () => {
    const yaml = `version: 1
customers:
  rockit:
    tenantId: ${DEMO_CUSTOMERS.rockit}
    subscriptions:
      apps-for-business:
        offer: CFQ7TTC0LH1G:0001
        term: P1Y
        billing: annual
        quantity: 5
  northwind:
    tenantId: ${DEMO_CUSTOMERS.northwind}
    subscriptions:
      entra:
        offer: CFQ7TTC0LFLS:0002
        term: P1Y
        billing: annual
        quantity: 5
`;
    await observe(desiredOf(yaml), tenant.backend);
    expect(log()).toEqual([`GET ${northwind}/subscriptions`, `GET ${rockit}/subscriptions`]);
  });

  it.each`
    renewal | usage
    ${2}    | ${true}
    ${9}    | ${false}
  `("a renewal quantity of $renewal (3 seats now) reads licence usage: $usage", async ({ renewal, usage }) => {
    const yaml = `version: 1
customers:
  rockit:
    tenantId: ${DEMO_CUSTOMERS.rockit}
    subscriptions:
      apps-for-business:
        id: ${DEMO_SUBSCRIPTIONS.appsForBusiness}
        offer: CFQ7TTC0LH1G:0001
        term: P1Y
        billing: annual
        quantity: 3
        renewal:
          quantity: ${String(renewal)}
`;
    await observe(desiredOf(yaml), tenant.backend);
    expect(log()).toEqual([...(usage ? [`GET ${rockit}/subscribedskus`] : []), `GET ${rockit}/subscriptions`]);
  });

  it("asks for end dates only for aligned purchases", async () => {
    const yaml = `version: 1
customers:
  northwind:
    tenantId: ${DEMO_CUSTOMERS.northwind}
    subscriptions:
      entra:
        offer: CFQ7TTC0LFLS:0002
        term: P1Y
        billing: annual
        quantity: 5
        alignEndDate: exchange-plan-1
      exchange-plan-1:
        offer: CFQ7TTC0LH16:0001
        term: P1Y
        billing: annual
        quantity: 10
`;
    await observe(desiredOf(yaml), tenant.backend);
    expect(log()).toEqual([`GET ${northwind}/subscriptions`, `GET ${northwind}/subscriptions/customTermEndDates`]);
  });

  it("does not ask a backend without licence usage, and the plan says the guard could not run", async () => {
    const blind: Backend = Object.assign(Object.create(tenant.backend) as Backend, {
      capabilities: { ...tenant.backend.capabilities, licenceUsage: false },
    });
    const desired = desiredOf(quickstart());
    const observed = await observe(desired, blind);
    expect(log()).not.toContain(`GET ${rockit}/subscribedskus`);
    const p = plan(desired, observed, { now: new Date(NOW), backend: "blind" });
    expect(p.warnings.filter((w) => w.code === "usage-unknown").map((w) => w.message)).toEqual([
      "assigned seats unknown (the backend does not report them for this offer): make sure no more than 4 seats of Microsoft 365 Business Basic are assigned before the reduction",
      "assigned seats unknown (the backend does not report them for this offer): make sure no more than 2 seats of Microsoft Teams Essentials are assigned before the reduction",
    ]);
  });
});
