/**
 * Domain types shared by every part of seatplan. Types only: no I/O, no clock.
 *
 * Dates are ISO 8601 strings in UTC (`2026-11-23T10:00:00.000Z`). Offers are compared on
 * `PRODUCT:SKU` ({@link OfferKey}); the availability part of a catalog id is resolved at
 * purchase time because Microsoft re-issues availability ids.
 */

/** Commitment term (ISO 8601 duration as Partner Center spells it). */
export type Term = "P1M" | "P1Y" | "P3Y";
export const TERMS: readonly Term[] = ["P1M", "P1Y", "P3Y"];

/** Billing frequency. */
export type BillingCycle = "monthly" | "annual" | "triennial";
export const BILLING_CYCLES: readonly BillingCycle[] = ["monthly", "annual", "triennial"];

/** Billing frequencies allowed for each term (design §3, issue 1). */
export const BILLING_FOR_TERM: Readonly<Record<Term, readonly BillingCycle[]>> = {
  P1M: ["monthly"],
  P1Y: ["monthly", "annual"],
  P3Y: ["monthly", "annual", "triennial"],
};

/** `PRODUCT:SKU`, e.g. `CFQ7TTC0LH1G:0001`. */
export type OfferKey = string;
/** `PRODUCT:SKU:AVAILABILITY`, e.g. `CFQ7TTC0LH1G:0001:SIMAV0000004`. */
export type CatalogItemId = string;

/** An ISO 8601 UTC timestamp. */
export type IsoDate = string;

export type Segment = "commercial" | "education" | "government" | "nonprofit";

/** One offer of the catalog (a SKU with its current availability). */
export interface CatalogOffer {
  /** `PRODUCT:SKU`. */
  readonly offer: OfferKey;
  readonly productId: string;
  readonly skuId: string;
  readonly availabilityId: string;
  readonly name: string;
  readonly segment: Segment;
  readonly family: string;
  readonly rank: number;
  /** List price per seat, keyed `TERM/BILLING` (`P1Y/annual`: per year; `…/monthly`: per month). */
  readonly prices: Readonly<Partial<Record<PriceKey, number>>>;
  /** Offers (`PRODUCT:SKU`) this one may be upgraded to (same segment, upward only). */
  readonly upgradesTo: readonly OfferKey[];
  /** Seat bounds of the SKU (Partner Center `minimumQuantity` / `maximumQuantity`). */
  readonly minQuantity: number;
  readonly maxQuantity: number;
  /** Term/billing combinations sold for this offer. */
  readonly terms: readonly { readonly term: Term; readonly billing: BillingCycle }[];
}

export type PriceKey = `${Term}/${BillingCycle}`;

export interface Catalog {
  readonly currency: string;
  readonly offers: readonly CatalogOffer[];
}

export interface Customer {
  /** The customer's tenant id (Partner Center customer id). */
  readonly id: string;
  readonly companyName: string;
  readonly domain: string;
}

/** Partner Center subscription statuses. */
export type SubscriptionStatus =
  | "active"
  | "pending"
  | "suspended"
  | "expired"
  | "disabled"
  | "deleted";

/** A batch of seats that can still be removed until `allowedUntil` (refundableQuantity.details[]). */
export interface SeatLot {
  readonly quantity: number;
  readonly allowedUntil: IsoDate;
}

/** What Microsoft will apply at the next renewal (scheduledNextTermInstructions). */
export interface RenewalInstructions {
  readonly offer: OfferKey;
  readonly term: Term;
  readonly billing: BillingCycle;
  readonly quantity: number;
  readonly customTermEndDate?: IsoDate;
}

/** A live subscription as the backend reports it, in domain terms. */
export interface ObservedSubscription {
  readonly id: string;
  /** Customer tenant id. */
  readonly customerId: string;
  readonly offer: OfferKey;
  readonly catalogItemId: CatalogItemId;
  readonly offerName: string;
  readonly friendlyName: string;
  readonly quantity: number;
  readonly status: SubscriptionStatus;
  readonly autoRenew: boolean;
  readonly term: Term;
  readonly billing: BillingCycle;
  readonly startDate: IsoDate;
  /** Inclusive end of the term (commitmentEndDate); renewal happens the next day 00:00 UTC. */
  readonly endDate: IsoDate;
  /** Last instant a cancellation is accepted; null when not cancellable. */
  readonly cancellationAllowedUntil: IsoDate | null;
  /** Seat batches removable now, each with its own deadline (as reported at read time). */
  readonly refundableLots: readonly SeatLot[];
  readonly scheduledRenewal: RenewalInstructions | null;
  readonly isTrial: boolean;
  /**
   * An explicit cancellation at term end is scheduled (Partner Center `scheduledActions`
   * `TermEnd`/`Cancel`): the subscription ends with its term instead of moving to the extended
   * service term. Absent: none known.
   */
  readonly endsAtTermEnd?: boolean;
  /**
   * The subscription is in Microsoft's extended service term (EST): billed monthly at the EST
   * rate, cancellable any time with a prorated refund, until cancelled. Absent: not in EST.
   */
  readonly extendedServiceTerm?: boolean;
  /** Optimistic-concurrency tag; opaque. */
  readonly etag?: string;
  readonly orderId?: string;
  /**
   * Partner Center's id of the subscription, when the backend's own `id` is another one
   * (CloudCockpit) and it has read it. A YAML `id:` may name either.
   */
  readonly providerSubscriptionId?: string;
}

/**
 * What a backend can do beyond the basics. A missing capability downgrades the plan, it never
 * fails it; the planner reads these and nothing else about the backend. The optional ones
 * default to true (Partner Center and the simulator have them).
 */
export interface BackendCapabilities {
  /** Seats assigned to users (`subscribedskus`); feeds the assigned-seat guard. */
  readonly licenceUsage: boolean;
  /** An explicit "cancel at term end" beside auto-renew off (EST era). */
  readonly cancelAtTermEnd: boolean;
  /** `customTermEndDates` for aligned purchases. */
  readonly customTermEndDates: boolean;
  /** Upgrades through transitions. */
  readonly transitions: boolean;
  /** Seat batches with their own removal deadlines; without, a reduction is judged on `cancellationAllowedUntil` only. */
  readonly seatLots?: boolean;
  /** A seat count for the next term can be scheduled. */
  readonly renewalQuantity?: boolean;
  /** Another offer for the next term can be scheduled. */
  readonly renewalOffer?: boolean;
  /** A longer term or another billing frequency can be set mid-term, effective now (`change-term`); without, the plan blocks it with the backend named. */
  readonly changeTerm?: boolean;
}

// ---------------------------------------------------------------------------------------------
// Desired state (the YAML, normalised)
// ---------------------------------------------------------------------------------------------

/** Where a value came from in the YAML file (1-based line and column). */
export interface SourceLocation {
  readonly file: string;
  readonly line: number;
  readonly column: number;
}

export type ReductionPolicy = "block" | "defer";
export type BusinessSeatCapPolicy = "warn" | "block";

/** What happens to a subscription whose entry left the YAML. */
export type RemovalPolicy = "release" | "cancel";

export interface Policy {
  /** `block` (default): a decrease or cancel outside its window is a blocked step; `defer`: it
   *  becomes a renewal-time change instead. @default "block" */
  readonly reductions: ReductionPolicy;
  /** `warn` (default): more than 300 seats across the Business family is a warning; `block`:
   *  the step that crosses it is blocked. @default "warn" */
  readonly businessSeatCap?: BusinessSeatCapPolicy;
  /** `release` (default): a removed entry's subscription is no longer managed and nothing is
   *  called; `cancel`: it is cancelled inside its window, otherwise ended at term end. @default "release" */
  readonly removed: RemovalPolicy;
}

export interface DesiredRenewal {
  readonly quantity?: number;
  readonly term?: Term;
  readonly billing?: BillingCycle;
  /** `PRODUCT:SKU` (availability stripped). */
  readonly offer?: OfferKey;
}

export interface DesiredUpgrade {
  /** `PRODUCT:SKU`. */
  readonly to: OfferKey;
  /** Partial upgrade: seats to move; default all. */
  readonly quantity?: number;
  /** Subscription key (same customer) to merge into. */
  readonly into?: string;
  readonly acknowledge: "irreversible";
}

export type DesiredStatus = "active" | "cancelled";

export interface DesiredSubscription {
  /** Customer key (YAML map key). */
  readonly customer: string;
  /** Subscription key (YAML map key). */
  readonly key: string;
  /** Adopt this existing subscription. */
  readonly id?: string;
  /** `PRODUCT:SKU`. */
  readonly offer: OfferKey;
  /** The availability id when the YAML gave `PRODUCT:SKU:AVAILABILITY`. */
  readonly availabilityId?: string;
  readonly term: Term;
  readonly billing: BillingCycle;
  readonly quantity: number;
  /** @default true */
  readonly autoRenew: boolean;
  /** @default "active" */
  readonly status: DesiredStatus;
  /** @default the subscription key */
  readonly friendlyName: string;
  /** Purchase only: align the end date to the calendar month or to another subscription (key). */
  readonly alignEndDate?: "calendar-month" | { readonly subscription: string };
  readonly renewal?: DesiredRenewal;
  readonly upgrade?: DesiredUpgrade;
  /** Where the entry starts in the YAML (for messages). */
  readonly source?: SourceLocation;
}

export interface DesiredCustomer {
  readonly key: string;
  readonly tenantId: string;
  readonly name?: string;
  readonly subscriptions: readonly DesiredSubscription[];
  readonly source?: SourceLocation;
}

export interface DesiredState {
  readonly version: 1;
  readonly file: string;
  readonly policy: Policy;
  readonly customers: readonly DesiredCustomer[];
}

/** A problem found in the input, mapped to the YAML node (conventions #7). */
export interface Issue {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  /** Dotted path, e.g. `customers.rockit.subscriptions.apps.quantity`. */
  readonly path: string;
  readonly message: string;
  readonly hint: string;
}

// ---------------------------------------------------------------------------------------------
// The plan (design §4)
// ---------------------------------------------------------------------------------------------

export type Timing = "now" | "at-renewal" | "irreversible" | "blocked";

export type Action =
  | "purchase"
  | "adopt"
  | "increase-quantity"
  | "decrease-quantity"
  | "schedule-renewal"
  | "clear-renewal"
  | "reapply-renewal"
  | "enable-auto-renew"
  | "disable-auto-renew"
  | "cancel"
  | "cancel-at-term-end"
  | "upgrade"
  | "change-term"
  | "rename";

export interface StepCost {
  readonly currency: string;
  /** Change of the yearly cost this step causes (positive: more spent). */
  readonly annualDelta: number;
}

/** One call the plan wants to make (or cannot make). JSON shape of design §4. */
export interface PlanStep {
  readonly customer: string;
  readonly subscription: string;
  /** Null for a purchase (the id is not known yet). */
  readonly subscriptionId: string | null;
  readonly action: Action;
  readonly timing: Timing;
  readonly from: StepValue;
  readonly to: StepValue;
  /** When the change takes effect: `now` for immediate steps, term end + 1 day 00:00 UTC for
   *  renewal-time steps, null for blocked steps. */
  readonly effectiveAt: IsoDate | null;
  /** Rule id that produced the step. */
  readonly rule: string;
  /** Why it is blocked (blocked steps), or a note (others); null when nothing to say. */
  readonly reason: string | null;
  /** The YAML change that would work (blocked steps). */
  readonly hint: string | null;
  readonly cost: StepCost | null;
  /**
   * The last instant the step can run as planned, when that depends on a window: a reduction or
   * cancel now (its refund/cancellation window), a renewal-time change (the term end). Absent or
   * null: no window. An apply after it plans again instead of running the step.
   */
  readonly deadline?: IsoDate | null;
  /** Executor details (the exact call to make; on a blocked step, the call that is refused); not
   *  part of the rendered plan. */
  readonly call?: StepCall;
  /** The YAML edits `hint` spells out (blocked steps); not part of the rendered plan. Tests apply
   *  them to prove every hint works. */
  readonly fix?: readonly YamlEdit[];
}

/**
 * One change to a subscription entry of the YAML. `path` is relative to the entry
 * (`quantity`, `renewal.quantity`, `upgrade.into`, `` for the entry itself); a null `value`
 * removes the key.
 */
export interface YamlEdit {
  readonly path: string;
  readonly value: string | number | boolean | null;
}

/** A value shown in `from`/`to`: quantities, flags, offers, renewal instructions. */
export type StepValue =
  | null
  | number
  | boolean
  | string
  | { readonly [key: string]: string | number | boolean | null };

/** The exact backend operation a step stands for (what `apply/` executes). */
export type StepCall =
  | { readonly kind: "purchase"; readonly request: PurchaseRequest }
  | { readonly kind: "adopt"; readonly subscriptionId: string }
  | { readonly kind: "set-quantity"; readonly quantity: number }
  | { readonly kind: "set-auto-renew"; readonly enabled: boolean }
  | { readonly kind: "schedule-renewal"; readonly instructions: RenewalInstructions }
  | { readonly kind: "clear-renewal" }
  | { readonly kind: "cancel" }
  | { readonly kind: "cancel-at-term-end" }
  | { readonly kind: "rename"; readonly friendlyName: string }
  /** Mid-term: a longer term (starts a new term now) and/or another billing frequency. */
  | { readonly kind: "change-term"; readonly term: Term; readonly billing: BillingCycle }
  | { readonly kind: "transition"; readonly request: TransitionRequest };

export interface PlanSummary {
  readonly now: number;
  readonly atRenewal: number;
  readonly irreversible: number;
  readonly blocked: number;
  readonly unchanged: number;
  readonly unmanaged: number;
  /** Totals of the step costs (design §8). */
  readonly cost: CostSummary;
  /** Entries removed from the YAML since the base file (`plan --base`); 0 without a base. */
  readonly removed?: number;
}

/** What the plan changes in yearly cost: the steps that will run, blocked ones not counted. */
export interface CostSummary {
  readonly currency: string;
  /** Sum of the steps' `cost.annualDelta` (positive: more spent a year). */
  readonly annualDelta: number;
  /** Steps that will run without a price in the catalog (not in `annualDelta`). */
  readonly unpriced: number;
  /** The same per customer key, every customer with a step listed. */
  readonly customers: Readonly<Record<string, { readonly annualDelta: number; readonly unpriced: number }>>;
}

/**
 * An entry of the base YAML (`plan --base`) that the new one no longer has, and what happens to
 * its subscription under `policy.removed`.
 */
export interface RemovedEntry {
  readonly customer: string;
  readonly subscription: string;
  /** The live subscription it stood for; null when none matches any more. */
  readonly subscriptionId: string | null;
  readonly policy: RemovalPolicy;
  /**
   * `released`: no longer managed, nothing is called; `cancel` / `cancel-at-term-end`: the steps
   * listed under the same subscription key; `ended`: already cancelled or expired, nothing to do;
   * `gone`: no live subscription matches it; `kept`: another entry of the new YAML matches the
   * same subscription (a renamed key), so it stays managed; `blocked`: the cancel cannot run.
   */
  readonly outcome: "released" | "cancel" | "cancel-at-term-end" | "ended" | "gone" | "kept" | "blocked";
  /** One sentence for people. */
  readonly note: string;
}

export interface UnmanagedSubscription {
  readonly customer: string;
  readonly subscriptionId: string;
  readonly offer: OfferKey;
  readonly friendlyName: string;
  readonly quantity: number;
  readonly status: SubscriptionStatus;
}

export interface PlanWarning {
  readonly customer: string;
  readonly subscription: string | null;
  readonly code: string;
  readonly message: string;
}

export interface Plan {
  readonly version: 1;
  readonly now: IsoDate;
  readonly backend: string;
  readonly summary: PlanSummary;
  readonly steps: readonly PlanStep[];
  readonly unmanaged: readonly UnmanagedSubscription[];
  /** Entries removed since the base YAML (`plan --base`); absent without a base. */
  readonly removed?: readonly RemovedEntry[];
  readonly warnings: readonly PlanWarning[];
}

// ---------------------------------------------------------------------------------------------
// Backend requests and answers (domain side of the Backend port)
// ---------------------------------------------------------------------------------------------

export interface PurchaseRequest {
  /** `PRODUCT:SKU`; the backend resolves the availability (or uses `availabilityId`). */
  readonly offer: OfferKey;
  readonly availabilityId?: string;
  readonly quantity: number;
  readonly term: Term;
  readonly billing: BillingCycle;
  readonly friendlyName: string;
  /** One of the dates `customTermEndDates` offered. */
  readonly customTermEndDate?: IsoDate;
  /** Same key ⇒ same purchase: a retried or replayed purchase buys once. */
  readonly idempotencyKey: string;
}

export interface TransitionRequest {
  /** Target `PRODUCT:SKU`. */
  readonly to: OfferKey;
  readonly quantity: number;
  /** Merge into this existing subscription of the target offer. */
  readonly toSubscriptionId?: string;
}

export interface TransitionEligibility {
  /** Target `PRODUCT:SKU`. */
  readonly offer: OfferKey;
  readonly isEligible: boolean;
  /** Why not, when not eligible. */
  readonly errors: readonly string[];
  /** Existing subscriptions of the target offer the source may be merged into. */
  readonly into: readonly { readonly subscriptionId: string; readonly isEligible: boolean; readonly errors: readonly string[] }[];
}

export interface TransitionResult {
  readonly source: ObservedSubscription;
  readonly target: ObservedSubscription;
}

export interface CustomTermEndDate {
  readonly kind: "calendar-month" | "subscription";
  readonly date: IsoDate;
  readonly cotermSubscriptionIds: readonly string[];
}

/** Seats assigned to users in the tenant, keyed by `PRODUCT:SKU`. */
export type LicenceUsage = Readonly<Record<OfferKey, number>>;
