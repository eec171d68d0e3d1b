import {
  formatWireDate,
  splitCatalogItemId,
  offerKeyOf,
  type WireCart,
  type WireCartCheckoutResult,
  type WireCartLineItem,
  type WireOrder,
} from "../../backends/partner-center/wire";
import type { CatalogOffer, Term } from "../../domain/types";
import { DEFAULT_CURRENCY } from "../catalog";
import { DAY_MS, startOfDay, termEnd, utcMs } from "../dates";
import { CODES, SimError } from "../errors";
import type { SimCart, SimCustomer, SimSubscription } from "../state";
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
export function checkout(ctx: CommerceContext, customerId: string, cartId: string): WireCartCheckoutResult {
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
  // The SKU maximum is pooled on the tenant: check every line against what is held (and the lines before it).
  const pending = new Map<string, number>();
  for (const line of cart.lineItems) {
    const offer = ctx.index.offer(offerKeyOf(line.catalogItemId));
    const key = offer?.offer ?? line.catalogItemId;
    ctx.checkPool(customer, offer, line.quantity, undefined, pending.get(key) ?? 0);
    pending.set(key, (pending.get(key) ?? 0) + line.quantity);
  }
  const orderId = ctx.newId();
  const lineItems = cart.lineItems.map((line, i) => {
    const offer = ctx.index.offer(offerKeyOf(line.catalogItemId));
    const term = termOf(line.termDuration, "termDuration");
    const end = line.customTermEndDate ? startOfDay(utcMs(line.customTermEndDate)) : termEnd(ctx.now, term);
    const sub: SimSubscription = {
      id: ctx.newId(),
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
    return {
      lineItemNumber: i,
      offerId: line.catalogItemId,
      subscriptionId: sub.id,
      termDuration: term,
      transactionType: "New",
      friendlyName: sub.friendlyName,
      quantity: line.quantity,
      ...(line.customTermEndDate ? { customTermEndDate: line.customTermEndDate } : {}),
    };
  });
  const order: WireOrder = {
    id: orderId,
    referenceCustomerId: customer.id,
    billingCycle: cart.lineItems[0]?.billingCycle ?? "monthly",
    currencyCode: ctx.state.settings?.currency ?? DEFAULT_CURRENCY,
    lineItems,
    creationDate: formatWireDate(ctx.now),
    status: "completed",
    attributes: { objectType: "Order" },
  };
  (customer.orders ??= []).push(order);
  const result: WireCartCheckoutResult = { orders: [order], orderErrors: [], attributes: { objectType: "CartCheckoutResult" } };
  cart.status = "Ordered";
  cart.lastModifiedTimestamp = formatWireDate(ctx.now);
  cart.checkoutResult = structuredClone(result);
  ctx.changed = true;
  return structuredClone(result);
}

export function getOrder(ctx: CommerceContext, customerId: string, orderId: string): WireOrder {
  const customer = ctx.customer(customerId);
  const order = (customer.orders ?? []).find((o) => o.id === orderId);
  if (!order) {
    throw new SimError(404, CODES.orderNotFound, `Order ${orderId} not found for customer ${customer.id}; GET /v1/customers/${customer.id}/orders lists its orders`);
  }
  return structuredClone(order);
}

export function listOrders(ctx: CommerceContext, customerId: string): WireOrder[] {
  return structuredClone(ctx.customer(customerId).orders ?? []);
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
