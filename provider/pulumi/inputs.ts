import YAML from "yaml";
import { parseDesired } from "../desired";
import type {
  BillingCycle,
  BusinessSeatCapPolicy,
  DesiredCustomer,
  DesiredState,
  DesiredStatus,
  DesiredSubscription,
  Issue,
  ReductionPolicy,
  RemovalPolicy,
  Term,
} from "../domain/types";

/**
 * One subscription entry of the YAML as a `Subscription` resource carries it: the normalised
 * entry (defaults filled in, offers canonical) in JSON-safe form — every optional value is
 * `null`, never `undefined`, so it survives the protobuf Struct the engine stores.
 */
export interface SubscriptionEntry {
  /** Subscription key of the YAML (`[a-z0-9][a-z0-9-]*`). */
  readonly key: string;
  /** Adopt this existing subscription; null: match by friendlyName or buy. */
  readonly id: string | null;
  /** `PRODUCT:SKU`, or `PRODUCT:SKU:AVAILABILITY` when the YAML pinned the availability. */
  readonly offer: string;
  readonly term: Term;
  readonly billing: BillingCycle;
  readonly quantity: number;
  readonly autoRenew: boolean;
  readonly status: DesiredStatus;
  readonly friendlyName: string;
  /** `calendar-month` or another subscription key; purchase only. */
  readonly alignEndDate: string | null;
  readonly renewal: {
    readonly quantity: number | null;
    readonly term: Term | null;
    readonly billing: BillingCycle | null;
    readonly offer: string | null;
  } | null;
  readonly upgrade: {
    readonly to: string;
    readonly quantity: number | null;
    readonly into: string | null;
    readonly acknowledge: string;
  } | null;
}

/** The inputs of a `Subscription` resource, as the provider receives them (checked by `check`). */
export interface SubscriptionInputs {
  /** The entry this resource manages. */
  readonly entry: SubscriptionEntry;
  /** Customer key of the YAML (the `<customer>` of the resource name). */
  readonly customerKey: string;
  /** The customer's tenant id. */
  readonly customerTenantId: string;
  /** `policy.reductions` of the YAML. */
  readonly reductions: ReductionPolicy;
  /**
   * `policy.removed` of the YAML when the resource was last written; a delete follows the policy
   * of the file named by `desiredFile` as it is then, and this one only when that file cannot be
   * read. Absent in state written before seatplan knew removals: `release`.
   */
  readonly removed?: RemovalPolicy;
  /** `policy.businessSeatCap` of the YAML; absent: `warn` (the default, and state written before seatplan passed it). */
  readonly businessSeatCap?: BusinessSeatCapPolicy;
  /** The YAML file the program read (relative to the Pulumi project), for the delete's policy. Absent: unknown. */
  readonly desiredFile?: string;
  /**
   * Entries of the same customer this one is linked to by `upgrade.into` or `alignEndDate`
   * (either direction): the plan needs them to resolve the link.
   */
  readonly related: readonly SubscriptionEntry[];
  /**
   * The seatplan version that wrote the outputs. A new version changes the resource once (an
   * update that re-reads the subscription), so state written by older code is brought up to date
   * even when the YAML did not change (reference/pulumi-dynamic.md pitfall 6).
   */
  readonly providerVersion: string;
}

/** The JSON-safe entry of a normalised YAML entry. */
export function entryOf(s: DesiredSubscription): SubscriptionEntry {
  const align = s.alignEndDate;
  return {
    key: s.key,
    id: s.id ?? null,
    offer: s.availabilityId === undefined ? s.offer : `${s.offer}:${s.availabilityId}`,
    term: s.term,
    billing: s.billing,
    quantity: s.quantity,
    autoRenew: s.autoRenew,
    status: s.status,
    friendlyName: s.friendlyName,
    alignEndDate: align === undefined ? null : align === "calendar-month" ? align : align.subscription,
    renewal:
      s.renewal === undefined
        ? null
        : { quantity: s.renewal.quantity ?? null, term: s.renewal.term ?? null, billing: s.renewal.billing ?? null, offer: s.renewal.offer ?? null },
    upgrade:
      s.upgrade === undefined
        ? null
        : { to: s.upgrade.to, quantity: s.upgrade.quantity ?? null, into: s.upgrade.into ?? null, acknowledge: s.upgrade.acknowledge },
  };
}

/**
 * The entries of `customer` linked to `key` by `upgrade.into` or `alignEndDate`, or by sharing its
 * offer, in either direction and transitively, in file order. Entries of one offer are planned
 * together because the assigned-seat guard counts what the others keep: planned alone, two
 * reductions could each pass it and together leave users without a licence. Most entries have none.
 */
export function relatedEntries(customer: DesiredCustomer, key: string): DesiredSubscription[] {
  // An offer is a node of its own (`offer:` cannot be a subscription key), linking its entries.
  const links = (s: DesiredSubscription): string[] => [
    ...(s.upgrade?.into !== undefined ? [s.upgrade.into] : []),
    ...(typeof s.alignEndDate === "object" ? [s.alignEndDate.subscription] : []),
    `offer:${s.offer}`,
  ];
  const linked = new Set([key]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const s of customer.subscriptions) {
      const touches = linked.has(s.key) || links(s).some((k) => linked.has(k));
      const adds = [s.key, ...links(s)].filter((k) => !linked.has(k));
      if (touches && adds.length > 0) {
        adds.forEach((k) => linked.add(k));
        grew = true;
      }
    }
  }
  return customer.subscriptions.filter((s) => s.key !== key && linked.has(s.key));
}

/** What the inputs stand for, in the planner's terms. */
export interface DesiredInputs {
  readonly state: DesiredState;
  readonly customer: DesiredCustomer;
  readonly entry: DesiredSubscription;
}

/** A check failure: the input property it concerns (`entry.quantity`) and what to do. */
export interface InputFailure {
  readonly property: string;
  readonly reason: string;
}

/**
 * Validates and normalises resource inputs with the very checks `seatplan validate` runs on the
 * YAML (design §3): the inputs are written back into a one-customer document and parsed, so a
 * resource declared by hand gets the same messages and hints as a file. `pinnedId` binds the
 * entry to a subscription the resource already manages (diff and update). Failures name the
 * input property (`entry.renewal.quantity`, `customerTenantId`).
 */
export function desiredOf(inputs: unknown, pinnedId?: string): { readonly desired: DesiredInputs } | { readonly failures: readonly InputFailure[] } {
  const raw = (typeof inputs === "object" && inputs !== null ? inputs : {}) as Record<string, unknown>;
  const failures: InputFailure[] = [];
  const customerKey = raw["customerKey"];
  const entry = raw["entry"];
  const related = raw["related"] ?? [];
  if (typeof customerKey !== "string" || customerKey === "") failures.push({ property: "customerKey", reason: "must be the customer key of the YAML (a non-empty string)" });
  if (!isEntryLike(entry)) failures.push({ property: "entry", reason: "must be a subscription entry with a string key" });
  if (!Array.isArray(related) || !related.every(isEntryLike)) failures.push({ property: "related", reason: "must be a list of subscription entries" });
  if (typeof raw["providerVersion"] !== "string") failures.push({ property: "providerVersion", reason: "must be a string (the seatplan version)" });
  const reductions = raw["reductions"] ?? "block";
  const removed = raw["removed"] ?? "release";
  const businessSeatCap = raw["businessSeatCap"] ?? "warn";
  if (failures.length > 0 || typeof customerKey !== "string" || !isEntryLike(entry) || !Array.isArray(related)) return { failures };

  const key = entry["key"];
  const subscriptions: Record<string, unknown> = {};
  for (const e of [entry, ...(related as Record<string, unknown>[])]) subscriptions[String(e["key"])] = yamlEntry(e);
  if (pinnedId !== undefined) subscriptions[key] = { ...(subscriptions[key] as object), id: pinnedId };
  const doc = { version: 1, policy: { reductions, removed, businessSeatCap }, customers: { [customerKey]: { tenantId: raw["customerTenantId"], subscriptions } } };
  const { state, issues } = parseDesired(YAML.stringify(doc), `${customerKey}/${key}`);
  if (state === undefined) {
    const own = issues.flatMap((i) => {
      const property = propertyOf(i, customerKey, key);
      return property === null ? [] : [{ property, reason: `${i.message} (hint: ${i.hint})` }];
    });
    // An entry that only fails because a related one is broken still cannot be planned.
    return { failures: own.length > 0 ? own : [{ property: "related", reason: issues.map((i) => `${i.path}: ${i.message}`).join("; ") }] };
  }
  const customer = state.customers[0];
  const desired = customer?.subscriptions.find((s) => s.key === key);
  if (customer === undefined || desired === undefined) throw new Error(`desiredOf: the entry ${customerKey}/${key} vanished while parsing`);
  return { desired: { state, customer, entry: desired } };
}

function isEntryLike(value: unknown): value is Record<string, unknown> & { key: string } {
  return typeof value === "object" && value !== null && !Array.isArray(value) && typeof (value as Record<string, unknown>)["key"] === "string";
}

/** The YAML mapping of an entry: nulls mean "not given", the key is the mapping's key. */
function yamlEntry(entry: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(entry)) {
    if (k === "key" || v === null || v === undefined) continue;
    out[k] = typeof v === "object" && !Array.isArray(v) ? Object.fromEntries(Object.entries(v as object).filter(([, x]) => x !== null && x !== undefined)) : v;
  }
  return out;
}

/** The input property an issue of the synthetic document is about; null for a related entry's own problem. */
function propertyOf(issue: Issue, customerKey: string, key: string): string | null {
  const customer = `customers.${customerKey}`;
  const own = `${customer}.subscriptions.${key}`;
  if (issue.path === own) return "entry";
  if (issue.path.startsWith(`${own}.`)) return `entry.${issue.path.slice(own.length + 1)}`;
  if (issue.path.startsWith(`${customer}.subscriptions.`)) return null;
  if (issue.path === `${customer}.tenantId`) return "customerTenantId";
  if (issue.path === `${customer}` || issue.path === "customers") return "customerKey";
  if (issue.path.startsWith("policy.removed")) return "removed";
  if (issue.path.startsWith("policy.businessSeatCap")) return "businessSeatCap";
  if (issue.path.startsWith("policy")) return "reductions";
  return "";
}
