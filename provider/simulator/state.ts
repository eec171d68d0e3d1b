import type {
  WireCart,
  WireCartLineItem,
  WireLink,
  WireCartCheckoutResult,
  WireOrder,
  WireOrderLineItem,
  WireScheduledNextTermInstructions,
  WireTransition,
  WireTransitionEvent,
} from "../wire/partner-center";
import type { CatalogEntry } from "./catalog";

/**
 * The simulator state file (design §6). Subscriptions use Partner Center field names; a few
 * simulator extensions are documented on the fields below. Every field the design calls
 * optional may be left out of a hand-written file and is derived on load.
 */
export interface SimState {
  readonly version: 1;
  /** The simulated clock (ISO 8601). Absent: the real clock. */
  now?: string;
  settings?: SimSettings;
  /** Offers in the shape of `data/catalog.json`'s `offers`. Absent: the built-in catalog. */
  catalog?: CatalogEntry[];
  /** Turns on token checking: the API then accepts only tokens the simulator issued. */
  partner?: SimPartner;
  customers: SimCustomer[];
  /** Extension: injected faults (`POST /_sim/faults`), shared by every process on the file. */
  faults?: SimFault[];
  /** Extension: first responses of writes by `MS-RequestId`, kept 24 h (simulated clock) for replay, the newest 1,000 at most. */
  replay?: Record<string, StoredResponse>;
  /**
   * Extension: writes accepted but not yet in effect (`--async-ms`), oldest first. Each takes
   * effect on the first request once its `dueAt` (real time) has passed, so a change accepted
   * before a restart still happens after it.
   */
  pending?: SimPending[];
}

/** A write accepted with `--async-ms` that has not taken effect yet. */
export type SimPending = SimPendingPatch | SimPendingTransition | SimPendingOrder;

interface SimPendingBase {
  /** Real time the write was accepted / takes effect (ISO 8601). */
  readonly acceptedAt: string;
  readonly dueAt: string;
  readonly customerId: string;
  /** Subscriptions no other write may change until this one took effect (409 800082). */
  readonly holds: readonly string[];
}

/** A PATCH answered 202: the canonical body, applied as sent (its etag was checked on accepting). */
export interface SimPendingPatch extends SimPendingBase {
  readonly kind: "patch";
  readonly subscriptionId: string;
  readonly body: Record<string, unknown>;
}

/** A transition answered `Started`: completes with the ids announced in its answer. */
export interface SimPendingTransition extends SimPendingBase {
  readonly kind: "transition";
  readonly subscriptionId: string;
  readonly operationId: string;
  /** The id the new target subscription gets (none when moving into an existing one). */
  readonly newSubscriptionId?: string;
  readonly body: Record<string, unknown>;
}

/** An order answered `pending`: its subscriptions are provisioned with these ids. */
export interface SimPendingOrder extends SimPendingBase {
  readonly kind: "order";
  readonly orderId: string;
  readonly lines: readonly WireCartLineItem[];
  readonly subscriptionIds: readonly string[];
}

export interface SimSettings {
  /** How long each batch of seats (and a new term) stays cancellable. @default 168 */
  cancellationWindowHours?: number;
  /** Currency of the catalog prices. @default "EUR" */
  currency?: string;
}

export interface SimPartner {
  readonly tenantId?: string;
  readonly clientId?: string;
  readonly clientSecret?: string;
  readonly refreshToken?: string;
}

export interface SimCustomer {
  readonly id: string;
  companyName: string;
  domain: string;
  /** Seats assigned to users, keyed `PRODUCT:SKU`; feeds `subscribedskus`. */
  assignedLicenses?: Record<string, number>;
  subscriptions: SimSubscription[];
  /** Extension: carts of this customer (Partner Center keeps them 7 days). */
  carts?: SimCart[];
  /** Extension: orders placed by checkout or `POST …/orders`. */
  orders?: SimOrder[];
  /** Extension: completed transitions (`GET …/transitions`). */
  transitions?: SimTransition[];
}

/**
 * A subscription as stored: Partner Center field names. Derived on render (not needed in the
 * file): `refundableQuantity`, `links`, `productType`, `unitType`.
 */
export interface SimSubscription {
  readonly id: string;
  offerId: string;
  offerName: string;
  friendlyName: string;
  quantity: number;
  status: string;
  autoRenewEnabled: boolean;
  termDuration: string;
  billingCycle: string;
  creationDate?: string;
  effectiveStartDate: string;
  commitmentEndDate: string;
  /** Absent: `effectiveStartDate` + `cancellationWindowHours`. */
  cancellationAllowedUntilDate?: string | null;
  scheduledNextTermInstructions?: WireScheduledNextTermInstructions | null;
  isTrial?: boolean;
  /** Extension: an explicit cancellation at term end is scheduled (rendered as `scheduledActions`). */
  cancelAtTermEnd?: boolean;
  /** Extension: the subscription is in the extended service term (billed monthly at the EST rate). */
  extendedServiceTerm?: boolean;
  orderId?: string;
  attributes?: { objectType?: string; etag?: string };
  /**
   * Extension: every batch of seats of the current term (purchase, renewal, mid-term add, seats
   * moved in by a transition), each removable until `allowedUntilDateTime`. The quantities add
   * up to `quantity`. Absent (hand-written files): taken from `refundableQuantity.details` plus
   * one closed batch for the rest, or else one batch of every seat added at `effectiveStartDate`.
   */
  seatLots?: SeatLotRecord[];
  /** Accepted on load from hand-written files (Partner Center's own rendering of `seatLots`). */
  refundableQuantity?: { totalQuantity: number; details: { quantity: number; allowedUntilDateTime: string }[] };
}

export interface SeatLotRecord {
  quantity: number;
  allowedUntilDateTime: string;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

export interface SimCart extends Mutable<WireCart> {
  /** The checkout result, replayed by a repeated checkout. */
  checkoutResult?: SimCheckoutResult;
}

export interface SimTransition extends Omit<WireTransition, "status" | "events" | "toSubscriptionId"> {
  readonly operationId: string;
  toSubscriptionId?: string;
  readonly fromSubscriptionId: string;
  /** `started` while an `--async-ms` transition runs, then `completed` or `failed`. */
  status: string;
  events: WireTransitionEvent[];
}

/** `CartCheckoutResult` with the simulator's orders. */
export interface SimCheckoutResult extends Omit<WireCartCheckoutResult, "orders"> {
  readonly orders: readonly SimOrder[];
}

/** An order line: `subscriptionId` appears once the subscription is provisioned. */
export interface SimOrderLineItem extends Omit<WireOrderLineItem, "subscriptionId"> {
  subscriptionId?: string;
}

/** An order: `pending` until its subscriptions are provisioned (`--async-ms`), then `completed`. */
export interface SimOrder extends Omit<WireOrder, "lineItems" | "status"> {
  status: string;
  /** `self` and `provisioningStatus`, as Partner Center's orders. */
  links?: Readonly<Record<string, WireLink>>;
  lineItems: SimOrderLineItem[];
}

/**
 * A fault armed by `POST /_sim/faults`: the next `count` requests whose method and path match
 * fail with `status`. With `afterCommit` the change is made first and only the response is lost
 * (a timeout as the client sees it).
 */
export interface SimFault {
  /** HTTP method to match (any when absent). */
  method?: string;
  /** Regular expression tested against the request path (without the query string). */
  path: string;
  status: number;
  /** @default 1 */
  count: number;
  retryAfterSeconds?: number;
  latencyMs?: number;
  afterCommit?: boolean;
  code?: string;
  description?: string;
}

export interface StoredResponse {
  /** Simulated time of the first response. */
  readonly at: string;
  readonly method: string;
  readonly path: string;
  /** Hash of the request body: the same request id with another body is refused (absent in older files: not compared). */
  readonly requestHash?: string;
  readonly status: number;
  /** Headers of the first response that a replay repeats (`Location` of a 202). */
  readonly headers?: Readonly<Record<string, string>>;
  readonly body: unknown;
}
