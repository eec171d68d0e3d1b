import type {
  BillingCycle,
  BusinessSeatCapPolicy,
  DesiredCustomer,
  DesiredRenewal,
  DesiredState,
  DesiredStatus,
  DesiredSubscription,
  DesiredUpgrade,
  ReductionPolicy,
  RemovalPolicy,
  SourceLocation,
  Term,
} from "../domain/types";
import { availabilityOf, guid, offerKey } from "./semantic";

/** The document as the schema guarantees it (after validation, before defaults). */
interface RawDocument {
  readonly version: 1;
  readonly policy?: { readonly reductions?: ReductionPolicy; readonly businessSeatCap?: BusinessSeatCapPolicy; readonly removed?: RemovalPolicy };
  readonly customers: Readonly<Record<string, RawCustomer>>;
}

interface RawCustomer {
  readonly tenantId: string;
  readonly name?: string;
  readonly subscriptions: Readonly<Record<string, RawSubscription>>;
}

interface RawSubscription {
  readonly id?: string;
  readonly offer: string;
  readonly term: Term;
  readonly billing: BillingCycle;
  readonly quantity: number;
  readonly autoRenew?: boolean;
  readonly status?: DesiredStatus;
  readonly friendlyName?: string;
  readonly alignEndDate?: string;
  readonly renewal?: { readonly quantity?: number; readonly term?: Term; readonly billing?: BillingCycle; readonly offer?: string };
  readonly upgrade?: { readonly to: string; readonly quantity?: number; readonly into?: string; readonly acknowledge: "irreversible" };
}

/**
 * Applies the defaults of design §3 to a document that passed every check: autoRenew true,
 * status active, friendlyName = key, policy.reductions block, policy.removed release; offers become `PRODUCT:SKU` (the
 * availability id is kept apart), GUIDs lower-case. Order follows the file.
 */
export function normalise(
  data: unknown,
  file: string,
  locate: (path: readonly string[]) => { line: number; column: number },
): DesiredState {
  // Only called when the schema accepted `data`, which makes it a RawDocument.
  const doc = data as RawDocument;
  const source = (path: readonly string[]): SourceLocation => {
    const { line, column } = locate(path);
    return { file, line, column };
  };
  // Loops over keys and plain assignments: this runs once per entry of files with thousands of
  // subscriptions, where pairs from Object.entries and object spreads were a tenth of `validate`.
  const customers: DesiredCustomer[] = [];
  for (const key of Object.keys(doc.customers)) {
    const customer = doc.customers[key] as RawCustomer;
    const subscriptions: DesiredSubscription[] = [];
    for (const subscriptionKey of Object.keys(customer.subscriptions)) {
      const s = customer.subscriptions[subscriptionKey] as RawSubscription;
      subscriptions.push(subscription(key, subscriptionKey, s, source(["customers", key, "subscriptions", subscriptionKey])));
    }
    const entry: Mutable<DesiredCustomer> = { key, tenantId: canonicalGuid(customer.tenantId) };
    if (customer.name !== undefined) entry.name = customer.name;
    entry.subscriptions = subscriptions;
    entry.source = source(["customers", key]);
    customers.push(entry as DesiredCustomer);
  }
  return {
    version: 1,
    file,
    policy: { reductions: doc.policy?.reductions ?? "block", businessSeatCap: doc.policy?.businessSeatCap ?? "warn", removed: doc.policy?.removed ?? "release" },
    customers,
  };
}

/** An object under construction, its properties set one by one in their declared order. */
type Mutable<T> = { -readonly [K in keyof T]?: T[K] };

function subscription(customer: string, key: string, s: RawSubscription, source: SourceLocation): DesiredSubscription {
  const availabilityId = availabilityOf(s.offer);
  const out: Mutable<DesiredSubscription> = { customer, key };
  if (s.id !== undefined) out.id = canonicalGuid(s.id);
  out.offer = canonicalOffer(s.offer);
  if (availabilityId !== undefined) out.availabilityId = availabilityId;
  out.term = s.term;
  out.billing = s.billing;
  out.quantity = s.quantity;
  out.autoRenew = s.autoRenew ?? true;
  out.status = s.status ?? "active";
  out.friendlyName = s.friendlyName ?? key;
  if (s.alignEndDate !== undefined) out.alignEndDate = s.alignEndDate === "calendar-month" ? "calendar-month" : { subscription: s.alignEndDate };
  if (s.renewal !== undefined) out.renewal = renewal(s.renewal);
  if (s.upgrade !== undefined) out.upgrade = upgrade(s.upgrade);
  out.source = source;
  return out as DesiredSubscription;
}

function renewal(r: NonNullable<RawSubscription["renewal"]>): DesiredRenewal {
  return {
    ...(r.quantity !== undefined && { quantity: r.quantity }),
    ...(r.term !== undefined && { term: r.term }),
    ...(r.billing !== undefined && { billing: r.billing }),
    ...(r.offer !== undefined && { offer: canonicalOffer(r.offer) }),
  };
}

function upgrade(u: NonNullable<RawSubscription["upgrade"]>): DesiredUpgrade {
  return {
    to: canonicalOffer(u.to),
    ...(u.quantity !== undefined && { quantity: u.quantity }),
    ...(u.into !== undefined && { into: u.into }),
    acknowledge: u.acknowledge,
  };
}

function canonicalGuid(value: string): string {
  return guid(value) ?? value;
}

function canonicalOffer(value: string): string {
  return offerKey(value) ?? value;
}
