import { BackendError } from "../domain/errors";
import { endOfTermFromWire } from "./est";
import type {
  BillingCycle,
  CatalogItemId,
  Customer,
  CustomTermEndDate,
  IsoDate,
  ObservedSubscription,
  OfferKey,
  RenewalInstructions,
  SeatLot,
  SubscriptionStatus,
  Term,
  TransitionEligibility,
} from "../domain/types";

/**
 * Partner Center JSON shapes (`/v1/...`) as the commerce simulator serves them and the REST
 * backend parses them, plus the one mapping between them and the domain types. Field names are
 * Partner Center's (reference/partner-center.md §2–§3); optional fields are the ones real
 * responses may omit. Reads are tolerant (enum casing, date precision), writes use the spelling
 * of Microsoft's examples (lower-case enums, `Z` dates).
 *
 * Pure: no I/O, no clock.
 */

// ---------------------------------------------------------------------------------------------
// Common resource plumbing
// ---------------------------------------------------------------------------------------------

export interface WireAttributes {
  readonly objectType: string;
  /** Optimistic-concurrency tag; send it back unchanged in a PATCH (stale → 400/2055). */
  readonly etag?: string;
}

export interface WireLink {
  readonly uri: string;
  readonly method: string;
  readonly headers: readonly { readonly key: string; readonly value: string }[];
}

export interface WireLinks {
  readonly self?: WireLink;
  readonly next?: WireLink;
  readonly previous?: WireLink;
  readonly [name: string]: WireLink | undefined;
}

/** `{ totalCount, items, links, attributes: {objectType: "Collection"} }`. */
export interface WireCollection<T> {
  readonly totalCount: number;
  readonly items: readonly T[];
  readonly links?: WireLinks;
  readonly attributes: WireAttributes;
}

/** Error body of every failed Partner Center call. */
export interface ApiFault {
  readonly code: string;
  readonly description: string;
  readonly data?: readonly unknown[];
  readonly source?: string;
}

/** Partner Center's own continuation header for collection paging. */
export const CONTINUATION_HEADER = "MS-ContinuationToken";

// ---------------------------------------------------------------------------------------------
// Customers
// ---------------------------------------------------------------------------------------------

export interface WireCompanyProfile {
  readonly tenantId: string;
  readonly domain: string;
  readonly companyName: string;
  readonly attributes: WireAttributes;
}

export interface WireCustomer {
  readonly id: string;
  readonly companyProfile: WireCompanyProfile;
  readonly relationshipToPartner?: string;
  readonly links?: WireLinks;
  readonly attributes: WireAttributes;
}

// ---------------------------------------------------------------------------------------------
// Subscriptions
// ---------------------------------------------------------------------------------------------

/** `ProductTerm`: what a scheduled change or a transition targets. */
export interface WireProductTerm {
  readonly productId: string;
  readonly skuId: string;
  readonly availabilityId: string;
  readonly billingCycle: string;
  readonly termDuration: string;
  readonly promotionId?: string | null;
}

export interface WireScheduledNextTermInstructions {
  readonly product: WireProductTerm;
  readonly quantity: number;
  /** Optional; absent keeps the natural end date of the next term. */
  readonly customTermEndDate?: string | null;
}

export interface WireRefundableQuantity {
  /** Seats removable now (the sum of `details`). */
  readonly totalQuantity: number;
  /** One entry per batch of seats (purchase, renewal, mid-term add) with its own deadline. */
  readonly details: readonly { readonly quantity: number; readonly allowedUntilDateTime: string }[];
}

export interface WireSubscription {
  readonly id: string;
  /** NCE: `PRODUCT:SKU:AVAILABILITY`. */
  readonly offerId: string;
  readonly offerName: string;
  readonly friendlyName: string;
  readonly quantity: number;
  readonly unitType?: string;
  readonly status: string;
  readonly autoRenewEnabled: boolean;
  readonly termDuration: string;
  readonly billingCycle: string;
  readonly billingType?: string;
  readonly creationDate?: string;
  readonly effectiveStartDate: string;
  /** Inclusive: the term ends at the end of this day (UTC). */
  readonly commitmentEndDate: string;
  /** Last instant a cancellation is accepted; null when not cancellable. */
  readonly cancellationAllowedUntilDate?: string | null;
  readonly refundableQuantity?: WireRefundableQuantity;
  readonly scheduledNextTermInstructions?: WireScheduledNextTermInstructions | null;
  readonly isTrial?: boolean;
  /** End-of-term actions (EST era); read and written only through `./est.ts`. */
  readonly scheduledActions?: readonly WireScheduledAction[] | null;
  /** Simulator extension: the subscription is in the extended service term (see `./est.ts`). */
  readonly extendedServiceTerm?: boolean;
  readonly orderId?: string;
  readonly productType?: { readonly id: string; readonly displayName: string };
  readonly contractType?: string;
  readonly links?: WireLinks;
  readonly attributes?: WireAttributes;
}

/**
 * One end-of-term action (`scheduledActions[]`), as third-party client code of 2026 spells it
 * (pliancy/microsoft-partnercenter-node): cancel at term end is `{scheduleType: "TermEnd",
 * actionType: "Cancel"}`. No Microsoft developer page confirms the shape (confidence low).
 */
export interface WireScheduledAction {
  readonly scheduleType: string;
  readonly actionType: string;
  readonly effectiveDate?: string;
}

/** The `productType` Partner Center reports for licence-based new-commerce subscriptions. */
export const NCE_PRODUCT_TYPE = { id: "OnlineServicesNCE", displayName: "OnlineServicesNCE" } as const;

// ---------------------------------------------------------------------------------------------
// Carts, orders
// ---------------------------------------------------------------------------------------------

export interface WireCartLineItem {
  readonly id: number;
  readonly catalogItemId: string;
  readonly friendlyName?: string;
  readonly quantity: number;
  readonly billingCycle: string;
  readonly termDuration: string;
  readonly currencyCode?: string;
  readonly customTermEndDate?: string | null;
  readonly provisioningContext?: Readonly<Record<string, string>>;
  readonly error?: { readonly errorCode: string; readonly errorDescription: string } | null;
}

export interface WireCart {
  readonly id: string;
  readonly creationTimestamp: string;
  readonly lastModifiedTimestamp: string;
  readonly expirationTimestamp: string;
  /** `Active` (can be checked out) or `Ordered`. */
  readonly status: string;
  readonly lineItems: readonly WireCartLineItem[];
  readonly attributes: WireAttributes;
}

export interface WireOrderLineItem {
  readonly lineItemNumber: number;
  readonly offerId: string;
  /** Absent while the order is `pending` and the line is not provisioned yet (reference-2026 §3). */
  readonly subscriptionId?: string;
  readonly termDuration: string;
  readonly transactionType: string;
  readonly friendlyName: string;
  readonly quantity: number;
  readonly customTermEndDate?: string;
}

export interface WireOrder {
  readonly id: string;
  readonly referenceCustomerId: string;
  readonly billingCycle: string;
  readonly currencyCode: string;
  readonly lineItems: readonly WireOrderLineItem[];
  readonly creationDate: string;
  readonly status: string;
  readonly attributes: WireAttributes;
}

/** `GET …/orders/{id}/provisioningstatus`: one item per order line. */
export interface WireOrderLineProvisioning {
  readonly lineItemNumber: number;
  /** `fulfilled`, `Unfulfilled`, `PrefulfillmentPending` (casing varies). */
  readonly status: string;
  readonly quantityProvisioningInformation?: readonly unknown[];
}

export interface WireCartCheckoutResult {
  readonly orders: readonly WireOrder[];
  readonly orderErrors: readonly { readonly orderGroupId: string; readonly code: string; readonly description: string }[];
  readonly attributes?: WireAttributes;
}

// ---------------------------------------------------------------------------------------------
// Transitions (upgrades), custom term end dates, licence usage
// ---------------------------------------------------------------------------------------------

export interface WireEligibilityError {
  readonly code: number;
  readonly description: string;
}

export interface WireSubscriptionEligibility {
  readonly isEligible: boolean;
  readonly subscriptionId: string;
  readonly subscriptionFriendlyName: string;
  readonly subscriptionTermDuration: string;
  readonly subscriptionBillingCycle: string;
  readonly errors: readonly WireEligibilityError[];
}

export interface WireTransitionEligibility {
  readonly catalogItemId: string;
  readonly title: string;
  readonly description?: string;
  readonly quantity: number;
  readonly eligibilities: readonly {
    readonly isEligible: boolean;
    readonly transitionType: string;
    readonly errors: readonly WireEligibilityError[];
  }[];
  readonly subscriptionEligibilities?: readonly WireSubscriptionEligibility[];
  readonly attributes: WireAttributes;
}

export interface WireTransitionEvent {
  readonly name: string;
  readonly status: string;
  readonly timestamp: string;
  readonly errors?: readonly WireEligibilityError[];
}

export interface WireTransition {
  readonly operationId?: string;
  readonly fromCatalogItemId?: string;
  readonly fromSubscriptionId?: string;
  readonly toCatalogItemId: string;
  readonly toSubscriptionId?: string;
  readonly quantity: number;
  readonly termDuration?: string;
  readonly billingCycle?: string;
  readonly transitionType: string;
  readonly promotionId?: string | null;
  readonly status?: string;
  readonly events?: readonly WireTransitionEvent[];
  readonly attributes?: WireAttributes;
}

export interface WireCustomTermEndDate {
  /** `calendarMonthAligned` | `subscriptionAligned`. */
  readonly allowedCustomTermEndDateType: string;
  readonly allowedCustomTermEndDate: string;
  readonly cotermSubscriptionIds?: readonly string[];
}

export interface WireSubscribedSku {
  readonly availableUnits: number;
  readonly activeUnits: number;
  readonly consumedUnits: number;
  readonly suspendedUnits: number;
  readonly totalUnits: number;
  readonly warningUnits: number;
  /**
   * Real Partner Center puts the Entra/Graph SKU GUID in `id` (mapping to the NCE catalog is
   * unconfirmed); the simulator puts the catalog `PRODUCT:SKU` there.
   */
  readonly productSku: {
    readonly id: string;
    readonly name: string;
    readonly skuPartNumber?: string;
    readonly targetType?: string;
  };
  readonly capabilityStatus: string;
  readonly attributes: WireAttributes;
}

// ---------------------------------------------------------------------------------------------
// Catalog (`/v1/products…`)
// ---------------------------------------------------------------------------------------------

export interface WireProduct {
  readonly id: string;
  readonly title: string;
  readonly description: string;
  readonly productType: { readonly id: string; readonly displayName: string };
  readonly attributes: WireAttributes;
}

export interface WireSku {
  readonly id: string;
  readonly productId: string;
  readonly title: string;
  readonly description: string;
  readonly minimumQuantity: number;
  readonly maximumQuantity: number;
  readonly isTrial: boolean;
  readonly supportedBillingCycles: readonly string[];
  /**
   * Partner Center: may change without notice. `provisioningId` is the licence's Graph/Entra SKU
   * id (what `subscribedskus` reports as `productSku.id`), `provisioningString` its part number.
   */
  readonly dynamicAttributes?: {
    readonly provisioningId?: string;
    readonly provisioningString?: string;
    readonly upgradeTargetOffers?: readonly string[];
    readonly [key: string]: unknown;
  };
  readonly attributes: WireAttributes;
}

export interface WireAvailability {
  readonly id: string;
  readonly productId: string;
  readonly skuId: string;
  readonly catalogItemId: string;
  readonly defaultCurrency: { readonly code: string; readonly symbol: string };
  readonly segment: string;
  readonly country: string;
  readonly isPurchasable: boolean;
  readonly isRenewable: boolean;
  readonly terms: readonly { readonly id: string; readonly duration: string; readonly description: string; readonly billingCycle: string }[];
  readonly attributes: WireAttributes;
}

// ---------------------------------------------------------------------------------------------
// Value parsing (case-tolerant, as the .NET SDK's enum converter)
// ---------------------------------------------------------------------------------------------

/** Compare enum spellings the way Partner Center's converter does: case and `_` ignored. */
function enumKey(value: unknown): string {
  return typeof value === "string" ? value.replace(/_/g, "").toLowerCase() : "";
}

const TERM_BY_KEY: Readonly<Record<string, Term>> = { p1m: "P1M", p1y: "P1Y", p3y: "P3Y" };
const BILLING_BY_KEY: Readonly<Record<string, BillingCycle>> = { monthly: "monthly", annual: "annual", triennial: "triennial" };
const STATUS_BY_KEY: Readonly<Record<string, SubscriptionStatus>> = {
  active: "active",
  pending: "pending",
  suspended: "suspended",
  expired: "expired",
  disabled: "disabled",
  deleted: "deleted",
};

function invalid(what: string, value: unknown, context: string): BackendError {
  return new BackendError(
    `Partner Center returned ${what} ${JSON.stringify(value)} for ${context}, which seatplan does not understand; ` +
      "only licence-based new-commerce subscriptions (P1M/P1Y/P3Y, monthly/annual/triennial) are supported",
    502,
    "InvalidResponse",
  );
}

export function parseTerm(value: unknown, context = "a subscription"): Term {
  const term = TERM_BY_KEY[enumKey(value)];
  if (!term) throw invalid("termDuration", value, context);
  return term;
}

export function parseBillingCycle(value: unknown, context = "a subscription"): BillingCycle {
  const billing = BILLING_BY_KEY[enumKey(value)];
  if (!billing) throw invalid("billingCycle", value, context);
  return billing;
}

export function parseStatus(value: unknown, context = "a subscription"): SubscriptionStatus {
  const status = STATUS_BY_KEY[enumKey(value)];
  if (!status) throw invalid("status", value, context);
  return status;
}

/**
 * A Partner Center date as a domain date (`2026-11-23T10:00:00.000Z`). Accepts 7 fraction
 * digits and dates without zone (`customTermEndDates` omits the `Z`; all Partner Center dates
 * are UTC).
 */
export function parseWireDate(value: unknown, context = "a subscription"): IsoDate {
  if (typeof value !== "string") throw invalid("date", value, context);
  const withZone = /(Z|[+-]\d\d:?\d\d)$/i.test(value) ? value : `${value}Z`;
  // Date.parse handles at most millisecond precision: trim longer fractions first.
  const ms = Date.parse(withZone.replace(/(\.\d{3})\d+/, "$1"));
  if (Number.isNaN(ms)) throw invalid("date", value, context);
  return new Date(ms).toISOString();
}

/** Format a date the way Partner Center's examples do (`2026-11-23T10:00:00Z`; ms kept when set). */
export function formatWireDate(ms: number): string {
  return new Date(ms).toISOString().replace(".000Z", "Z");
}

/** `PRODUCT:SKU:AVAILABILITY` → parts; `PRODUCT:SKU` has no availability. */
export function splitCatalogItemId(id: string): { productId: string; skuId: string; availabilityId: string | null } | null {
  const parts = id.split(":");
  if ((parts.length !== 2 && parts.length !== 3) || parts.some((p) => p === "")) return null;
  return { productId: parts[0] ?? "", skuId: parts[1] ?? "", availabilityId: parts[2] ?? null };
}

/** The `PRODUCT:SKU` an offer id or catalog item id stands for (offers compare on it). */
export function offerKeyOf(catalogItemId: string): OfferKey {
  const parts = splitCatalogItemId(catalogItemId);
  return parts ? `${parts.productId}:${parts.skuId}` : catalogItemId;
}

/** True for licence-based new-commerce subscriptions (the only kind seatplan manages). */
export function isNceLicenceSubscription(json: Pick<WireSubscription, "offerId" | "productType">): boolean {
  if (json.productType && enumKey(json.productType.id) !== enumKey(NCE_PRODUCT_TYPE.id)) return false;
  return splitCatalogItemId(json.offerId)?.availabilityId != null;
}

// ---------------------------------------------------------------------------------------------
// Wire → domain
// ---------------------------------------------------------------------------------------------

function field<T>(json: Record<string, unknown>, name: string, check: (v: unknown) => v is T, context: string): T {
  const value = json[name];
  if (!check(value)) throw invalid(name, value, context);
  return value;
}
const isString = (v: unknown): v is string => typeof v === "string";
const isNonNegativeInt = (v: unknown): v is number => Number.isInteger(v) && (v as number) >= 0;
const isBoolean = (v: unknown): v is boolean => typeof v === "boolean";

export function renewalInstructionsFromWire(json: WireScheduledNextTermInstructions, context = "a subscription"): RenewalInstructions {
  const product = json.product;
  const instructions: RenewalInstructions = {
    offer: `${product.productId}:${product.skuId}`,
    term: parseTerm(product.termDuration, context),
    billing: parseBillingCycle(product.billingCycle, context),
    quantity: json.quantity,
  };
  return json.customTermEndDate
    ? { ...instructions, customTermEndDate: parseWireDate(json.customTermEndDate, context) }
    : instructions;
}

export function renewalInstructionsToWire(instructions: RenewalInstructions, availabilityId: string): WireScheduledNextTermInstructions {
  const [productId = "", skuId = ""] = instructions.offer.split(":");
  const product: WireProductTerm = {
    productId,
    skuId,
    availabilityId,
    billingCycle: instructions.billing,
    termDuration: instructions.term,
  };
  return instructions.customTermEndDate === undefined
    ? { product, quantity: instructions.quantity }
    : { product, quantity: instructions.quantity, customTermEndDate: formatWireDate(Date.parse(instructions.customTermEndDate)) };
}

/**
 * A Partner Center subscription in domain terms. Throws a `BackendError` (502, `InvalidResponse`)
 * naming the field when the JSON is not a licence-based NCE subscription seatplan understands.
 */
export function subscriptionFromWire(json: WireSubscription, customerId: string): ObservedSubscription {
  const raw = json as unknown as Record<string, unknown>;
  const id = field(raw, "id", isString, "a subscription");
  const context = `subscription ${id}`;
  const offerId = field(raw, "offerId", isString, context);
  const refundable = json.refundableQuantity?.details ?? [];
  const lots: SeatLot[] = refundable
    .filter((d) => d.quantity > 0)
    .map((d) => ({ quantity: d.quantity, allowedUntil: parseWireDate(d.allowedUntilDateTime, context) }))
    .sort((a, b) => a.allowedUntil.localeCompare(b.allowedUntil));
  const observed: ObservedSubscription = {
    id,
    customerId,
    offer: offerKeyOf(offerId),
    catalogItemId: offerId as CatalogItemId,
    offerName: typeof json.offerName === "string" ? json.offerName : "",
    friendlyName: typeof json.friendlyName === "string" ? json.friendlyName : "",
    quantity: field(raw, "quantity", isNonNegativeInt, context),
    status: parseStatus(json.status, context),
    autoRenew: field(raw, "autoRenewEnabled", isBoolean, context),
    term: parseTerm(json.termDuration, context),
    billing: parseBillingCycle(json.billingCycle, context),
    startDate: parseWireDate(json.effectiveStartDate, context),
    endDate: parseWireDate(json.commitmentEndDate, context),
    cancellationAllowedUntil: json.cancellationAllowedUntilDate ? parseWireDate(json.cancellationAllowedUntilDate, context) : null,
    refundableLots: lots,
    scheduledRenewal: json.scheduledNextTermInstructions
      ? renewalInstructionsFromWire(json.scheduledNextTermInstructions, context)
      : null,
    isTrial: json.isTrial === true,
    ...endOfTermFromWire(json),
  };
  return {
    ...observed,
    ...(json.attributes?.etag !== undefined ? { etag: json.attributes.etag } : {}),
    ...(json.orderId !== undefined ? { orderId: json.orderId } : {}),
  };
}

export function customerFromWire(json: WireCustomer): Customer {
  return {
    id: json.id,
    companyName: json.companyProfile?.companyName ?? "",
    domain: json.companyProfile?.domain ?? "",
  };
}

export function transitionEligibilityFromWire(json: WireTransitionEligibility): TransitionEligibility {
  const eligibilities = json.eligibilities ?? [];
  return {
    offer: offerKeyOf(json.catalogItemId),
    isEligible: eligibilities.some((e) => e.isEligible),
    errors: eligibilities.every((e) => !e.isEligible) ? eligibilities.flatMap((e) => e.errors.map((x) => x.description)) : [],
    into: (json.subscriptionEligibilities ?? []).map((s) => ({
      subscriptionId: s.subscriptionId,
      isEligible: s.isEligible,
      errors: s.errors.map((x) => x.description),
    })),
  };
}

export function customTermEndDateFromWire(json: WireCustomTermEndDate): CustomTermEndDate {
  return {
    kind: enumKey(json.allowedCustomTermEndDateType) === "calendarmonthaligned" ? "calendar-month" : "subscription",
    date: parseWireDate(json.allowedCustomTermEndDate, "a custom term end date"),
    cotermSubscriptionIds: [...(json.cotermSubscriptionIds ?? [])],
  };
}

/** The `{code, description}` of an error body, or null when the body is not one. */
export function apiFaultFrom(body: unknown): ApiFault | null {
  if (typeof body !== "object" || body === null) return null;
  const b = body as Record<string, unknown>;
  const code = b["code"] ?? b["statusCode"];
  const description = b["description"] ?? b["message"];
  if ((typeof code !== "string" && typeof code !== "number") || typeof description !== "string") return null;
  return { code: String(code), description };
}

// ---------------------------------------------------------------------------------------------
// Domain → wire (requests)
// ---------------------------------------------------------------------------------------------

/** A cart line for one purchase; `catalogItemId` is the resolved `PRODUCT:SKU:AVAILABILITY`. */
export function cartLineItemFor(
  request: { readonly quantity: number; readonly term: Term; readonly billing: BillingCycle; readonly friendlyName: string; readonly customTermEndDate?: IsoDate },
  catalogItemId: CatalogItemId,
  id = 0,
): WireCartLineItem {
  const line: WireCartLineItem = {
    id,
    catalogItemId,
    friendlyName: request.friendlyName,
    quantity: request.quantity,
    billingCycle: request.billing,
    termDuration: request.term,
  };
  return request.customTermEndDate === undefined
    ? line
    : { ...line, customTermEndDate: formatWireDate(Date.parse(request.customTermEndDate)) };
}

/** The body of `POST …/transitions`. */
export function transitionRequestToWire(
  request: { readonly quantity: number; readonly toSubscriptionId?: string },
  toCatalogItemId: CatalogItemId,
): WireTransition {
  const body: WireTransition = { toCatalogItemId, quantity: request.quantity, transitionType: "transition_only" };
  return request.toSubscriptionId === undefined ? body : { ...body, toSubscriptionId: request.toSubscriptionId };
}
