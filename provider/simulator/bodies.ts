import { CODES, SimError } from "./errors";

/**
 * Request bodies as Partner Center reads them: property names without regard to case
 * (Microsoft's own examples send `{"Quantity": 2, "Attributes": {"Etag": …}}` as well as
 * camelCase), and JSON text that may start with a UTF-8 byte order mark. Each write route names
 * the shape of its body; {@link canonicalBody} renames every property to its documented
 * camelCase spelling before the state machine reads it.
 *
 * A property the resource does not have is refused (400 800002) rather than dropped: a client
 * that misspells `quantity` must not get a 200 for a change that never happened.
 */

/** A property: a value taken as is (`true`), an object of known properties, or an array of them. */
export type Field = true | Shape | { readonly each: Shape };
export interface Shape {
  readonly [canonical: string]: Field;
}

const UTF8_BOM = "\uFEFF";

/** JSON text → value; a leading UTF-8 byte order mark is allowed. Throws SyntaxError. */
export function parseJsonText(text: string): unknown {
  return JSON.parse(text.startsWith(UTF8_BOM) ? text.slice(1) : text);
}

function isEach(field: Field): field is { readonly each: Shape } {
  return typeof field === "object" && "each" in field && typeof (field as { each: unknown }).each === "object" && Object.keys(field).length === 1;
}

/**
 * `value` with every property of `shape` spelled canonically, recursively. Throws 400 800002 for
 * a property `shape` does not know, or one given twice in different cases.
 */
export function canonicalBody(value: unknown, shape: Shape, path = ""): unknown {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return value;
  const byLower = new Map(Object.keys(shape).map((name) => [name.toLowerCase(), name]));
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
    const name = byLower.get(key.toLowerCase());
    if (name === undefined) {
      throw new SimError(
        400,
        CODES.invalidInput,
        `Invalid request input: unknown property "${path}${key}"; ${path === "" ? "the body" : `"${path.slice(0, -1)}"`} takes ${Object.keys(shape).join(", ")}`,
      );
    }
    if (name in out) throw new SimError(400, CODES.invalidInput, `Invalid request input: property "${path}${name}" is given twice (names are read without regard to case)`);
    const field = shape[name] as Field;
    if (field === true || v === null || v === undefined) out[name] = v;
    else if (isEach(field)) out[name] = Array.isArray(v) ? v.map((item, i) => canonicalBody(item, field.each, `${path}${name}[${i}].`)) : v;
    else out[name] = canonicalBody(v, field, `${path}${name}.`);
  }
  return out;
}

const ATTRIBUTES: Shape = { objectType: true, etag: true };

const PRODUCT_TERM: Shape = { productId: true, skuId: true, availabilityId: true, billingCycle: true, termDuration: true, promotionId: true };

const NEXT_TERM: Shape = { product: PRODUCT_TERM, quantity: true, customTermEndDate: true };

/** The Subscription resource (reference/partner-center.md §3.2), as a PATCH sends it back. */
export const SUBSCRIPTION_BODY: Shape = {
  id: true,
  offerId: true,
  entitlementId: true,
  offerName: true,
  friendlyName: true,
  productType: true,
  quantity: true,
  unitType: true,
  parentSubscriptionId: true,
  creationDate: true,
  effectiveStartDate: true,
  commitmentEndDate: true,
  commitmentEndDateTime: true,
  cancellationAllowedUntilDate: true,
  billingCycleEndDate: true,
  billingCycleEndDateTime: true,
  status: true,
  autoRenewEnabled: true,
  billingType: true,
  billingCycle: true,
  termDuration: true,
  renewalTermDuration: true,
  hasPurchasableAddons: true,
  isTrial: true,
  isMicrosoftProduct: true,
  actions: true,
  partnerId: true,
  suspensionReasons: true,
  refundOptions: true,
  refundableQuantity: true,
  scheduledNextTermInstructions: NEXT_TERM,
  // End-of-term actions of the EST era (commerce/est.ts; shape from client code, low confidence).
  scheduledActions: true,
  // Simulator extension: rendered on subscriptions in the extended service term, read-only.
  extendedServiceTerm: true,
  nextChargeInstructions: true,
  promotionId: true,
  migratedFromSubscriptionId: true,
  publisherName: true,
  orderId: true,
  contractType: true,
  attentionNeeded: true,
  actionTaken: true,
  links: true,
  attributes: ATTRIBUTES,
};

const CART_LINE: Shape = {
  id: true,
  catalogItemId: true,
  friendlyName: true,
  quantity: true,
  currencyCode: true,
  billingCycle: true,
  termDuration: true,
  promotionId: true,
  participants: true,
  provisioningContext: true,
  orderGroup: true,
  addonItems: true,
  renewsTo: true,
  error: true,
  customTermEndDate: true,
  attestationAccepted: true,
  links: true,
};

/** The Cart resource (§3.8). */
export const CART_BODY: Shape = {
  id: true,
  creationTimestamp: true,
  lastModifiedTimestamp: true,
  expirationTimestamp: true,
  lastModifiedUser: true,
  lineItems: { each: CART_LINE },
  status: true,
  partnerOnRecordAttestationAccepted: true,
  links: true,
  attributes: ATTRIBUTES,
};

const ORDER_LINE: Shape = {
  lineItemNumber: true,
  offerId: true,
  subscriptionId: true,
  parentSubscriptionId: true,
  termDuration: true,
  billingCycle: true,
  renewsTo: true,
  transactionType: true,
  friendlyName: true,
  quantity: true,
  partnerIdOnRecord: true,
  additionalPartnerIdsOnRecord: true,
  promotionId: true,
  customTermEndDate: true,
  provisioningContext: true,
  links: true,
};

/** The Order resource (§3.8, `POST /v1/customers/{id}/orders`). */
export const ORDER_BODY: Shape = {
  id: true,
  alternateId: true,
  referenceCustomerId: true,
  billingCycle: true,
  currencyCode: true,
  currencySymbol: true,
  lineItems: { each: ORDER_LINE },
  creationDate: true,
  status: true,
  transactionType: true,
  partnerOnRecordAttestationAccepted: true,
  links: true,
  attributes: ATTRIBUTES,
};

/** The Transition resource (§3.9). */
export const TRANSITION_BODY: Shape = {
  operationId: true,
  fromCatalogItemId: true,
  fromSubscriptionId: true,
  toCatalogItemId: true,
  toSubscriptionId: true,
  quantity: true,
  termDuration: true,
  billingCycle: true,
  transitionType: true,
  promotionId: true,
  customTermEndDate: true,
  status: true,
  events: true,
  links: true,
  attributes: ATTRIBUTES,
};
