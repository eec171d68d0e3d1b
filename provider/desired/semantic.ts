import { BILLING_FOR_TERM, BILLING_CYCLES, type BillingCycle, type Term, TERMS } from "../domain/types";
import { definedPattern } from "./schema";
import type { Finding } from "./schema-issues";
import { didYouMean, isRecord, listed } from "./words";

/**
 * The checks a JSON Schema cannot express: references between entries, uniqueness, and
 * combinations of fields. They read the raw data defensively (a value the schema already
 * rejected is skipped here), so a file with schema errors still gets these checks too.
 */
export function semanticFindings(data: unknown, lineOf: (path: readonly string[]) => number): Finding[] {
  const findings: Finding[] = [];
  const customers = isRecord(data) && isRecord(data["customers"]) ? data["customers"] : {};
  const tenants = new Map<string, { customer: string; path: readonly string[] }>();
  const ids = new Map<string, readonly string[]>();

  for (const [customer, entry] of Object.entries(customers)) {
    if (!isRecord(entry)) continue;
    const customerPath = ["customers", customer];
    const tenantId = guid(entry["tenantId"]);
    if (tenantId !== undefined) {
      const first = tenants.get(tenantId);
      if (first === undefined) tenants.set(tenantId, { customer, path: [...customerPath, "tenantId"] });
      else
        findings.push({
          path: [...customerPath, "tenantId"],
          message: `tenant ${tenantId} is already declared by customer "${first.customer}" (line ${lineOf(first.path)})`,
          hint: `declare each tenant once: move these subscriptions under "${first.customer}" and remove this customer`,
        });
    }

    const subscriptions = isRecord(entry["subscriptions"]) ? entry["subscriptions"] : {};
    const keys = Object.keys(subscriptions);
    const friendlyNames = new Map<string, { readonly path: readonly string[]; readonly hasId: boolean }>();
    // The keys already listed, not Object.entries: one pair less per entry (130,000 in a hostile file).
    for (const key of keys) {
      const subscription = subscriptions[key];
      if (!isRecord(subscription)) continue;
      const at = [...customerPath, "subscriptions", key];
      const siblings: Siblings = { customer, key, keys, subscriptions };

      const id = guid(subscription["id"]);
      if (id !== undefined) {
        const first = ids.get(id);
        if (first === undefined) ids.set(id, [...at, "id"]);
        else
          findings.push({
            path: [...at, "id"],
            message: `subscription ${id} is already managed by ${first.slice(0, 4).join(".")} (line ${lineOf(first)})`,
            hint: "one live subscription can be managed by one entry only: remove one of them",
          });
      }

      const explicitName = typeof subscription["friendlyName"] === "string" ? subscription["friendlyName"] : undefined;
      const friendlyName = explicitName ?? key;
      const namePath = explicitName !== undefined ? [...at, "friendlyName"] : at;
      const sameName = friendlyNames.get(friendlyName);
      // The name is the identity key only for entries without an id: two entries that both
      // adopt by id may share a name (live tenants have such pairs; `seatplan export` keeps them).
      if (sameName === undefined) friendlyNames.set(friendlyName, { path: at, hasId: id !== undefined });
      else if (!(sameName.hasId && id !== undefined))
        findings.push({
          path: namePath,
          message: `${explicitName !== undefined ? "" : "the default friendlyName (the key) "}"${friendlyName}" is also the friendlyName of ${sameName.path.join(".")} (line ${lineOf(sameName.path)})`,
          hint: "seatplan finds a subscription by its friendlyName when id is absent: give each entry of a customer its own friendlyName, or an id",
        });

      termBilling(findings, subscription, at);
      renewalChecks(findings, subscription, at);
      upgradeChecks(findings, subscription, at, siblings);

      const align = subscription["alignEndDate"];
      if (typeof align === "string" && align !== "calendar-month" && isKey(align)) {
        const problem = referenceProblem([...at, "alignEndDate"], align, siblings, "use calendar-month");
        if (problem !== undefined) findings.push(problem);
      }
    }
  }
  return findings;
}

interface Siblings {
  readonly customer: string;
  readonly key: string;
  readonly keys: readonly string[];
  readonly subscriptions: Readonly<Record<string, unknown>>;
}

// The checks below add to `findings` rather than return lists: they run for every subscription.

function termBilling(findings: Finding[], subscription: Readonly<Record<string, unknown>>, at: readonly string[]): void {
  const term = asTerm(subscription["term"]);
  const billing = asBilling(subscription["billing"]);
  if (term === undefined || billing === undefined || BILLING_FOR_TERM[term].includes(billing)) return;
  findings.push({ path: [...at, "billing"], message: `billing ${billing} is not offered with term ${term}`, hint: billingHint(term, "billing") });
}

function renewalChecks(findings: Finding[], subscription: Readonly<Record<string, unknown>>, at: readonly string[]): void {
  const renewal = subscription["renewal"];
  if (!isRecord(renewal)) return;
  const renewalPath = [...at, "renewal"];
  if (subscription["autoRenew"] === false)
    findings.push({
      path: renewalPath,
      message: "renewal changes need the subscription to renew, but autoRenew is false",
      hint: 'remove "autoRenew: false", or remove renewal',
    });
  else if (subscription["status"] === "cancelled")
    findings.push({
      path: renewalPath,
      message: "renewal changes cannot apply to a cancelled subscription",
      hint: 'remove renewal, or set "status: active"',
    });

  const ownTerm = asTerm(renewal["term"]);
  const ownBilling = asBilling(renewal["billing"]);
  if (ownTerm === undefined && ownBilling === undefined) return;
  const term = ownTerm ?? asTerm(subscription["term"]);
  const billing = ownBilling ?? asBilling(subscription["billing"]);
  if (term === undefined || billing === undefined || BILLING_FOR_TERM[term].includes(billing)) return;
  if (ownBilling !== undefined)
    findings.push({ path: [...renewalPath, "billing"], message: `billing ${billing} is not offered with term ${term}`, hint: billingHint(term, "renewal.billing") });
  else
    findings.push({
      path: [...renewalPath, "term"],
      message: `term ${term} is not offered with the current billing ${billing}`,
      hint: `add "billing: ${BILLING_FOR_TERM[term][0] ?? "monthly"}" under renewal`,
    });
}

function upgradeChecks(findings: Finding[], subscription: Readonly<Record<string, unknown>>, at: readonly string[], siblings: Siblings): void {
  const upgrade = subscription["upgrade"];
  if (!isRecord(upgrade)) return;
  const upgradePath = [...at, "upgrade"];
  if (subscription["status"] === "cancelled")
    findings.push({
      path: upgradePath,
      message: "a cancelled subscription cannot be upgraded",
      hint: 'remove upgrade, or set "status: active"',
    });

  const to = offerKey(upgrade["to"]);
  const offer = offerKey(subscription["offer"]);
  if (to !== undefined && to === offer)
    findings.push({
      path: [...upgradePath, "to"],
      message: `${to} is already the subscription's offer`,
      hint: "name a higher offer to upgrade to, or remove upgrade",
    });

  const seats = upgrade["quantity"];
  const quantity = subscription["quantity"];
  if (isCount(seats) && isCount(quantity) && seats > quantity)
    findings.push({
      path: [...upgradePath, "quantity"],
      message: `cannot upgrade ${seats} seats of a subscription with ${quantity}`,
      hint: `set upgrade.quantity to at most ${quantity}, or remove it to upgrade every seat`,
    });

  const into = upgrade["into"];
  if (typeof into === "string" && isKey(into)) {
    const problem = referenceProblem([...upgradePath, "into"], into, siblings, "remove into to upgrade into a new subscription");
    if (problem !== undefined) findings.push(problem);
    else {
      const target = siblings.subscriptions[into];
      const targetOffer = isRecord(target) ? offerKey(target["offer"]) : undefined;
      if (to !== undefined && targetOffer !== undefined && targetOffer !== to)
        findings.push({
          path: [...upgradePath, "into"],
          message: `"${into}" is a subscription of ${targetOffer}, not of the upgrade target ${to}`,
          hint: `merge only into a subscription of ${to}, or remove into to upgrade into a new subscription`,
        });
    }
  }
}

/** Why a reference to another subscription key (of the same customer) is wrong, if it is;
 *  `otherwise` is the other way out, for the hint. The check is a lookup; the hint, which lists
 *  and compares the other keys, is worked out only if the finding is shown — for every finding
 *  it made a file of 20,000 bad references quadratic (46 s). */
function referenceProblem(path: readonly string[], target: string, siblings: Siblings, otherwise: string): Finding | undefined {
  const choices = (): string => {
    const others = siblings.keys.filter((k) => k !== siblings.key);
    if (others.length === 0) return otherwise;
    const named = listed(
      others.slice(0, MAX_LISTED).map((k) => `"${k}"`),
      "or",
    );
    const more = others.length > MAX_LISTED ? ` (or one of ${(others.length - MAX_LISTED).toLocaleString("en-US")} more)` : "";
    return `name ${others.length === 1 ? "" : "one of "}${named}${more}, or ${otherwise}`;
  };
  if (target === siblings.key) return lazyHint(path, "names this subscription itself", choices);
  if (Object.hasOwn(siblings.subscriptions, target)) return undefined;
  return lazyHint(path, `"${target}" is not a subscription of customer "${siblings.customer}"`, () => {
    const guess = didYouMean(
      target,
      siblings.keys.filter((k) => k !== siblings.key),
    );
    return guess !== undefined ? `did you mean "${guess}"? Otherwise ${otherwise}` : choices();
  });
}

/** Keys a hint lists by name; the rest are counted. */
const MAX_LISTED = 10;

/** A finding whose hint is worked out the first time it is read. */
function lazyHint(path: readonly string[], message: string, hint: () => string): Finding {
  let text: string | undefined;
  return {
    path,
    message,
    get hint(): string {
      return (text ??= hint());
    },
  };
}

function billingHint(term: Term, field: string): string {
  const allowed = BILLING_FOR_TERM[term];
  return `with term ${term}, set ${field} to ${listed(allowed, "or")}${term === "P3Y" ? "" : "; or choose a longer term"}`;
}

function asTerm(value: unknown): Term | undefined {
  return TERMS.find((t) => t === value);
}

function asBilling(value: unknown): BillingCycle | undefined {
  return BILLING_CYCLES.find((b) => b === value);
}

function isCount(value: unknown): value is number {
  return typeof value === "number" && Number.isInteger(value) && value >= 1;
}

const KEY = definedPattern("key");
const GUID = definedPattern("guid");
const CATALOG_ID = definedPattern("catalogId");

function isKey(value: string): boolean {
  return KEY.test(value);
}

/** A GUID in its canonical lower-case form, or undefined when `value` is not one. */
export function guid(value: unknown): string | undefined {
  if (typeof value !== "string") return undefined;
  return GUID.test(value) ? value.toLowerCase() : undefined;
}

/** `PRODUCT:SKU` of a catalog id, or undefined when `value` is not one. */
export function offerKey(value: unknown): string | undefined {
  return typeof value === "string" && CATALOG_ID.test(value) ? value.split(":").slice(0, 2).join(":") : undefined;
}

/** The availability part of a catalog id `PRODUCT:SKU:AVAILABILITY`, if present. */
export function availabilityOf(value: string): string | undefined {
  return CATALOG_ID.test(value) ? value.split(":")[2] : undefined;
}
