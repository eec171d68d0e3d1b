/**
 * The error body Partner Center sends (reference/partner-center-2026.md §1, error-codes page):
 * `{"code": 800090, "description": …, "data": [], "source": "PartnerFD"}`. Microsoft's codes
 * are numbers; the simulator's named codes (where Microsoft's is unknown) stay strings.
 */
export interface SimFaultBody {
  readonly code: number | string;
  readonly description: string;
  readonly data: readonly unknown[];
  readonly source: string;
}

/** `code` as Partner Center sends it: a number when it is one of Microsoft's numeric codes. */
export function faultBody(code: string, description: string): SimFaultBody {
  return { code: /^\d+$/.test(code) ? Number(code) : code, description, data: [], source: "PartnerFD" };
}

/**
 * A refusal of the simulated Partner Center: HTTP status plus the {@link SimFaultBody}.
 * Descriptions say what to do instead, because the embedded backend turns them into the
 * messages users read.
 */
export class SimError extends Error {
  override readonly name = "SimError";
  constructor(
    readonly status: number,
    readonly code: string,
    readonly description: string,
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(`${status} ${code}: ${description}`);
  }

  get body(): SimFaultBody {
    return faultBody(this.code, this.description);
  }
}

/**
 * Error codes the simulator answers with. Numeric codes are Partner Center's
 * (reference/partner-center.md §5.2); named codes stand where Partner Center's code is unknown.
 */
export const CODES = {
  /** 400: quantity outside the SKU's minimum/maximum. */
  quantityOutOfRange: "2002",
  /** 400: any change to a deleted (cancelled) subscription. */
  deleted: "2011",
  /** 400: the `attributes.etag` (or `If-Match`) sent is not the current one. */
  staleEtag: "2055",
  /** 404: no such order. */
  orderNotFound: "20000",
  /** 403: the customer is not one of the partner's. */
  noRelationship: "20002",
  /** 404: no such subscription. */
  subscriptionNotFound: "20003",
  /** 400: malformed request. */
  invalidInput: "800002",
  /** 400: seats removed outside their 7-day (cancellationWindowHours) window. */
  lateDecrease: "800090",
  /** 409: the subscription has a change that is still being applied (`--async-ms`). */
  notReady: "800082",
  /** 409: the subscription has an upgrade that is still running (`--async-ms`). */
  upgradeInProgress: "900109",
  /** 400: status change other than cancelling. */
  statusChange: "800096",
  /** 400: term or billing frequency changed mid-term. */
  billingChange: "800097",
  /** 400: cancel after the cancellation window. */
  lateCancel: "900117",
  /** 400: catalog item unknown or its availability is not the current one. */
  invalidCatalogItem: "10001",
  /** 400: term/billing combination not sold for the offer. */
  billingPlanNotSupported: "10013",
  /** 400: a custom term end date that `customTermEndDates` does not offer. */
  invalidCustomTermEndDate: "10017",
  /** 400: scheduled next-term change while auto-renew is off. */
  autoRenewRequired: "AutoRenewRequired",
  /** 400: change to an expired (or otherwise inactive, not deleted) subscription. */
  notActive: "SubscriptionNotActive",
  /** 400: target offer is not an upgrade of the subscription's offer. */
  notEligible: "TransitionNotEligible",
  /** 400: the subscription to transition into cannot take the seats. */
  targetNotEligible: "TargetSubscriptionNotEligible",
  /** 404: no such cart. */
  cartNotFound: "CartNotFound",
  /** 400: the cart is older than 7 days. */
  cartExpired: "CartExpired",
  /** 401: missing or unknown bearer token. */
  unauthorized: "Unauthorized",
  /** 429: more requests than the per-customer rate limit. */
  tooManyRequests: "TooManyRequests",
  /** 400: `MS-RequestId` reused for a different operation. */
  requestIdReused: "RequestIdReused",
  /** 400: trials cannot change their licence count, status or term ("Trial terms can't be changed"). */
  trialLocked: "800107",
  /** 400: a change other than cancelling to a subscription in the extended service term (undocumented; refused). */
  extendedServiceTerm: "ExtendedServiceTerm",
  /** 403: more seats than the product SKU's pooled maximum on the customer tenant. */
  seatCap: "800088",
  /** 404: no such route. */
  notFound: "NotFound",
} as const;
