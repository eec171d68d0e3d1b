import type { BillingCycle, Segment, SubscriptionStatus, Term } from "../domain/types";

/**
 * CloudCockpit's JSON shapes (reference: cloudcockpit.md), as far as the public docs show them.
 * Enums travel as `{"name": "<Value>"}`; lists come in a paged envelope. What the docs do not
 * show is decided in `./assumptions.ts`, not here.
 */

export interface CcEnum<T extends string = string> {
  readonly name: T;
}

export type CcTermName = "NoTerm" | "OneMonth" | "OneYear" | "ThreeYears" | "FiveYears";
export type CcBillingName = "OneTime" | "Monthly" | "Annual" | "Triennial" | "None";

/** The paged envelope of every list. */
export interface CcPage<T> {
  readonly items: readonly T[];
  readonly paginationParameters: { readonly pageNumber: number; readonly pageSize: number };
  readonly totalPages: number;
  readonly totalCount: number;
  readonly hasPreviousPage: boolean;
  readonly hasNextPage: boolean;
  readonly continuationToken: string | null;
}

/** Error body on 400, 404, 409 and 500. */
export interface CcErrorBody {
  readonly statusCode: number;
  readonly type: string | null;
  readonly description: string | null;
  readonly correlationId: string | null;
  readonly errors: readonly { readonly propertyName: string | null; readonly description: readonly string[] }[] | null;
}

export interface CcCustomer {
  readonly id: string;
  readonly companyName: string;
  readonly domain?: string | null;
  /** The Partner Center customer (tenant) id. */
  readonly providerCustomerId?: string | null;
  readonly internalIdentifier?: string | null;
}

export interface CcAutoRenewSettings {
  readonly term: CcEnum<CcTermName>;
  readonly billingFrequency: CcEnum<CcBillingName>;
  readonly customTermEndDate?: string | null;
}

/** A list item of `GET /v1/customers/{c}/subscriptions`. */
export interface CcSubscriptionItem {
  readonly id: string;
  readonly orderId?: string | null;
  readonly offerId?: string | null;
  readonly customerId: string;
  readonly providerInstanceId?: string | null;
  readonly resellerId?: string | null;
  readonly subscriptionName?: string | null;
  readonly offerName?: string | null;
  readonly offerType?: CcEnum | null;
  readonly isAddonOffer?: boolean;
  readonly isTrialOffer?: boolean;
  readonly providerOfferId?: string | null;
  readonly subscriptionStatus: CcEnum;
  readonly startDate: string;
  readonly endDate: string;
  readonly cancellationAllowedUntil?: string | null;
  readonly quantity: number;
  readonly assignedLicenses?: number | null;
  readonly billingFrequency: CcEnum<CcBillingName>;
  readonly billingType?: CcEnum | null;
  readonly termDuration: CcEnum<CcTermName>;
  readonly segment?: CcEnum | null;
  /** Not in the visible part of the documented list item: see assumptions.ts. */
  readonly autoRenewEnabled?: boolean;
  readonly autoRenewal?: boolean;
  readonly autoRenewSettings?: CcAutoRenewSettings | null;
  /** Not seen in list items (reference): the detail view has it. */
  readonly providerSubscriptionId?: string | null;
}

/** `GET /v1/customers/{c}/subscriptions/{s}`. */
export interface CcSubscriptionDetail {
  readonly id: string;
  readonly customerId: string;
  readonly providerInstanceId: string;
  readonly resellerId?: string | null;
  readonly name: string | null;
  readonly providerSubscriptionId: string | null;
  readonly status: CcEnum;
  readonly startDate: string;
  readonly endDate: string;
  readonly cancellationAllowedUntil: string | null;
  readonly quantity: number;
  readonly termDuration: CcEnum<CcTermName>;
  readonly billingFrequency: CcEnum<CcBillingName>;
  readonly nextBillingFrequency: { readonly scheduledDate: string | null; readonly billingFrequency: CcEnum<CcBillingName> } | null;
  readonly segment: CcEnum;
  readonly autoRenewEnabled: boolean;
  readonly autoRenewSettings: CcAutoRenewSettings | null;
  readonly offer: CcOffer | null;
  readonly orderId?: string | null;
  readonly isTrialOffer?: boolean;
  readonly providerOfferId?: string | null;
}

/** The body of `PATCH /v1/customers/{c}/subscriptions/{s}`: the full model. */
export interface CcSubscriptionPatch {
  readonly name: string;
  readonly quantity: number;
  readonly nextBillingFrequency: CcEnum<CcBillingName>;
  readonly autoRenewEnabled: boolean;
  readonly autoRenewSettings: CcAutoRenewSettings;
}

export interface CcOfferPrice {
  readonly termDuration: CcEnum<CcTermName>;
  readonly segment: CcEnum;
  readonly billingFrequencies: readonly CcEnum<CcBillingName>[];
  readonly costPrice: { readonly value: number; readonly currency: CcEnum } | null;
}

export interface CcOffer {
  readonly id: string;
  readonly name: string;
  readonly description?: string | null;
  readonly offerType: CcEnum;
  readonly billingType?: CcEnum | null;
  readonly providerOfferId: string;
  readonly providerOfferIdWithAvailability?: string | null;
  readonly providerName?: string | null;
  readonly providerInstanceId: string;
  readonly isAddon?: boolean;
  readonly isTrial?: boolean;
  readonly minQuantity?: number | null;
  readonly maxQuantity?: number | null;
  readonly prices: readonly CcOfferPrice[];
}

/** One element of `GET …/{s}/eligible-transitions`, also the body of `POST …/{s}/upgrade`. */
export interface CcTransition {
  readonly destinationSubscriptionId?: string | null;
  readonly destinationProviderSubscriptionId?: string | null;
  readonly offerName?: string | null;
  readonly offerId?: string | null;
  readonly providerOfferId: string;
  readonly providerOfferIdWithAvailability: string;
  readonly quantity: number;
  readonly termDuration: CcEnum<CcTermName>;
  readonly billingFrequency: CcEnum<CcBillingName>;
  readonly transitionType: string;
  readonly transitionEvents?: readonly { readonly name: string; readonly status: string }[];
}

/** The body of `POST /v1/Orders`. */
export interface CcOrderRequest {
  readonly id?: string;
  readonly offerId: string;
  readonly customerId: string;
  readonly providerInstanceId: string;
  readonly subscriptionName: string;
  readonly termDuration: CcEnum<CcTermName>;
  readonly billingFrequency: CcEnum<CcBillingName>;
  readonly segment: CcEnum;
  readonly operation: CcEnum<"CreateSubscription">;
  readonly quantity: number;
  readonly autoRenewEnabled?: boolean;
}

export interface CcOrder {
  readonly id: string;
  readonly customerId: string;
  readonly status: CcEnum<"Processing" | "Provisioning" | "Completed" | "Failed">;
  readonly operation?: CcEnum;
  readonly createdDate?: string;
  readonly errorMessage?: string | null;
}

/** One element of `GET /v1/Customers/{c}/licenses`. */
export interface CcLicence {
  readonly skuId: string;
  readonly name: string;
  readonly totalLicenses: number;
  readonly consumedLicenses: number;
  readonly availableLicenses: number;
  readonly suspendedLicenses: number;
  readonly isSelected?: boolean;
}

// ---------------------------------------------------------------------------------------------
// Enums ↔ domain (documented values)
// ---------------------------------------------------------------------------------------------

const TERM_TO_CC: Readonly<Record<Term, CcTermName>> = { P1M: "OneMonth", P1Y: "OneYear", P3Y: "ThreeYears" };
const BILLING_TO_CC: Readonly<Record<BillingCycle, CcBillingName>> = { monthly: "Monthly", annual: "Annual", triennial: "Triennial" };
const SEGMENT_TO_CC: Readonly<Record<Segment, string>> = { commercial: "Commercial", education: "Education", government: "Government", nonprofit: "NonProfit" };

export const ccTerm = (term: Term): CcEnum<CcTermName> => ({ name: TERM_TO_CC[term] });
export const ccBilling = (billing: BillingCycle): CcEnum<CcBillingName> => ({ name: BILLING_TO_CC[billing] });
export const ccSegment = (segment: Segment): CcEnum => ({ name: SEGMENT_TO_CC[segment] });

function key(value: unknown): string {
  const name = typeof value === "object" && value !== null ? (value as { name?: unknown }).name : value;
  return typeof name === "string" ? name.toLowerCase() : "";
}

/** `{name: "OneYear"}` → `P1Y`; null for a term seatplan does not manage (NoTerm, FiveYears). */
export function termFromCc(value: unknown): Term | null {
  const found = (Object.entries(TERM_TO_CC) as [Term, string][]).find(([, cc]) => cc.toLowerCase() === key(value));
  return found?.[0] ?? null;
}

export function billingFromCc(value: unknown): BillingCycle | null {
  const found = (Object.entries(BILLING_TO_CC) as [BillingCycle, string][]).find(([, cc]) => cc.toLowerCase() === key(value));
  return found?.[0] ?? null;
}

export function segmentFromCc(value: unknown): Segment | null {
  const found = (Object.entries(SEGMENT_TO_CC) as [Segment, string][]).find(([, cc]) => cc.toLowerCase() === key(value));
  return found?.[0] ?? null;
}

export const SEGMENTS: readonly Segment[] = ["commercial", "education", "government", "nonprofit"];

/** The KB's state names; `Pending` is the simulator's name for a purchase being provisioned. */
const STATUS_FROM_CC: Readonly<Record<string, SubscriptionStatus>> = {
  active: "active",
  pending: "pending",
  suspended: "suspended",
  expired: "expired",
  disabled: "disabled",
  deleted: "deleted",
};

export function statusFromCc(value: unknown): SubscriptionStatus | null {
  return STATUS_FROM_CC[key(value)] ?? null;
}

export function statusToCc(status: string): CcEnum {
  const s = status.toLowerCase();
  return { name: s.charAt(0).toUpperCase() + s.slice(1) };
}

export function enumName(value: unknown): string {
  return key(value);
}
