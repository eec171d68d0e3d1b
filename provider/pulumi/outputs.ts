import type {
  BillingCycle,
  IsoDate,
  ObservedSubscription,
  SubscriptionStatus,
  Term,
} from "../domain/types";

/**
 * The outputs of a `Subscription` resource: the live subscription as last read, in Partner
 * Center's words where it has them. Every value is JSON (no `undefined`: the engine's protobuf
 * Struct refuses it), and the set is what `diff` needs to plan without calling the backend.
 * The etag is left out on purpose: it changes on every write and would show as drift.
 */
export interface SubscriptionOutputs {
  readonly subscriptionId: string;
  /** Customer key of the YAML. */
  readonly customerKey: string;
  /** Subscription key of the YAML (the resource is named `<customerKey>/<subscriptionKey>`). */
  readonly subscriptionKey: string;
  readonly customerTenantId: string;
  /** `PRODUCT:SKU`. */
  readonly offer: string;
  /** `PRODUCT:SKU:AVAILABILITY` as bought. */
  readonly catalogItemId: string;
  readonly offerName: string;
  readonly friendlyName: string;
  readonly quantity: number;
  readonly status: SubscriptionStatus;
  readonly autoRenew: boolean;
  readonly term: Term;
  readonly billing: BillingCycle;
  readonly startDate: IsoDate;
  /** Inclusive last day of the term (`commitmentEndDate`). */
  readonly endDate: IsoDate;
  /** Last instant a cancellation is accepted; null when Partner Center reports none. */
  readonly cancellationAllowedUntilDate: IsoDate | null;
  /** Seats removable now, each batch with its deadline (`refundableQuantity`). */
  readonly refundableQuantity: {
    readonly totalQuantity: number;
    readonly details: readonly { readonly quantity: number; readonly allowedUntilDateTime: IsoDate }[];
  };
  /** What the next renewal applies (`scheduledNextTermInstructions`); null: renews as it is. */
  readonly scheduledRenewal: {
    readonly offer: string;
    readonly term: Term;
    readonly billing: BillingCycle;
    readonly quantity: number;
    readonly customTermEndDate: IsoDate | null;
  } | null;
  readonly isTrial: boolean;
  readonly orderId: string | null;
  /** The seatplan version that wrote these outputs (compared by `diff`). */
  readonly providerVersion: string;
  /** `policy.removed` when last written (delete's fallback when `desiredFile` cannot be read). */
  readonly removed: "release" | "cancel";
  /** The YAML file the program read, relative to the Pulumi project; null when unknown. */
  readonly desiredFile: string | null;
}

/** What the outputs say besides the subscription itself. */
export interface OutputContext {
  readonly customerKey: string;
  readonly subscriptionKey: string;
  readonly providerVersion: string;
  readonly removed?: "release" | "cancel";
  readonly desiredFile?: string | null;
}

export function outputsOf(s: ObservedSubscription, context: OutputContext): SubscriptionOutputs {
  const r = s.scheduledRenewal;
  return {
    subscriptionId: s.id,
    customerKey: context.customerKey,
    subscriptionKey: context.subscriptionKey,
    customerTenantId: s.customerId,
    offer: s.offer,
    catalogItemId: s.catalogItemId,
    offerName: s.offerName,
    friendlyName: s.friendlyName,
    quantity: s.quantity,
    status: s.status,
    autoRenew: s.autoRenew,
    term: s.term,
    billing: s.billing,
    startDate: s.startDate,
    endDate: s.endDate,
    cancellationAllowedUntilDate: s.cancellationAllowedUntil,
    refundableQuantity: {
      totalQuantity: s.refundableLots.reduce((sum, lot) => sum + lot.quantity, 0),
      details: s.refundableLots.map((lot) => ({ quantity: lot.quantity, allowedUntilDateTime: lot.allowedUntil })),
    },
    scheduledRenewal:
      r === null ? null : { offer: r.offer, term: r.term, billing: r.billing, quantity: r.quantity, customTermEndDate: r.customTermEndDate ?? null },
    isTrial: s.isTrial,
    orderId: s.orderId ?? null,
    providerVersion: context.providerVersion,
    removed: context.removed ?? "release",
    desiredFile: context.desiredFile ?? null,
  };
}

/** The subscription stored outputs describe, for planning without a backend call. */
export function observedOf(o: SubscriptionOutputs): ObservedSubscription {
  const r = o.scheduledRenewal;
  return {
    id: o.subscriptionId,
    customerId: o.customerTenantId,
    offer: o.offer,
    catalogItemId: o.catalogItemId,
    offerName: o.offerName,
    friendlyName: o.friendlyName,
    quantity: o.quantity,
    status: o.status,
    autoRenew: o.autoRenew,
    term: o.term,
    billing: o.billing,
    startDate: o.startDate,
    endDate: o.endDate,
    cancellationAllowedUntil: o.cancellationAllowedUntilDate,
    refundableLots: o.refundableQuantity.details.map((d) => ({ quantity: d.quantity, allowedUntil: d.allowedUntilDateTime })),
    scheduledRenewal:
      r === null
        ? null
        : { offer: r.offer, term: r.term, billing: r.billing, quantity: r.quantity, ...(r.customTermEndDate === null ? {} : { customTermEndDate: r.customTermEndDate }) },
    isTrial: o.isTrial,
    ...(o.orderId === null ? {} : { orderId: o.orderId }),
  };
}
