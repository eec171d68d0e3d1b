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
  const source = (path: readonly string[]): SourceLocation => ({ file, ...locate(path) });
  const customers = Object.entries(doc.customers).map(([key, customer]): DesiredCustomer => ({
    key,
    tenantId: canonicalGuid(customer.tenantId),
    ...(customer.name !== undefined && { name: customer.name }),
    subscriptions: Object.entries(customer.subscriptions).map(([subscriptionKey, s]) =>
      subscription(key, subscriptionKey, s, source(["customers", key, "subscriptions", subscriptionKey])),
    ),
    source: source(["customers", key]),
  }));
  return {
    version: 1,
    file,
    policy: { reductions: doc.policy?.reductions ?? "block", businessSeatCap: doc.policy?.businessSeatCap ?? "warn", removed: doc.policy?.removed ?? "release" },
    customers,
  };
}

function subscription(customer: string, key: string, s: RawSubscription, source: SourceLocation): DesiredSubscription {
  const availabilityId = availabilityOf(s.offer);
  return {
    customer,
    key,
    ...(s.id !== undefined && { id: canonicalGuid(s.id) }),
    offer: canonicalOffer(s.offer),
    ...(availabilityId !== undefined && { availabilityId }),
    term: s.term,
    billing: s.billing,
    quantity: s.quantity,
    autoRenew: s.autoRenew ?? true,
    status: s.status ?? "active",
    friendlyName: s.friendlyName ?? key,
    ...(s.alignEndDate !== undefined && {
      alignEndDate: s.alignEndDate === "calendar-month" ? "calendar-month" : { subscription: s.alignEndDate },
    }),
    ...(s.renewal !== undefined && { renewal: renewal(s.renewal) }),
    ...(s.upgrade !== undefined && { upgrade: upgrade(s.upgrade) }),
    source,
  };
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
