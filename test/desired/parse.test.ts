import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { formatIssues, parseDesired } from "../../provider/desired";
import type { DesiredState } from "../../provider/domain/types";
import { lines } from "./fixtures";

describe("parseDesired on a file with several mistakes", () => {
  const text = lines(
    "version: 1", //                                                          1
    "customers:", //                                                          2
    "  rockit:", //                                                           3
    "    tenantId: ee2337af-1fb7-44c8-b0ef-e6bf5b59baed", //                 4
    "    subscriptions:", //                                                  5
    "      apps:", //                                                         6
    "        offer: CFQ7TTC0LH1G:0001", //                                    7
    "        term: P1M", //                                                   8
    "        billing: annual", //                                             9
    "        quantity: 0", //                                                10
    "        upgrade:", //                                                   11
    "          to: CFQ7TTC0LCHC:0002", //                                    12
    "          into: premium", //                                            13
    "  contoso:", //                                                         14
    "    tenantId: ee2337af-1fb7-44c8-b0ef-e6bf5b59baed", //                15
    "    subscriptions:", //                                                 16
    "      basic:", //                                                       17
    "        offer: CFQ7TTC0LH18:0001", //                                   18
    "        term: P1Y", //                                                  19
    "        billing: monthly", //                                           20
    "        quantity: 3", //                                                21
    "        autoRenew: no", //                                              22
  );

  it("reports every problem, schema and cross-entry alike, in file order", () => {
    const { issues, state } = parseDesired(text, "licences.yaml");
    expect(state).toBeUndefined();
    expect(issues.map((i) => `${i.line}:${i.column} ${i.path}: ${i.message}`)).toEqual([
      "9:18 customers.rockit.subscriptions.apps.billing: billing annual is not offered with term P1M",
      "10:19 customers.rockit.subscriptions.apps.quantity: must be an integer ≥ 1",
      '11:9 customers.rockit.subscriptions.apps.upgrade: missing required key "acknowledge"',
      '13:17 customers.rockit.subscriptions.apps.upgrade.into: "premium" is not a subscription of customer "rockit"',
      '15:15 customers.contoso.tenantId: tenant ee2337af-1fb7-44c8-b0ef-e6bf5b59baed is already declared by customer "rockit" (line 4)',
      "22:20 customers.contoso.subscriptions.basic.autoRenew: must be true or false",
    ]);
  });

  it("renders them one per line with the hint below, as the CLI prints them", () => {
    const rendered = formatIssues(parseDesired(text, "licences.yaml").issues).split("\n");
    expect(rendered.slice(2, 4)).toEqual([
      "licences.yaml:10:19 customers.rockit.subscriptions.apps.quantity: must be an integer ≥ 1",
      '  hint: found 0; to end the subscription, set "status: cancelled" instead',
    ]);
  });
});

describe("parseDesired on a valid file", () => {
  it("applies the defaults and normalises offers and GUIDs", () => {
    const text = lines(
      "version: 1", //                                                         1
      "customers:", //                                                         2
      "  rockit:", //                                                          3
      "    tenantId: EE2337AF-1FB7-44C8-B0EF-E6BF5B59BAED", //                 4
      "    name: Rockit", //                                                   5
      "    subscriptions:", //                                                 6
      "      apps:", //                                                        7
      "        id: EC4ACCCE-B04F-4B8D-DC23-629B6D8E630B", //                   8
      "        offer: CFQ7TTC0LH1G:0001:SIMAV0000004", //                      9
      "        term: P1Y", //                                                 10
      "        billing: annual", //                                           11
      "        quantity: 3", //                                               12
      "        renewal:", //                                                  13
      "          quantity: 2", //                                             14
      "          term: P1Y", //                                               15
      "          billing: monthly", //                                        16
      "          offer: CFQ7TTC0LGZT:0001:SIMAV0000005", //                   17
      "      premium:", //                                                    18
      "        offer: CFQ7TTC0LCHC:0002", //                                  19
      "        term: P1Y", //                                                 20
      "        billing: annual", //                                           21
      "        quantity: 1", //                                               22
      "        autoRenew: false", //                                          23
      "        friendlyName: Rockit premium", //                              24
      "        alignEndDate: apps", //                                        25
      "      basic:", //                                                      26
      "        offer: CFQ7TTC0LH18:0001", //                                  27
      "        term: P1M", //                                                 28
      "        billing: monthly", //                                          29
      "        quantity: 5", //                                               30
      "        status: cancelled", //                                         31
      "        alignEndDate: calendar-month", //                              32
      "      standard:", //                                                   33
      "        offer: CFQ7TTC0LDPB:0001", //                                  34
      "        term: P1Y", //                                                 35
      "        billing: annual", //                                           36
      "        quantity: 4", //                                               37
      "        upgrade:", //                                                  38
      "          to: CFQ7TTC0LCHC:0002:SIMAV0000003", //                      39
      "          quantity: 2", //                                             40
      "          into: premium", //                                           41
      "          acknowledge: irreversible", //                               42
    );
    const file = "config/licences.yaml";
    const at = (line: number, column: number) => ({ file, line, column });
    const expected: DesiredState = {
      version: 1,
      file,
      policy: { reductions: "block", businessSeatCap: "warn", removed: "release" },
      customers: [
        {
          key: "rockit",
          tenantId: "ee2337af-1fb7-44c8-b0ef-e6bf5b59baed",
          name: "Rockit",
          source: at(3, 3),
          subscriptions: [
            {
              customer: "rockit",
              key: "apps",
              id: "ec4accce-b04f-4b8d-dc23-629b6d8e630b",
              offer: "CFQ7TTC0LH1G:0001",
              availabilityId: "SIMAV0000004",
              term: "P1Y",
              billing: "annual",
              quantity: 3,
              autoRenew: true,
              status: "active",
              friendlyName: "apps",
              renewal: { quantity: 2, term: "P1Y", billing: "monthly", offer: "CFQ7TTC0LGZT:0001" },
              source: at(7, 7),
            },
            {
              customer: "rockit",
              key: "premium",
              offer: "CFQ7TTC0LCHC:0002",
              term: "P1Y",
              billing: "annual",
              quantity: 1,
              autoRenew: false,
              status: "active",
              friendlyName: "Rockit premium",
              alignEndDate: { subscription: "apps" },
              source: at(18, 7),
            },
            {
              customer: "rockit",
              key: "basic",
              offer: "CFQ7TTC0LH18:0001",
              term: "P1M",
              billing: "monthly",
              quantity: 5,
              autoRenew: true,
              status: "cancelled",
              friendlyName: "basic",
              alignEndDate: "calendar-month",
              source: at(26, 7),
            },
            {
              customer: "rockit",
              key: "standard",
              offer: "CFQ7TTC0LDPB:0001",
              term: "P1Y",
              billing: "annual",
              quantity: 4,
              autoRenew: true,
              status: "active",
              friendlyName: "standard",
              upgrade: { to: "CFQ7TTC0LCHC:0002", quantity: 2, into: "premium", acknowledge: "irreversible" },
              source: at(33, 7),
            },
          ],
        },
      ],
    };
    expect(parseDesired(text, file)).toEqual({ state: expected, issues: [] });
  });

  it("reads policy.businessSeatCap (warn by default, block on request) and refuses other values", () => {
    const text = (cap: string): string => `version: 1\npolicy:\n  businessSeatCap: ${cap}\ncustomers: {}\n`;
    expect(parseDesired(text("block"), "licences.yaml").state?.policy).toEqual({ reductions: "block", businessSeatCap: "block", removed: "release" });
    const refused = parseDesired(text("never"), "licences.yaml");
    expect(refused.state).toBeUndefined();
    expect(refused.issues.map((x) => x.path)).toEqual(["policy.businessSeatCap"]);
  });

  it("keeps an explicit reductions policy and accepts a customer without subscriptions", () => {
    const text = lines(
      "version: 1",
      "policy:",
      "  reductions: defer",
      "customers:",
      "  northwind:",
      "    tenantId: 6b9f0d6a-3c1e-4c59-9a0e-2f7c1d8a4b21",
      "    subscriptions: {}",
    );
    expect(parseDesired(text, "l.yaml").state).toEqual({
      version: 1,
      file: "l.yaml",
      policy: { reductions: "defer", businessSeatCap: "warn", removed: "release" },
      customers: [{ key: "northwind", tenantId: "6b9f0d6a-3c1e-4c59-9a0e-2f7c1d8a4b21", subscriptions: [], source: { file: "l.yaml", line: 5, column: 3 } }],
    });
  });

  it("accepts entries that share a friendlyName when each adopts its subscription by id", () => {
    const entry = (key: string, id: string): string[] => [`      ${key}:`, `        id: ${id}`, "        friendlyName: Office seats", "        offer: CFQ7TTC0LH18:0001", "        term: P1M", "        billing: monthly", "        quantity: 1"];
    const text = lines(
      "version: 1",
      "customers:",
      "  rockit:",
      "    tenantId: ee2337af-1fb7-44c8-b0ef-e6bf5b59baed",
      "    subscriptions:",
      ...entry("first", "0f8fad5b-d9cb-469f-a165-70867728950e"),
      ...entry("second", "7c9e6679-7425-40de-944b-e07fc1f90ae7"),
    );
    expect(parseDesired(text, "l.yaml").issues).toEqual([]);
  });

  it("accepts the example in the README", () => {
    const readme = readFileSync(join(__dirname, "..", "..", "README.md"), "utf8");
    const example = /```yaml\n([\s\S]*?)```/.exec(readme)?.[1] ?? "";
    expect(parseDesired(example, "README.md").issues).toEqual([]);
    expect(example).toContain("customers:");
  });

  it("accepts the quickstart example", () => {
    const text = readFileSync(join(__dirname, "..", "..", "examples", "quickstart", "licences.yaml"), "utf8");
    const { state, issues } = parseDesired(text, "licences.yaml");
    expect(issues).toEqual([]);
    expect(state?.customers.map((c) => [c.key, c.subscriptions.map((s) => s.key)])).toEqual([
      ["rockit", ["apps-for-business", "business-basic", "teams-essentials", "premium-trial"]],
      ["northwind", ["exchange-plan-1", "business-standard", "entra-id-p1"]],
    ]);
  });
});
