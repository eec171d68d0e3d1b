import type {
  BackendCapabilities,
  BillingCycle,
  Catalog,
  Customer,
  CustomTermEndDate,
  IsoDate,
  LicenceUsage,
  ObservedSubscription,
  PurchaseRequest,
  RenewalInstructions,
  Term,
  TransitionEligibility,
  TransitionRequest,
  TransitionResult,
} from "../domain/types";

/** What a backend can do beyond the basics (a domain type: the planner reads it). */
export type { BackendCapabilities } from "../domain/types";

/**
 * Options every write takes. `requestId` is the idempotency key of the logical operation: a
 * retried or replayed write with the same id acts once (Partner Center `MS-RequestId`).
 */
export interface WriteOptions {
  readonly requestId?: string;
}

/**
 * The port every channel implements (design §5). Domain types in, domain types out; errors are
 * `BackendError`s carrying the Partner Center status and code.
 *
 * Reads: `listSubscriptions` returns all of a customer's subscriptions in one call — planners
 * and refresh must use it instead of `getSubscription` per subscription.
 */
export interface Backend {
  /** `simulator` | `partner-center` | `cloudcockpit` — printed in every plan so nobody mistakes one for the other. */
  readonly name: string;
  readonly capabilities: BackendCapabilities;

  /**
   * The backend's own clock, when it has one (the simulator's explicit clock). Callers that take
   * `now` from nowhere else (no `--now`, no `SEATPLAN_NOW`) plan at this instant, so a plan is
   * computed at the time the tenant is in. Absent: the real clock.
   */
  now?(): Promise<IsoDate>;

  listCustomers(): Promise<Customer[]>;
  /** All subscriptions of one customer (one call). */
  listSubscriptions(customerId: string): Promise<ObservedSubscription[]>;
  getSubscription(customerId: string, subscriptionId: string): Promise<ObservedSubscription>;

  /** Buy a subscription (cart + checkout on Partner Center). Same `idempotencyKey` ⇒ bought once. */
  purchase(customerId: string, request: PurchaseRequest): Promise<ObservedSubscription>;
  /** Set the total seat count now. Any immediate change wipes the scheduled renewal. */
  setQuantity(customerId: string, subscriptionId: string, quantity: number, options?: WriteOptions): Promise<ObservedSubscription>;
  setAutoRenew(customerId: string, subscriptionId: string, enabled: boolean, options?: WriteOptions): Promise<ObservedSubscription>;
  /**
   * Mid-term: move to a longer term (a new term starts now) and/or change the billing frequency
   * ("Manage term duration and billing frequency"). Wipes the scheduled renewal like any immediate change.
   */
  changeTerm(customerId: string, subscriptionId: string, term: Term, billing: BillingCycle, options?: WriteOptions): Promise<ObservedSubscription>;
  /** Set `scheduledNextTermInstructions` (requires auto-renew). */
  scheduleRenewal(
    customerId: string,
    subscriptionId: string,
    instructions: RenewalInstructions,
    options?: WriteOptions,
  ): Promise<ObservedSubscription>;
  clearRenewal(customerId: string, subscriptionId: string, options?: WriteOptions): Promise<ObservedSubscription>;
  rename(customerId: string, subscriptionId: string, friendlyName: string, options?: WriteOptions): Promise<ObservedSubscription>;
  /** Cancel now (`status: deleted`); refused outside the cancellation window. */
  cancel(customerId: string, subscriptionId: string, options?: WriteOptions): Promise<ObservedSubscription>;
  /** End at term end: auto-renew off plus the explicit cancel at term end (no extended service term). */
  cancelAtTermEnd(customerId: string, subscriptionId: string, options?: WriteOptions): Promise<ObservedSubscription>;

  /**
   * Backends whose own subscription ids are not Partner Center's (CloudCockpit): adds
   * `providerSubscriptionId` to the subscriptions that may be one of `wanted` (ids a YAML names),
   * reading as little as it can. Absent: the ids are Partner Center's.
   */
  withProviderIds?(customerId: string, subscriptions: readonly ObservedSubscription[], wanted: readonly string[]): Promise<ObservedSubscription[]>;

  getTransitionEligibilities(customerId: string, subscriptionId: string): Promise<TransitionEligibility[]>;
  /** Upgrade now (irreversible). Resolves when the transition has completed. */
  transition(customerId: string, subscriptionId: string, request: TransitionRequest, options?: WriteOptions): Promise<TransitionResult>;

  getCustomTermEndDates(
    customerId: string,
    query: { readonly term: Term; readonly startDate?: IsoDate; readonly cotermSubscriptionId?: string },
  ): Promise<CustomTermEndDate[]>;
  /** Only when `capabilities.licenceUsage`. */
  getLicenceUsage(customerId: string): Promise<LicenceUsage>;

  getCatalog(): Promise<Catalog>;

  /** Release resources (sockets, locks). Idempotent. */
  close?(): Promise<void>;
}
