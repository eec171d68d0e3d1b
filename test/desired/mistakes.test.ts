import { describe, expect, it } from "vitest";
import { parseDesired } from "../../provider/desired";
import { apps, lines, TENANT } from "./fixtures";

const NORTHWIND = "6b9f0d6a-3c1e-4c59-9a0e-2f7c1d8a4b21";
const SHARED_ID = "0f8fad5b-d9cb-469f-a165-70867728950e";

interface Expected {
  readonly line: number;
  readonly column: number;
  readonly path: string;
  readonly message: string;
  readonly hint: string;
}

/** One mistake per row; the document is otherwise valid, so the mistake is the only issue. */
const MISTAKES: ReadonlyArray<readonly [string, string, Expected]> = [
  [
    "quantity 0 (suggests cancelling instead)",
    apps({ quantity: "0" }),
    { line: 10, column: 19, path: "customers.rockit.subscriptions.apps.quantity", message: "must be an integer ≥ 1", hint: 'found 0; to end the subscription, set "status: cancelled" instead' },
  ],
  [
    "quantity written as a word",
    apps({ quantity: "two" }),
    { line: 10, column: 19, path: "customers.rockit.subscriptions.apps.quantity", message: "must be an integer ≥ 1", hint: 'found "two"; write a whole number, e.g. "quantity: 2"' },
  ],
  [
    "quantity quoted as text",
    apps({ quantity: '"3"' }),
    { line: 10, column: 19, path: "customers.rockit.subscriptions.apps.quantity", message: "must be an integer ≥ 1", hint: 'found "3", which is text; write the number without quotes: "quantity: 3"' },
  ],
  [
    "fractional quantity",
    apps({ quantity: "2.5" }),
    { line: 10, column: 19, path: "customers.rockit.subscriptions.apps.quantity", message: "must be an integer ≥ 1", hint: 'found 2.5; write a whole number, e.g. "quantity: 2"' },
  ],
  [
    "quantity left empty (points at the key)",
    apps({ quantity: "" }),
    { line: 10, column: 9, path: "customers.rockit.subscriptions.apps.quantity", message: "must be an integer ≥ 1", hint: 'found an empty value; write a whole number, e.g. "quantity: 2"' },
  ],
  [
    "term with a typo",
    apps({ term: "P2Y" }),
    { line: 8, column: 15, path: "customers.rockit.subscriptions.apps.term", message: "must be one of P1M, P1Y or P3Y", hint: 'found "P2Y"; did you mean "term: P1Y"?' },
  ],
  [
    "term that is not a duration",
    apps({ term: "forever" }),
    { line: 8, column: 15, path: "customers.rockit.subscriptions.apps.term", message: "must be one of P1M, P1Y or P3Y", hint: 'found "forever"; choose one of P1M, P1Y or P3Y' },
  ],
  [
    "billing frequency that does not exist",
    apps({ billing: "yearly" }),
    { line: 9, column: 18, path: "customers.rockit.subscriptions.apps.billing", message: "must be one of monthly, annual or triennial", hint: 'found "yearly"; choose one of monthly, annual or triennial' },
  ],
  [
    "P1Y billed triennially",
    apps({ billing: "triennial" }),
    { line: 9, column: 18, path: "customers.rockit.subscriptions.apps.billing", message: "billing triennial is not offered with term P1Y", hint: "with term P1Y, set billing to monthly or annual; or choose a longer term" },
  ],
  [
    "P1M billed annually",
    apps({ term: "P1M" }),
    { line: 9, column: 18, path: "customers.rockit.subscriptions.apps.billing", message: "billing annual is not offered with term P1M", hint: "with term P1M, set billing to monthly; or choose a longer term" },
  ],
  [
    "offer in lower case",
    apps({ offer: "cfq7ttc0lh1g:0001" }),
    { line: 7, column: 16, path: "customers.rockit.subscriptions.apps.offer", message: "must be a catalog id PRODUCT:SKU or PRODUCT:SKU:AVAILABILITY of 12, 4 and 12 upper-case letters or digits", hint: 'found "cfq7ttc0lh1g:0001"; did you mean "CFQ7TTC0LH1G:0001"?' },
  ],
  [
    "offer without its SKU",
    apps({ offer: "CFQ7TTC0LH1G" }),
    { line: 7, column: 16, path: "customers.rockit.subscriptions.apps.offer", message: "must be a catalog id PRODUCT:SKU or PRODUCT:SKU:AVAILABILITY of 12, 4 and 12 upper-case letters or digits", hint: 'found "CFQ7TTC0LH1G"; e.g. "offer: CFQ7TTC0LH1G:0001"' },
  ],
  [
    "subscription id cut short",
    apps({}, ["id: ec4accce-b04f-4b8d-dc23"]),
    { line: 11, column: 13, path: "customers.rockit.subscriptions.apps.id", message: "must be a GUID of 8-4-4-4-12 hexadecimal digits", hint: 'found "ec4accce-b04f-4b8d-dc23"; e.g. "id: ec4accce-b04f-4b8d-dc23-629b6d8e630b"' },
  ],
  [
    "subscription id in braces",
    apps({}, ["id: '{ec4accce-b04f-4b8d-dc23-629b6d8e630b}'"]),
    { line: 11, column: 13, path: "customers.rockit.subscriptions.apps.id", message: "must be a GUID of 8-4-4-4-12 hexadecimal digits", hint: 'found "{ec4accce-b04f-4b8d-dc23-629b6d8e630b}"; did you mean "ec4accce-b04f-4b8d-dc23-629b6d8e630b"?' },
  ],
  [
    "tenant domain instead of tenant id",
    apps().replace(TENANT, "rockit.onmicrosoft.com"),
    { line: 4, column: 15, path: "customers.rockit.tenantId", message: "must be a GUID of 8-4-4-4-12 hexadecimal digits", hint: 'found "rockit.onmicrosoft.com"; e.g. "tenantId: ee2337af-1fb7-44c8-b0ef-e6bf5b59baed"' },
  ],
  [
    "misspelt subscription key (did you mean)",
    apps({}, ["quantiy: 3"]),
    { line: 11, column: 9, path: "customers.rockit.subscriptions.apps.quantiy", message: 'unknown key "quantiy"', hint: 'did you mean "quantity"? allowed keys here: id, offer, term, billing, quantity, autoRenew, status, friendlyName, alignEndDate, renewal, upgrade' },
  ],
  [
    "unknown subscription key (allowed keys)",
    apps({}, ["colour: blue"]),
    { line: 11, column: 9, path: "customers.rockit.subscriptions.apps.colour", message: 'unknown key "colour"', hint: "allowed keys here: id, offer, term, billing, quantity, autoRenew, status, friendlyName, alignEndDate, renewal, upgrade" },
  ],
  [
    "missing quantity",
    apps({ quantity: null }),
    { line: 6, column: 7, path: "customers.rockit.subscriptions.apps", message: 'missing required key "quantity"', hint: 'add "quantity: 2" (an integer ≥ 1)' },
  ],
  [
    "missing offer",
    apps({ offer: null }),
    { line: 6, column: 7, path: "customers.rockit.subscriptions.apps", message: 'missing required key "offer"', hint: 'add "offer: CFQ7TTC0LH1G:0001" (a catalog id PRODUCT:SKU or PRODUCT:SKU:AVAILABILITY of 12, 4 and 12 upper-case letters or digits)' },
  ],
  [
    "customer without tenantId",
    apps().replace(`    tenantId: ${TENANT}\n`, ""),
    { line: 3, column: 3, path: "customers.rockit", message: 'missing required key "tenantId"', hint: 'add "tenantId: ee2337af-1fb7-44c8-b0ef-e6bf5b59baed" (a GUID of 8-4-4-4-12 hexadecimal digits)' },
  ],
  [
    "missing version",
    apps().replace("version: 1\n", ""),
    { line: 1, column: 1, path: "", message: 'missing required key "version"', hint: 'add "version: 1"' },
  ],
  [
    "unsupported version",
    apps().replace("version: 1", "version: 2"),
    { line: 1, column: 10, path: "version", message: "must be 1", hint: 'write "version: 1"' },
  ],
  [
    "misspelt top-level key",
    apps().replace("version: 1", "version: 1\nversoin: 1"),
    { line: 2, column: 1, path: "versoin", message: 'unknown key "versoin"', hint: 'did you mean "version"? allowed keys here: version, policy, customers' },
  ],
  [
    "autoRenew: yes (YAML 1.1 boolean)",
    apps({}, ["autoRenew: yes"]),
    { line: 11, column: 20, path: "customers.rockit.subscriptions.apps.autoRenew", message: "must be true or false", hint: 'found "yes", which YAML 1.2 reads as text; write "autoRenew: true"' },
  ],
  [
    "status canceled (US spelling)",
    apps({}, ["status: canceled"]),
    { line: 11, column: 17, path: "customers.rockit.subscriptions.apps.status", message: "must be one of active or cancelled", hint: 'found "canceled"; did you mean "status: cancelled"?' },
  ],
  [
    "misspelt reductions policy",
    apps().replace("version: 1", "version: 1\npolicy:\n  reductions: defered"),
    { line: 3, column: 15, path: "policy.reductions", message: "must be one of block or defer", hint: 'found "defered"; did you mean "reductions: defer"?' },
  ],
  [
    "customer key with capitals and a space",
    apps().replace("  rockit:", "  Rockit IT:"),
    { line: 3, column: 3, path: "customers.Rockit IT", message: '"Rockit IT" is not a valid customer key: use lower-case letters, digits and dashes, starting with a letter or a digit', hint: 'rename it, e.g. "rockit-it"' },
  ],
  [
    "subscription key with an underscore",
    apps().replace("      apps:", "      apps_1:"),
    { line: 6, column: 7, path: "customers.rockit.subscriptions.apps_1", message: '"apps_1" is not a valid subscription key: use lower-case letters, digits and dashes, starting with a letter or a digit', hint: 'rename it, e.g. "apps-1"' },
  ],
  [
    "duplicate key",
    apps({}, ["quantity: 3"]),
    { line: 11, column: 9, path: "customers.rockit.subscriptions.apps.quantity", message: 'duplicate key "quantity"', hint: '"quantity" is already set on line 10; keep one of them' },
  ],
  [
    "tab indentation",
    apps({}, ["autoRenew: true"]).replace("        autoRenew", "\tautoRenew"),
    { line: 11, column: 1, path: "", message: "tabs are not allowed as indentation", hint: "indent with spaces: YAML does not allow tabs for indentation" },
  ],
  [
    "upgrade without acknowledge",
    apps({}, ["upgrade:", "  to: CFQ7TTC0LCHC:0002"]),
    { line: 11, column: 9, path: "customers.rockit.subscriptions.apps.upgrade", message: 'missing required key "acknowledge"', hint: 'add "acknowledge: irreversible"' },
  ],
  [
    "upgrade acknowledged with yes",
    apps({}, ["upgrade:", "  to: CFQ7TTC0LCHC:0002", "  acknowledge: yes"]),
    { line: 13, column: 24, path: "customers.rockit.subscriptions.apps.upgrade.acknowledge", message: 'must be "irreversible"', hint: 'write "acknowledge: irreversible"' },
  ],
  [
    "upgrade to the current offer (availability ignored)",
    apps({}, ["upgrade:", "  to: CFQ7TTC0LH1G:0001:SIMAV0000004", "  acknowledge: irreversible"]),
    { line: 12, column: 15, path: "customers.rockit.subscriptions.apps.upgrade.to", message: "CFQ7TTC0LH1G:0001 is already the subscription's offer", hint: "name a higher offer to upgrade to, or remove upgrade" },
  ],
  [
    "upgrade of more seats than the subscription has",
    apps({}, ["upgrade:", "  to: CFQ7TTC0LCHC:0002", "  quantity: 3", "  acknowledge: irreversible"]),
    { line: 13, column: 21, path: "customers.rockit.subscriptions.apps.upgrade.quantity", message: "cannot upgrade 3 seats of a subscription with 2", hint: "set upgrade.quantity to at most 2, or remove it to upgrade every seat" },
  ],
  [
    "upgrade into a subscription that is not declared",
    apps({}, ["upgrade:", "  to: CFQ7TTC0LCHC:0002", "  into: premium", "  acknowledge: irreversible"]),
    { line: 13, column: 17, path: "customers.rockit.subscriptions.apps.upgrade.into", message: '"premium" is not a subscription of customer "rockit"', hint: "remove into to upgrade into a new subscription" },
  ],
  [
    "upgrade into itself",
    apps({}, ["upgrade:", "  to: CFQ7TTC0LCHC:0002", "  into: apps", "  acknowledge: irreversible"]),
    { line: 13, column: 17, path: "customers.rockit.subscriptions.apps.upgrade.into", message: "names this subscription itself", hint: "remove into to upgrade into a new subscription" },
  ],
  [
    "upgrade of a cancelled subscription",
    apps({}, ["status: cancelled", "upgrade:", "  to: CFQ7TTC0LCHC:0002", "  acknowledge: irreversible"]),
    { line: 12, column: 9, path: "customers.rockit.subscriptions.apps.upgrade", message: "a cancelled subscription cannot be upgraded", hint: 'remove upgrade, or set "status: active"' },
  ],
  [
    "upgrade into a subscription of another offer",
    apps({}, ["upgrade:", "  to: CFQ7TTC0LCHC:0002", "  into: basic", "  acknowledge: irreversible"]) + lines("      basic:", "        offer: CFQ7TTC0LH18:0001", "        term: P1Y", "        billing: annual", "        quantity: 1"),
    { line: 13, column: 17, path: "customers.rockit.subscriptions.apps.upgrade.into", message: '"basic" is a subscription of CFQ7TTC0LH18:0001, not of the upgrade target CFQ7TTC0LCHC:0002', hint: "merge only into a subscription of CFQ7TTC0LCHC:0002, or remove into to upgrade into a new subscription" },
  ],
  [
    "upgrade into a misspelt subscription key",
    apps({}, ["upgrade:", "  to: CFQ7TTC0LCHC:0002", "  into: premum", "  acknowledge: irreversible"]) + lines("      premium:", "        offer: CFQ7TTC0LCHC:0002", "        term: P1Y", "        billing: annual", "        quantity: 1"),
    { line: 13, column: 17, path: "customers.rockit.subscriptions.apps.upgrade.into", message: '"premum" is not a subscription of customer "rockit"', hint: 'did you mean "premium"? Otherwise remove into to upgrade into a new subscription' },
  ],
  [
    "alignEndDate naming no subscription",
    apps({}, ["alignEndDate: apss"]),
    { line: 11, column: 23, path: "customers.rockit.subscriptions.apps.alignEndDate", message: '"apss" is not a subscription of customer "rockit"', hint: "use calendar-month" },
  ],
  [
    "empty renewal",
    apps({}, ["renewal: {}"]),
    { line: 11, column: 9, path: "customers.rockit.subscriptions.apps.renewal", message: "must set at least one of quantity, term, billing or offer", hint: 'add what should change at renewal, e.g. "quantity: 1", or remove "renewal"' },
  ],
  [
    "renewal billing not offered with the term",
    apps({}, ["renewal:", "  billing: triennial"]),
    { line: 12, column: 20, path: "customers.rockit.subscriptions.apps.renewal.billing", message: "billing triennial is not offered with term P1Y", hint: "with term P1Y, set renewal.billing to monthly or annual; or choose a longer term" },
  ],
  [
    "renewal term that the current billing does not allow",
    apps({}, ["renewal:", "  term: P1M"]),
    { line: 12, column: 17, path: "customers.rockit.subscriptions.apps.renewal.term", message: "term P1M is not offered with the current billing annual", hint: 'add "billing: monthly" under renewal' },
  ],
  [
    "renewal changes with autoRenew off",
    apps({}, ["autoRenew: false", "renewal:", "  quantity: 1"]),
    { line: 12, column: 9, path: "customers.rockit.subscriptions.apps.renewal", message: "renewal changes need the subscription to renew, but autoRenew is false", hint: 'remove "autoRenew: false", or remove renewal' },
  ],
  [
    "blank friendlyName",
    apps({}, ['friendlyName: "  "']),
    { line: 11, column: 23, path: "customers.rockit.subscriptions.apps.friendlyName", message: "must be text with at least one visible character", hint: 'found "  "; e.g. "friendlyName: Rockit apps"' },
  ],
  [
    "customer with an empty subscriptions key",
    lines("version: 1", "customers:", "  rockit:", `    tenantId: ${TENANT}`, "    subscriptions:"),
    { line: 5, column: 5, path: "customers.rockit.subscriptions", message: "must be a mapping", hint: 'found an empty value; write its entries on indented lines below "subscriptions:", or {} for none' },
  ],
  [
    "a list instead of a mapping",
    lines("- version: 1"),
    { line: 1, column: 1, path: "", message: "must be a mapping with the keys version and customers", hint: 'found a list; start the file with "version: 1" and a "customers:" mapping' },
  ],
  [
    "alias to an undefined anchor",
    apps({ quantity: "*seats" }),
    { line: 10, column: 19, path: "customers.rockit.subscriptions.apps.quantity", message: "unknown alias *seats", hint: 'define "&seats" before this line, or write the value out' },
  ],
  [
    "two YAML documents",
    apps() + "---\nversion: 1\n",
    { line: 11, column: 1, path: "", message: "the file holds more than one YAML document", hint: 'keep one YAML document: remove the extra "---" line and what follows, or merge it into the first' },
  ],
  [
    "one tenant under two customer keys (GUID case ignored)",
    apps() + lines("  rockit-2:", `    tenantId: ${TENANT.toUpperCase()}`, "    subscriptions: {}"),
    { line: 12, column: 15, path: "customers.rockit-2.tenantId", message: 'tenant ee2337af-1fb7-44c8-b0ef-e6bf5b59baed is already declared by customer "rockit" (line 4)', hint: 'declare each tenant once: move these subscriptions under "rockit" and remove this customer' },
  ],
  [
    "one subscription id in two entries (GUID case ignored)",
    apps({}, [`id: ${SHARED_ID}`]) + lines("  northwind:", `    tenantId: ${NORTHWIND}`, "    subscriptions:", "      x:", `        id: ${SHARED_ID.toUpperCase()}`, "        offer: CFQ7TTC0LH18:0001", "        term: P1M", "        billing: monthly", "        quantity: 1"),
    { line: 16, column: 13, path: "customers.northwind.subscriptions.x.id", message: "subscription 0f8fad5b-d9cb-469f-a165-70867728950e is already managed by customers.rockit.subscriptions.apps (line 11)", hint: "one live subscription can be managed by one entry only: remove one of them" },
  ],
  [
    "two entries with the same friendlyName",
    apps({}, ["friendlyName: Apps"]) + lines("      apps-2:", "        friendlyName: Apps", "        offer: CFQ7TTC0LH18:0001", "        term: P1M", "        billing: monthly", "        quantity: 1"),
    { line: 13, column: 23, path: "customers.rockit.subscriptions.apps-2.friendlyName", message: '"Apps" is also the friendlyName of customers.rockit.subscriptions.apps (line 6)', hint: "seatplan finds a subscription by its friendlyName when id is absent: give each entry of a customer its own friendlyName, or an id" },
  ],
  [
    "a key equal to another entry's friendlyName",
    apps({}, ["friendlyName: basic"]) + lines("      basic:", "        offer: CFQ7TTC0LH18:0001", "        term: P1M", "        billing: monthly", "        quantity: 1"),
    { line: 12, column: 7, path: "customers.rockit.subscriptions.basic", message: 'the default friendlyName (the key) "basic" is also the friendlyName of customers.rockit.subscriptions.apps (line 6)', hint: "seatplan finds a subscription by its friendlyName when id is absent: give each entry of a customer its own friendlyName, or an id" },
  ],
  [
    "subscription outside subscriptions:",
    apps().replace("    subscriptions:\n      apps:\n", "    subscriptions: {}\n    apps:\n"),
    { line: 6, column: 5, path: "customers.rockit.apps", message: 'unknown key "apps"', hint: 'a subscription belongs under "subscriptions:"; indent it below a "subscriptions:" key' },
  ],
  [
    "custom YAML tag",
    apps({ term: "!term P1Y" }),
    { line: 8, column: 15, path: "", message: "unresolved tag: !term", hint: "remove the tag (the word starting with !): seatplan reads plain values" },
  ],
  [
    "a file with only comments",
    "# nothing\n",
    { line: 1, column: 1, path: "", message: "the file holds no YAML document", hint: 'start it with "version: 1" and a "customers:" mapping' },
  ],
];

describe("parseDesired reports each mistake at its line and column with a fix", () => {
  it.each(MISTAKES)("%s", (_name, text, expected) => {
    const result = parseDesired(text, "licences.yaml");
    expect(result.issues).toEqual([{ file: "licences.yaml", ...expected }]);
    expect(result.state).toBeUndefined();
  });

  it("has a distinct mistake on every row", () => {
    expect(new Set(MISTAKES.map(([, text]) => text)).size).toBe(MISTAKES.length);
    expect(MISTAKES.length).toBeGreaterThanOrEqual(25);
  });
});
