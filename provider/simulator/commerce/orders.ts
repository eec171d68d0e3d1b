import {
  formatWireDate,
  splitCatalogItemId,
  offerKeyOf,
  type WireCart,
  type WireCartLineItem,
} from "../../wire/partner-center";
import type { CatalogOffer, Term } from "../../domain/types";
import { DEFAULT_CURRENCY } from "../catalog";
import { DAY_MS, startOfDay, termEnd, utcMs } from "../dates";
import { CODES, SimError } from "../errors";
import type { SimCart, SimCheckoutResult, SimCustomer, SimOrder, SimSubscription } from "../state";
import type { CommerceContext } from "./context";
import { billingOf, day, instantOf, invalidInput, termOf } from "./values";
import { customTermEndDatesFor } from "./coterm";


/** Carts, checkout and orders (new purchases). */

/** Partner Center deletes carts 7 days after creation. */
const CART_LIFETIME_MS = 7 * DAY_MS;

export function createCart(ctx: CommerceContext, customerId: string, body: unknown): WireCart {
  const customer = ctx.customer(customerId);
  if (typeof body !== "object" || body === null) throw invalidInput("the body must be a cart with lineItems");
  const items = (body as Record<string, unknown>)["lineItems"];
  if (!Array.isArray(items) || items.length === 0) throw invalidInput("a cart needs at least one line item");
  const lineItems = items.map((item: unknown, i) => cartLine(ctx, customer, item, i));
  const cart: SimCart = {
    id: ctx.newId(),
    creationTimestamp: formatWireDate(ctx.now),
    lastModifiedTimestamp: formatWireDate(ctx.now),
    expirationTimestamp: formatWireDate(ctx.now + CART_LIFETIME_MS),
    status: "Active",
    lineItems,
    attributes: { objectType: "Cart" },
  };
  (customer.carts ??= []).push(cart);
  ctx.changed = true;
  return renderCart(cart);
}

export function getCart(ctx: CommerceContext, customerId: string, cartId: string): WireCart {
  return renderCart(findCart(ctx, ctx.customer(customerId), cartId));
}

/** Idempotent: checking out an ordered cart again returns the first result. */
export function checkout(ctx: CommerceContext, customerId: string, cartId: string): SimCheckoutResult {
  const customer = ctx.customer(customerId);
  const cart = findCart(ctx, customer, cartId);
  if (cart.checkoutResult) return structuredClone(cart.checkoutResult);
  if (ctx.now > utcMs(cart.expirationTimestamp)) {
    throw new SimError(400, CODES.cartExpired, `Cart ${cart.id} expired on ${cart.expirationTimestamp}; create a new cart`);
  }
  // Dates offered by customTermEndDates move with the clock: check them again.
  for (const line of cart.lineItems) {
    if (line.customTermEndDate) checkCustomEnd(ctx, customer, termOf(line.termDuration, "termDuration"), line.customTermEndDate);
  }
  const order = placeOrder(ctx, customer, cart.lineItems);
  const result: SimCheckoutResult = { orders: [order], orderErrors: [], attributes: { objectType: "CartCheckoutResult" } };
  cart.status = "Ordered";
  cart.lastModifiedTimestamp = formatWireDate(ctx.now);
  cart.checkoutResult = structuredClone(result);
  ctx.changed = true;
  return structuredClone(result);
}

/**
 * `POST /v1/customers/{id}/orders`: buy like a cart checkout, in one call. Each line names its
 * `offerId` (the catalog item id); `termDuration` defaults to the shortest term the offer sells
 * with the line's (or the order's) `billingCycle`, which defaults to monthly.
 */
export function createOrder(ctx: CommerceContext, customerId: string, body: unknown): SimOrder {
  const customer = ctx.customer(customerId);
  if (typeof body !== "object" || body === null || Array.isArray(body)) throw invalidInput("the body must be an order with lineItems");
  const order = body as Record<string, unknown>;
  const items = order["lineItems"];
  if (!Array.isArray(items) || items.length === 0) throw invalidInput("an order needs at least one line item");
  const lines = items.map((value: unknown, i) => {
    if (typeof value !== "object" || value === null) throw invalidInput(`lineItems[${i}] must be an object`);
    const item = value as Record<string, unknown>;
    const offerId = item["offerId"];
    if (typeof offerId !== "string") throw invalidInput(`lineItems[${i}].offerId is required (the catalog item id PRODUCT:SKU:AVAILABILITY)`);
    const billing = billingOf(item["billingCycle"] ?? order["billingCycle"] ?? "monthly", `lineItems[${i}].billingCycle`);
    let term = item["termDuration"];
    if (term === undefined || term === null || term === "") {
      const offer = resolveCatalogItem(ctx, offerId);
      term = offer.terms.find((t) => t.billing === billing)?.term ?? offer.terms[0]?.term;
    }
    const { offerId: _offer, lineItemNumber: _number, ...rest } = item;
    return cartLine(ctx, customer, { ...rest, catalogItemId: offerId, termDuration: term, billingCycle: billing }, i);
  });
  return placeOrder(ctx, customer, lines);
}

/**
 * Place an order for validated lines: its subscriptions now, or (`ctx.deferred`) an order
 * `pending` whose line items get their `subscriptionId` once {@link provisionOrder} runs.
 */
function placeOrder(ctx: CommerceContext, customer: SimCustomer, lines: readonly WireCartLineItem[]): SimOrder {
  // The SKU maximum is pooled on the tenant: check every line against what is held (and the lines before it).
  const pooled = new Map<string, number>();
  for (const line of lines) {
    const offer = ctx.index.offer(offerKeyOf(line.catalogItemId));
    const key = offer?.offer ?? line.catalogItemId;
    ctx.checkPool(customer, offer, line.quantity, undefined, pooled.get(key) ?? 0);
    pooled.set(key, (pooled.get(key) ?? 0) + line.quantity);
  }
  const orderId = ctx.newId();
  const subscriptionIds = lines.map(() => ctx.newId());
  const order: SimOrder = {
    id: orderId,
    referenceCustomerId: customer.id,
    billingCycle: lines[0]?.billingCycle ?? "monthly",
    currencyCode: ctx.state.settings?.currency ?? DEFAULT_CURRENCY,
    lineItems: lines.map((line, i) => ({
      lineItemNumber: i,
      offerId: line.catalogItemId,
      termDuration: termOf(line.termDuration, "termDuration"),
      transactionType: "New",
      friendlyName: line.friendlyName ?? line.catalogItemId,
      quantity: line.quantity,
      ...(line.customTermEndDate ? { customTermEndDate: line.customTermEndDate } : {}),
    })),
    creationDate: formatWireDate(ctx.now),
    status: "pending",
    links: {
      self: { uri: `/customers/${customer.id}/orders/${orderId}`, method: "GET", headers: [] },
      provisioningStatus: { uri: `/customers/${customer.id}/orders/${orderId}/provisioningstatus`, method: "GET", headers: [] },
    },
    attributes: { objectType: "Order" },
  };
  (customer.orders ??= []).push(order);
  ctx.changed = true;
  if (ctx.deferred) {
    ctx.addPending({ kind: "order", ...ctx.pendingTimes(), customerId: customer.id, holds: [], orderId, lines: structuredClone(lines), subscriptionIds });
  } else {
    provisionOrder(ctx, customer.id, orderId, lines, subscriptionIds);
  }
  return structuredClone(order);
}

/** Create the subscriptions of an order (ids chosen when it was placed) and complete it. */
export function provisionOrder(
  ctx: CommerceContext,
  customerId: string,
  orderId: string,
  lines: readonly WireCartLineItem[],
  subscriptionIds: readonly string[],
): void {
  const customer = ctx.customer(customerId);
  const order = (customer.orders ?? []).find((o) => o.id === orderId);
  if (!order || order.status !== "pending") return;
  lines.forEach((line, i) => {
    const offer = ctx.index.offer(offerKeyOf(line.catalogItemId));
    const term = termOf(line.termDuration, "termDuration");
    const end = line.customTermEndDate ? startOfDay(utcMs(line.customTermEndDate)) : termEnd(ctx.now, term);
    const sub: SimSubscription = {
      id: subscriptionIds[i] ?? ctx.newId(),
      offerId: line.catalogItemId,
      offerName: offer?.name ?? line.catalogItemId,
      friendlyName: line.friendlyName ?? offer?.name ?? line.catalogItemId,
      quantity: line.quantity,
      status: "active",
      autoRenewEnabled: true,
      termDuration: term,
      billingCycle: billingOf(line.billingCycle, "billingCycle"),
      creationDate: formatWireDate(ctx.now),
      effectiveStartDate: formatWireDate(ctx.now),
      commitmentEndDate: formatWireDate(end),
      cancellationAllowedUntilDate: formatWireDate(ctx.now + ctx.windowMs),
      scheduledNextTermInstructions: null,
      isTrial: false,
      orderId,
      seatLots: [{ quantity: line.quantity, allowedUntilDateTime: formatWireDate(ctx.now + ctx.windowMs) }],
    };
    ctx.touch(sub);
    customer.subscriptions.push(sub);
    const item = order.lineItems[i];
    if (item) item.subscriptionId = sub.id;
  });
  order.status = "completed";
  ctx.changed = true;
}

export function getOrder(ctx: CommerceContext, customerId: string, orderId: string): SimOrder {
  return structuredClone(findOrder(ctx, ctx.customer(customerId), orderId));
}

export function listOrders(ctx: CommerceContext, customerId: string): SimOrder[] {
  return structuredClone(ctx.customer(customerId).orders ?? []);
}

/**
 * `GET …/orders/{id}/provisioningstatus`: per line item, `fulfilled` once its subscription exists,
 * `PrefulfillmentPending` before.
 */
export function orderProvisioningStatus(ctx: CommerceContext, customerId: string, orderId: string): WireOrderProvisioningStatus[] {
  const order = findOrder(ctx, ctx.customer(customerId), orderId);
  return order.lineItems.map((item) => {
    const status = item.subscriptionId !== undefined ? "fulfilled" : "PrefulfillmentPending";
    return {
      lineItemNumber: item.lineItemNumber,
      status,
      quantityProvisioningInformation: [{ quantity: item.quantity, status }],
      attributes: { objectType: "OrderLineItemProvisioningStatus" },
    };
  });
}

/** One line of `GET …/orders/{id}/provisioningstatus`. */
export interface WireOrderProvisioningStatus {
  readonly lineItemNumber: number;
  readonly status: string;
  readonly quantityProvisioningInformation: readonly { readonly quantity: number; readonly status: string }[];
  readonly attributes: { readonly objectType: string };
}

function findOrder(ctx: CommerceContext, customer: SimCustomer, orderId: string): SimOrder {
  const order = (customer.orders ?? []).find((o) => o.id.toLowerCase() === orderId.toLowerCase());
  if (!order) {
    throw new SimError(404, CODES.orderNotFound, `Order ${orderId} not found for customer ${customer.id}; GET /v1/customers/${customer.id}/orders lists its orders`);
  }
  return order;
}

function findCart(ctx: CommerceContext, customer: SimCustomer, cartId: string): SimCart {
  const cart = (customer.carts ?? []).find((c) => c.id === cartId);
  if (!cart) throw new SimError(404, CODES.cartNotFound, `Cart ${cartId} not found for customer ${customer.id}; create a new cart`);
  return cart;
}

function cartLine(ctx: CommerceContext, customer: SimCustomer, value: unknown, i: number): WireCartLineItem {
  if (typeof value !== "object" || value === null) throw invalidInput(`lineItems[${i}] must be an object`);
  const item = value as Record<string, unknown>;
  const catalogItemId = item["catalogItemId"];
  if (typeof catalogItemId !== "string") throw invalidInput(`lineItems[${i}].catalogItemId is required`);
  const offer = resolveCatalogItem(ctx, catalogItemId);
  const term = termOf(item["termDuration"], `lineItems[${i}].termDuration`);
  const billing = billingOf(item["billingCycle"], `lineItems[${i}].billingCycle`);
  ctx.checkSold(offer, term, billing);
  const quantity = item["quantity"];
  if (!Number.isInteger(quantity)) throw invalidInput(`lineItems[${i}].quantity must be an integer`);
  ctx.checkBounds(offer, quantity as number, offer.offer);
  const friendlyName = typeof item["friendlyName"] === "string" && item["friendlyName"] !== "" ? item["friendlyName"] : offer.name;
  const line: WireCartLineItem = {
    id: i,
    catalogItemId,
    friendlyName,
    quantity: quantity as number,
    billingCycle: billing,
    termDuration: term,
    currencyCode: ctx.state.settings?.currency ?? DEFAULT_CURRENCY,
  };
  const custom = item["customTermEndDate"];
  if (custom === undefined || custom === null || custom === "") return line;
  return { ...line, customTermEndDate: checkCustomEnd(ctx, customer, term, custom) };
}

/** The catalog offer of a full `PRODUCT:SKU:AVAILABILITY` id whose availability is current. */
function resolveCatalogItem(ctx: CommerceContext, catalogItemId: string): CatalogOffer {
  const parts = splitCatalogItemId(catalogItemId);
  const offer = parts ? ctx.index.offer(`${parts.productId}:${parts.skuId}`) : undefined;
  if (!parts || !offer) {
    throw new SimError(400, CODES.invalidCatalogItem, `Catalog item id ${catalogItemId} is not valid; pick an offer from GET /v1/products`);
  }
  if (parts.availabilityId !== offer.availabilityId) throw ctx.staleAvailability(catalogItemId, offer);
  return offer;
}

function checkCustomEnd(ctx: CommerceContext, customer: SimCustomer, term: Term, value: unknown): string {
  const end = startOfDay(instantOf(value, "customTermEndDate"));
  const allowed = customTermEndDatesFor(ctx, customer, term, ctx.now);
  if (!allowed.some((d) => utcMs(d.allowedCustomTermEndDate) === end)) {
    throw new SimError(
      400,
      CODES.invalidCustomTermEndDate,
      `customTermEndDate ${day(end)} is not allowed for a ${term} term bought now; use one of ${allowed.map((d) => day(utcMs(d.allowedCustomTermEndDate))).join(", ") || "none (no alignment possible)"} (GET …/subscriptions/customTermEndDates)`,
    );
  }
  return formatWireDate(end);
}

function renderCart(cart: SimCart): WireCart {
  const { checkoutResult: _result, ...wire } = cart;
  return structuredClone(wire);
}
