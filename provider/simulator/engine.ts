import { createHash, randomUUID } from "node:crypto";
import {
  formatWireDate,
  NCE_PRODUCT_TYPE,
  splitCatalogItemId,
  offerKeyOf,
  type WireCart,
  type WireCartCheckoutResult,
  type WireCartLineItem,
  type WireCustomer,
  type WireCustomTermEndDate,
  type WireEligibilityError,
  type WireOrder,
  type WireScheduledNextTermInstructions,
  type WireSubscribedSku,
  type WireSubscription,
  type WireTransition,
  type WireTransitionEligibility,
} from "../wire/partner-center";
import type { BillingCycle, Catalog, CatalogOffer, Term } from "../domain/types";
import { builtInCatalogData, catalogFromEntries, CatalogIndex, DEFAULT_CURRENCY } from "./catalog";
import { DAY_MS, HOUR_MS, lastMonthEndOnOrBefore, parseInstant, renewalAt, startOfDay, termEnd, utcMs } from "./dates";
import { CODES, SimError } from "./errors";
import type { SeatLotRecord, SimCart, SimCustomer, SimState, SimSubscription, SimTransition } from "./state";

/**
 * The commerce state machine (design §1, §6): every rule Partner Center enforces on licence-based
 * new-commerce subscriptions, over a {@link SimState} at an explicit instant `now`. No I/O: the
 * store persists the state, the service and the HTTP facade translate requests. Refusals throw
 * {@link SimError} with Partner Center's status, code and a description that says what to do.
 *
 * Each public write validates everything before it mutates anything, so a refused request leaves
 * the state untouched. `changed` tells the caller whether the state needs saving.
 *
 * Seat lots: every purchase, renewal and mid-term add is a batch (`seatLots`) removable until
 * its own deadline. Removing seats consumes the open batches closing soonest first (the seats
 * that would become non-refundable first go first), which leaves the longest-lived refunds
 * available; transitions move batches in the same order.
 */

export const DEFAULT_CANCELLATION_WINDOW_HOURS = 168;
const CUSTOMER_INDEX = new WeakMap<readonly SimCustomer[], Map<string, SimCustomer>>();
/** Partner Center deletes carts 7 days after creation. */
const CART_LIFETIME_MS = 7 * DAY_MS;

export interface CommerceOptions {
  /** The simulated instant (UTC ms). */
  readonly now: number;
  /** New resource ids (subscriptions, carts, orders, operations). @default crypto.randomUUID */
  readonly newId?: () => string;
}

type Eligibility = "immediate" | "scheduled";

const TERM_VALUES: Readonly<Record<string, Term>> = { p1m: "P1M", p1y: "P1Y", p3y: "P3Y" };
const BILLING_VALUES: Readonly<Record<string, BillingCycle>> = { monthly: "monthly", annual: "annual", triennial: "triennial" };

function enumKey(value: unknown): string {
  return typeof value === "string" ? value.replace(/_/g, "").toLowerCase() : "";
}

function invalidInput(description: string): SimError {
  return new SimError(400, CODES.invalidInput, `Invalid request input: ${description}`);
}

function termOf(value: unknown, what: string): Term {
  const term = TERM_VALUES[enumKey(value)];
  if (!term) throw invalidInput(`${what} must be P1M, P1Y or P3Y (got ${JSON.stringify(value)})`);
  return term;
}

function billingOf(value: unknown, what: string): BillingCycle {
  const billing = BILLING_VALUES[enumKey(value)];
  if (!billing) throw invalidInput(`${what} must be monthly, annual or triennial (got ${JSON.stringify(value)})`);
  return billing;
}

function instantOf(value: unknown, what: string): number {
  const ms = parseInstant(value);
  if (Number.isNaN(ms)) throw invalidInput(`${what} must be an ISO 8601 date (got ${JSON.stringify(value)})`);
  return ms;
}

function day(ms: number): string {
  return formatWireDate(ms).slice(0, 10);
}

export class Commerce {
  /** True once a write changed the state (it must be saved). */
  changed = false;
  readonly now: number;
  private readonly newId: () => string;
  private readonly windowMs: number;
  private readonly index: CatalogIndex;

  constructor(
    readonly state: SimState,
    options: CommerceOptions,
  ) {
    this.now = options.now;
    this.newId = options.newId ?? randomUUID;
    this.windowMs = (state.settings?.cancellationWindowHours ?? DEFAULT_CANCELLATION_WINDOW_HOURS) * HOUR_MS;
    this.index = new CatalogIndex(catalogOf(state));
  }

  get catalog(): Catalog {
    return this.index.catalog;
  }

  // -------------------------------------------------------------------------------------------
  // Customers
  // -------------------------------------------------------------------------------------------

  hasCustomer(customerId: string): boolean {
    return this.findCustomer(customerId) !== undefined;
  }

  customer(customerId: string): SimCustomer {
    const customer = this.findCustomer(customerId);
    if (!customer) {
      throw new SimError(
        403,
        CODES.noRelationship,
        `Partner does not have a commerce relationship with customer ${customerId}; check the customer's tenant id`,
      );
    }
    return customer;
  }

  private findCustomer(customerId: string): SimCustomer | undefined {
    // Indexed once per loaded state: a benchmark reads 1,000s of customers one by one.
    let index = CUSTOMER_INDEX.get(this.state.customers);
    if (!index) {
      index = new Map(this.state.customers.map((c) => [c.id.toLowerCase(), c]));
      CUSTOMER_INDEX.set(this.state.customers, index);
    }
    const key = customerId.toLowerCase();
    return index.get(key) ?? this.state.customers.find((c) => c.id.toLowerCase() === key);
  }

  renderCustomer(customer: SimCustomer): WireCustomer {
    return {
      id: customer.id,
      companyProfile: {
        tenantId: customer.id,
        domain: customer.domain,
        companyName: customer.companyName,
        attributes: { objectType: "CustomerCompanyProfile" },
      },
      relationshipToPartner: "reseller",
      links: { self: { uri: `/customers/${customer.id}`, method: "GET", headers: [] } },
      attributes: { objectType: "Customer" },
    };
  }

  // -------------------------------------------------------------------------------------------
  // Subscriptions: reads
  // -------------------------------------------------------------------------------------------

  subscription(customer: SimCustomer, subscriptionId: string): SimSubscription {
    const sub = customer.subscriptions.find((s) => s.id.toLowerCase() === subscriptionId.toLowerCase());
    if (!sub) {
      throw new SimError(
        404,
        CODES.subscriptionNotFound,
        `Subscription ${subscriptionId} not found for customer ${customer.id}; GET /v1/customers/${customer.id}/subscriptions lists its subscriptions`,
      );
    }
    return sub;
  }

  listSubscriptions(customerId: string, filter: { orderId?: string } = {}): WireSubscription[] {
    const customer = this.customer(customerId);
    return customer.subscriptions
      .filter((s) => filter.orderId === undefined || s.orderId === filter.orderId)
      .map((s) => this.renderSubscription(customer, s));
  }

  getSubscription(customerId: string, subscriptionId: string): WireSubscription {
    const customer = this.customer(customerId);
    return this.renderSubscription(customer, this.subscription(customer, subscriptionId));
  }

  /** The subscription as Partner Center shows it at `now`. */
  renderSubscription(customer: SimCustomer, sub: SimSubscription): WireSubscription {
    const active = sub.status === "active";
    const open = active ? this.lotsOf(sub).filter((l) => utcMs(l.allowedUntilDateTime) >= this.now) : [];
    open.sort((a, b) => utcMs(a.allowedUntilDateTime) - utcMs(b.allowedUntilDateTime));
    return {
      id: sub.id,
      offerId: sub.offerId,
      offerName: sub.offerName,
      friendlyName: sub.friendlyName,
      quantity: sub.quantity,
      unitType: "Licenses",
      status: sub.status,
      autoRenewEnabled: sub.autoRenewEnabled,
      termDuration: sub.termDuration,
      billingCycle: sub.billingCycle,
      billingType: "license",
      ...(sub.creationDate !== undefined ? { creationDate: sub.creationDate } : {}),
      effectiveStartDate: sub.effectiveStartDate,
      commitmentEndDate: sub.commitmentEndDate,
      cancellationAllowedUntilDate: this.cancellationDeadline(sub),
      refundableQuantity: {
        totalQuantity: open.reduce((n, l) => n + l.quantity, 0),
        details: open.map((l) => ({ quantity: l.quantity, allowedUntilDateTime: l.allowedUntilDateTime })),
      },
      scheduledNextTermInstructions: sub.scheduledNextTermInstructions ? structuredClone(sub.scheduledNextTermInstructions) : null,
      isTrial: sub.isTrial === true,
      ...(sub.orderId !== undefined ? { orderId: sub.orderId } : {}),
      productType: { ...NCE_PRODUCT_TYPE },
      contractType: "subscription",
      links: { self: { uri: `/customers/${customer.id}/subscriptions/${sub.id}`, method: "GET", headers: [] } },
      attributes: { objectType: "Subscription", etag: etagOf(sub) },
    };
  }

  // -------------------------------------------------------------------------------------------
  // Subscriptions: PATCH (GET-modify-PATCH of the full resource)
  // -------------------------------------------------------------------------------------------

  /**
   * Apply a PATCH body (the full subscription as read, with some fields changed). Fields that
   * equal the current values are not changes; read-only fields are ignored. `ifMatch` is the
   * `If-Match` header, an alternative to `attributes.etag`.
   */
  patchSubscription(customerId: string, subscriptionId: string, body: unknown, ifMatch?: string): WireSubscription {
    const customer = this.customer(customerId);
    const sub = this.subscription(customer, subscriptionId);
    if (typeof body !== "object" || body === null || Array.isArray(body)) throw invalidInput("the body must be a subscription object");
    const patch = body as Record<string, unknown>;

    if (sub.status === "deleted") {
      throw new SimError(400, CODES.deleted, `Cannot update a subscription with deleted status (${sub.id} was cancelled); buy a new subscription instead`);
    }
    const attributes = patch["attributes"];
    const sentEtag =
      typeof attributes === "object" && attributes !== null && typeof (attributes as Record<string, unknown>)["etag"] === "string"
        ? ((attributes as Record<string, unknown>)["etag"] as string)
        : ifMatch;
    if (sentEtag !== undefined && sentEtag !== etagOf(sub)) {
      throw new SimError(400, CODES.staleEtag, `Etag is no longer valid: subscription ${sub.id} changed since it was read; GET it again and re-apply the change`);
    }

    const offer = this.offerOf(sub);
    const has = (name: string): boolean => patch[name] !== undefined;

    if (has("offerId") && patch["offerId"] !== sub.offerId) {
      throw invalidInput(
        "the offer of a subscription cannot change mid-term; upgrade it with POST …/transitions or schedule the new offer for renewal (scheduledNextTermInstructions)",
      );
    }
    if ((has("termDuration") && enumKey(patch["termDuration"]) !== enumKey(sub.termDuration)) ||
        (has("billingCycle") && enumKey(patch["billingCycle"]) !== enumKey(sub.billingCycle))) {
      throw new SimError(
        400,
        CODES.billingChange,
        "Cannot update the billing cycle or term of a new-commerce subscription mid-term; schedule it for renewal with scheduledNextTermInstructions",
      );
    }

    // Projected values.
    const friendlyName = has("friendlyName") ? patch["friendlyName"] : sub.friendlyName;
    if (typeof friendlyName !== "string" || friendlyName.trim() === "") throw invalidInput("friendlyName must be a non-empty string");
    const quantity = has("quantity") ? patch["quantity"] : sub.quantity;
    if (!Number.isInteger(quantity)) throw invalidInput("quantity must be an integer");
    const autoRenew = has("autoRenewEnabled") ? patch["autoRenewEnabled"] : sub.autoRenewEnabled;
    if (typeof autoRenew !== "boolean") throw invalidInput("autoRenewEnabled must be true or false");
    const status = has("status") ? enumKey(patch["status"]) : sub.status;
    const scheduleSent = "scheduledNextTermInstructions" in patch;
    const schedule = scheduleSent ? patch["scheduledNextTermInstructions"] ?? null : sub.scheduledNextTermInstructions ?? null;
    const scheduleChanged = scheduleSent && !sameSchedule(schedule, sub.scheduledNextTermInstructions ?? null);

    const quantityChanged = quantity !== sub.quantity;
    const autoRenewChanged = autoRenew !== sub.autoRenewEnabled;
    const cancelling = status !== sub.status && status === "deleted";
    const anyChange = friendlyName !== sub.friendlyName || quantityChanged || autoRenewChanged || scheduleChanged || status !== sub.status;
    if (!anyChange) return this.renderSubscription(customer, sub);

    if (sub.status !== "active") {
      throw new SimError(400, CODES.notActive, `Subscription ${sub.id} is ${sub.status} and can no longer be changed; buy a new subscription instead`);
    }
    if (status !== sub.status && !cancelling) {
      throw new SimError(400, CODES.statusChange, `Cannot update the status for this subscription to "${String(patch["status"])}"; only "deleted" (cancel) is allowed`);
    }
    if (quantityChanged) this.checkQuantityChange(sub, offer, quantity as number);
    let nextSchedule: WireScheduledNextTermInstructions | null = null;
    if (scheduleChanged && schedule !== null) {
      if (!autoRenew) {
        throw new SimError(
          400,
          CODES.autoRenewRequired,
          `Scheduled changes require auto-renew: turn autoRenewEnabled on for subscription ${sub.id} before setting scheduledNextTermInstructions`,
        );
      }
      nextSchedule = this.checkSchedule(sub, schedule);
    }
    if (cancelling) this.checkCancel(sub);

    // Apply. Order matters: an immediate change wipes the old schedule, a new one is set after.
    sub.friendlyName = friendlyName;
    if (quantityChanged) this.changeQuantity(sub, quantity as number);
    if (autoRenewChanged) {
      sub.autoRenewEnabled = autoRenew;
      // A schedule cannot outlive auto-renew (renewal instructions need a renewal).
      if (!autoRenew) sub.scheduledNextTermInstructions = null;
    }
    if (scheduleChanged) sub.scheduledNextTermInstructions = nextSchedule;
    if (cancelling) {
      sub.status = "deleted";
      sub.scheduledNextTermInstructions = null;
    }
    this.touch(sub);
    return this.renderSubscription(customer, sub);
  }

  private checkQuantityChange(sub: SimSubscription, offer: CatalogOffer | undefined, quantity: number): void {
    this.checkBounds(offer, quantity, sub.offerId);
    if (quantity >= sub.quantity) return;
    const removing = sub.quantity - quantity;
    const open = this.openLots(sub);
    const removable = open.reduce((n, l) => n + l.quantity, 0);
    if (removing > removable) {
      const until = open.map((l) => `${l.quantity} until ${l.allowedUntilDateTime}`).join(", ");
      throw new SimError(
        400,
        CODES.lateDecrease,
        `Subscription quantity cannot be decreased: removing ${removing} seat${removing === 1 ? "" : "s"} from ${sub.quantity}, ` +
          `but only ${removable} ${removable === 1 ? "is" : "are"} within the cancellation window now${until ? ` (${until})` : ""}; ` +
          `schedule the lower quantity for the renewal on ${day(renewalAt(utcMs(sub.commitmentEndDate)))} (scheduledNextTermInstructions.quantity) instead`,
      );
    }
  }

  private checkBounds(offer: CatalogOffer | undefined, quantity: number, what: string): void {
    const min = offer?.minQuantity ?? 1;
    const max = offer?.maxQuantity ?? Number.MAX_SAFE_INTEGER;
    if (quantity < min || quantity > max) {
      throw new SimError(
        400,
        CODES.quantityOutOfRange,
        `Quantity ${quantity} is not within the allowed range ${min}–${max} for ${offer?.name ?? what}; buy a second subscription for more seats`,
      );
    }
  }

  private checkCancel(sub: SimSubscription): void {
    const deadline = this.cancellationDeadline(sub);
    if (deadline === null || this.now > utcMs(deadline)) {
      const days = Math.round(this.windowMs / DAY_MS);
      throw new SimError(
        400,
        CODES.lateCancel,
        `You have passed your ${days}-day cancellation window. We are unable to cancel your purchase` +
          (deadline ? ` (the window closed at ${deadline})` : "") +
          `; turn auto-renew off so that subscription ${sub.id} ends with its term on ${day(utcMs(sub.commitmentEndDate))}`,
      );
    }
  }

  /** Validate scheduledNextTermInstructions against the catalog; returns the normalised form. */
  private checkSchedule(sub: SimSubscription, value: unknown): WireScheduledNextTermInstructions {
    if (typeof value !== "object" || value === null) throw invalidInput("scheduledNextTermInstructions must be an object or null");
    const instructions = value as Record<string, unknown>;
    const product = instructions["product"];
    if (typeof product !== "object" || product === null) throw invalidInput("scheduledNextTermInstructions.product is required");
    const p = product as Record<string, unknown>;
    if (typeof p["productId"] !== "string" || typeof p["skuId"] !== "string") {
      throw invalidInput("scheduledNextTermInstructions.product needs productId and skuId");
    }
    const key = `${p["productId"]}:${p["skuId"]}`;
    const targets = this.eligibleOffers(sub, "scheduled");
    const target = targets.find((o) => o.offer === key);
    if (!target) {
      throw new SimError(
        400,
        CODES.notEligible,
        `${key} is not a renewal option of ${offerKeyOf(sub.offerId)}; renew into ${targets.map((o) => o.offer).join(", ") || "the same offer"} (GET …/transitionEligibilities?eligibilityType=scheduled)`,
      );
    }
    const availabilityId = typeof p["availabilityId"] === "string" && p["availabilityId"] !== "" ? p["availabilityId"] : target.availabilityId;
    if (availabilityId !== target.availabilityId) throw this.staleAvailability(`${key}:${availabilityId}`, target);
    const term = termOf(p["termDuration"], "scheduledNextTermInstructions.product.termDuration");
    const billing = billingOf(p["billingCycle"], "scheduledNextTermInstructions.product.billingCycle");
    this.checkSold(target, term, billing);
    const quantity = instructions["quantity"];
    if (!Number.isInteger(quantity)) throw invalidInput("scheduledNextTermInstructions.quantity must be an integer");
    this.checkBounds(target, quantity as number, key);
    const normalised: WireScheduledNextTermInstructions = {
      product: { productId: target.productId, skuId: target.skuId, availabilityId, billingCycle: billing, termDuration: term },
      quantity: quantity as number,
    };
    const custom = instructions["customTermEndDate"];
    if (custom === undefined || custom === null || custom === "") return normalised;
    const end = startOfDay(instantOf(custom, "scheduledNextTermInstructions.customTermEndDate"));
    const renewal = renewalAt(utcMs(sub.commitmentEndDate));
    if (end < renewal || end > termEnd(renewal, term)) {
      throw new SimError(
        400,
        CODES.invalidCustomTermEndDate,
        `customTermEndDate ${day(end)} is outside the next term (${day(renewal)} to ${day(termEnd(renewal, term))}); leave it out to keep the natural end date`,
      );
    }
    return { ...normalised, customTermEndDate: formatWireDate(end) };
  }

  private changeQuantity(sub: SimSubscription, quantity: number): void {
    const lots = this.materialiseLots(sub);
    if (quantity > sub.quantity) {
      lots.push({ quantity: quantity - sub.quantity, allowedUntilDateTime: formatWireDate(this.now + this.windowMs) });
    } else {
      takeSeats(lots.filter((l) => utcMs(l.allowedUntilDateTime) >= this.now), sub.quantity - quantity);
      sub.seatLots = lots.filter((l) => l.quantity > 0);
    }
    sub.quantity = quantity;
    // Microsoft: any mid-term (immediate) change deletes every scheduled renewal change.
    sub.scheduledNextTermInstructions = null;
  }

  // -------------------------------------------------------------------------------------------
  // Renewals and the clock
  // -------------------------------------------------------------------------------------------

  /** True when some subscription (of one customer, or of all) has a renewal or expiry due. */
  hasDueRenewals(customerId?: string): boolean {
    const customers = customerId === undefined ? this.state.customers : [this.customer(customerId)];
    return customers.some((c) => c.subscriptions.some((s) => this.isDue(s)));
  }

  /** Process every renewal and expiry due at `now` (of one customer, or of all). */
  processRenewals(customerId?: string): void {
    const customers = customerId === undefined ? this.state.customers : [this.customer(customerId)];
    for (const customer of customers) {
      for (const sub of customer.subscriptions) {
        while (this.isDue(sub)) this.renew(sub);
      }
    }
  }

  private isDue(sub: SimSubscription): boolean {
    return sub.status === "active" && renewalAt(utcMs(sub.commitmentEndDate)) <= this.now;
  }

  /**
   * End of term: with auto-renew on, a new term starts the next day 00:00 UTC with the scheduled
   * instructions applied (offer, term, billing, quantity, end date), a trial becomes paid, and
   * the seats form one new batch with a new window. Auto-renew off (or no seats left after a
   * full transition): the subscription expires.
   */
  private renew(sub: SimSubscription): void {
    const at = renewalAt(utcMs(sub.commitmentEndDate));
    if (!sub.autoRenewEnabled || sub.quantity === 0) {
      sub.status = "expired";
      sub.scheduledNextTermInstructions = null;
      this.touch(sub);
      return;
    }
    const next = sub.scheduledNextTermInstructions;
    let term = termOf(sub.termDuration, "termDuration");
    let end: number | undefined;
    if (next) {
      const target = this.index.offer(`${next.product.productId}:${next.product.skuId}`);
      if (target) {
        sub.offerId = this.index.catalogItemId(target);
        sub.offerName = target.name;
      }
      term = termOf(next.product.termDuration, "termDuration");
      sub.termDuration = term;
      sub.billingCycle = billingOf(next.product.billingCycle, "billingCycle");
      sub.quantity = next.quantity;
      if (next.customTermEndDate) end = startOfDay(utcMs(next.customTermEndDate));
    }
    sub.isTrial = false;
    sub.effectiveStartDate = formatWireDate(at);
    sub.commitmentEndDate = formatWireDate(end ?? termEnd(at, term));
    sub.cancellationAllowedUntilDate = formatWireDate(at + this.windowMs);
    sub.seatLots = [{ quantity: sub.quantity, allowedUntilDateTime: formatWireDate(at + this.windowMs) }];
    sub.scheduledNextTermInstructions = null;
    this.touch(sub);
  }

  // -------------------------------------------------------------------------------------------
  // Carts, checkout, orders
  // -------------------------------------------------------------------------------------------

  createCart(customerId: string, body: unknown): WireCart {
    const customer = this.customer(customerId);
    if (typeof body !== "object" || body === null) throw invalidInput("the body must be a cart with lineItems");
    const items = (body as Record<string, unknown>)["lineItems"];
    if (!Array.isArray(items) || items.length === 0) throw invalidInput("a cart needs at least one line item");
    const lineItems = items.map((item: unknown, i) => this.cartLine(customer, item, i));
    const cart: SimCart = {
      id: this.newId(),
      creationTimestamp: formatWireDate(this.now),
      lastModifiedTimestamp: formatWireDate(this.now),
      expirationTimestamp: formatWireDate(this.now + CART_LIFETIME_MS),
      status: "Active",
      lineItems,
      attributes: { objectType: "Cart" },
    };
    (customer.carts ??= []).push(cart);
    this.changed = true;
    return renderCart(cart);
  }

  getCart(customerId: string, cartId: string): WireCart {
    return renderCart(this.cart(this.customer(customerId), cartId));
  }

  /** Idempotent: checking out an ordered cart again returns the first result. */
  checkout(customerId: string, cartId: string): WireCartCheckoutResult {
    const customer = this.customer(customerId);
    const cart = this.cart(customer, cartId);
    if (cart.checkoutResult) return structuredClone(cart.checkoutResult);
    if (this.now > utcMs(cart.expirationTimestamp)) {
      throw new SimError(400, CODES.cartExpired, `Cart ${cart.id} expired on ${cart.expirationTimestamp}; create a new cart`);
    }
    // Dates offered by customTermEndDates move with the clock: check them again.
    for (const line of cart.lineItems) {
      if (line.customTermEndDate) this.checkCustomEnd(customer, termOf(line.termDuration, "termDuration"), line.customTermEndDate);
    }
    const orderId = this.newId();
    const lineItems = cart.lineItems.map((line, i) => {
      const offer = this.index.offer(offerKeyOf(line.catalogItemId));
      const term = termOf(line.termDuration, "termDuration");
      const end = line.customTermEndDate ? startOfDay(utcMs(line.customTermEndDate)) : termEnd(this.now, term);
      const sub: SimSubscription = {
        id: this.newId(),
        offerId: line.catalogItemId,
        offerName: offer?.name ?? line.catalogItemId,
        friendlyName: line.friendlyName ?? offer?.name ?? line.catalogItemId,
        quantity: line.quantity,
        status: "active",
        autoRenewEnabled: true,
        termDuration: term,
        billingCycle: billingOf(line.billingCycle, "billingCycle"),
        creationDate: formatWireDate(this.now),
        effectiveStartDate: formatWireDate(this.now),
        commitmentEndDate: formatWireDate(end),
        cancellationAllowedUntilDate: formatWireDate(this.now + this.windowMs),
        scheduledNextTermInstructions: null,
        isTrial: false,
        orderId,
        seatLots: [{ quantity: line.quantity, allowedUntilDateTime: formatWireDate(this.now + this.windowMs) }],
      };
      this.touch(sub);
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
      currencyCode: this.state.settings?.currency ?? DEFAULT_CURRENCY,
      lineItems,
      creationDate: formatWireDate(this.now),
      status: "completed",
      attributes: { objectType: "Order" },
    };
    (customer.orders ??= []).push(order);
    const result: WireCartCheckoutResult = { orders: [order], orderErrors: [], attributes: { objectType: "CartCheckoutResult" } };
    cart.status = "Ordered";
    cart.lastModifiedTimestamp = formatWireDate(this.now);
    cart.checkoutResult = structuredClone(result);
    this.changed = true;
    return structuredClone(result);
  }

  getOrder(customerId: string, orderId: string): WireOrder {
    const customer = this.customer(customerId);
    const order = (customer.orders ?? []).find((o) => o.id === orderId);
    if (!order) {
      throw new SimError(404, CODES.orderNotFound, `Order ${orderId} not found for customer ${customer.id}; GET /v1/customers/${customer.id}/orders lists its orders`);
    }
    return structuredClone(order);
  }

  listOrders(customerId: string): WireOrder[] {
    return structuredClone(this.customer(customerId).orders ?? []);
  }

  private cart(customer: SimCustomer, cartId: string): SimCart {
    const cart = (customer.carts ?? []).find((c) => c.id === cartId);
    if (!cart) throw new SimError(404, CODES.cartNotFound, `Cart ${cartId} not found for customer ${customer.id}; create a new cart`);
    return cart;
  }

  private cartLine(customer: SimCustomer, value: unknown, i: number): WireCartLineItem {
    if (typeof value !== "object" || value === null) throw invalidInput(`lineItems[${i}] must be an object`);
    const item = value as Record<string, unknown>;
    const catalogItemId = item["catalogItemId"];
    if (typeof catalogItemId !== "string") throw invalidInput(`lineItems[${i}].catalogItemId is required`);
    const offer = this.resolveCatalogItem(catalogItemId);
    const term = termOf(item["termDuration"], `lineItems[${i}].termDuration`);
    const billing = billingOf(item["billingCycle"], `lineItems[${i}].billingCycle`);
    this.checkSold(offer, term, billing);
    const quantity = item["quantity"];
    if (!Number.isInteger(quantity)) throw invalidInput(`lineItems[${i}].quantity must be an integer`);
    this.checkBounds(offer, quantity as number, offer.offer);
    const friendlyName = typeof item["friendlyName"] === "string" && item["friendlyName"] !== "" ? item["friendlyName"] : offer.name;
    const line: WireCartLineItem = {
      id: i,
      catalogItemId,
      friendlyName,
      quantity: quantity as number,
      billingCycle: billing,
      termDuration: term,
      currencyCode: this.state.settings?.currency ?? DEFAULT_CURRENCY,
    };
    const custom = item["customTermEndDate"];
    if (custom === undefined || custom === null || custom === "") return line;
    return { ...line, customTermEndDate: this.checkCustomEnd(customer, term, custom) };
  }

  /** The catalog offer of a full `PRODUCT:SKU:AVAILABILITY` id whose availability is current. */
  private resolveCatalogItem(catalogItemId: string): CatalogOffer {
    const parts = splitCatalogItemId(catalogItemId);
    const offer = parts ? this.index.offer(`${parts.productId}:${parts.skuId}`) : undefined;
    if (!parts || !offer) {
      throw new SimError(400, CODES.invalidCatalogItem, `Catalog item id ${catalogItemId} is not valid; pick an offer from GET /v1/products`);
    }
    if (parts.availabilityId !== offer.availabilityId) throw this.staleAvailability(catalogItemId, offer);
    return offer;
  }

  private staleAvailability(catalogItemId: string, offer: CatalogOffer): SimError {
    return new SimError(
      400,
      CODES.invalidCatalogItem,
      `Catalog item id ${catalogItemId} is not valid: the current availability of ${offer.name} is ${this.index.catalogItemId(offer)}; read it from GET /v1/products/${offer.productId}/skus/${offer.skuId}/availabilities`,
    );
  }

  private checkSold(offer: CatalogOffer, term: Term, billing: BillingCycle): void {
    if (!this.index.sells(offer, term, billing)) {
      throw new SimError(
        400,
        CODES.billingPlanNotSupported,
        `${offer.name} is not sold as ${term} billed ${billing}; choose one of ${offer.terms.map((t) => `${t.term}/${t.billing}`).join(", ")}`,
      );
    }
  }

  private checkCustomEnd(customer: SimCustomer, term: Term, value: unknown): string {
    const end = startOfDay(instantOf(value, "customTermEndDate"));
    const allowed = this.customTermEndDatesFor(customer, term, this.now);
    if (!allowed.some((d) => utcMs(d.allowedCustomTermEndDate) === end)) {
      throw new SimError(
        400,
        CODES.invalidCustomTermEndDate,
        `customTermEndDate ${day(end)} is not allowed for a ${term} term bought now; use one of ${allowed.map((d) => day(utcMs(d.allowedCustomTermEndDate))).join(", ") || "none (no alignment possible)"} (GET …/subscriptions/customTermEndDates)`,
      );
    }
    return formatWireDate(end);
  }

  // -------------------------------------------------------------------------------------------
  // Custom term end dates, licence usage
  // -------------------------------------------------------------------------------------------

  /**
   * End dates a new purchase may use instead of its natural one: the last calendar-month end
   * within the term, and the end dates of the customer's active subscriptions that fall within
   * the term (co-terming). `termStartDate` defaults to now and may not be in the past.
   */
  customTermEndDates(
    customerId: string,
    query: { termDuration: unknown; termStartDate?: unknown; targetCotermSubscriptionId?: string },
  ): WireCustomTermEndDate[] {
    const customer = this.customer(customerId);
    const term = termOf(query.termDuration, "term_duration");
    let start = this.now;
    if (query.termStartDate !== undefined && query.termStartDate !== "") {
      start = instantOf(query.termStartDate, "term_start_date");
      if (startOfDay(start) < startOfDay(this.now)) throw invalidInput("term_start_date cannot be in the past");
    }
    if (query.targetCotermSubscriptionId !== undefined) this.subscription(customer, query.targetCotermSubscriptionId);
    return this.customTermEndDatesFor(customer, term, start, query.targetCotermSubscriptionId);
  }

  private customTermEndDatesFor(customer: SimCustomer, term: Term, start: number, onlySubscription?: string): WireCustomTermEndDate[] {
    const first = startOfDay(start);
    const natural = termEnd(start, term);
    const out: WireCustomTermEndDate[] = [];
    const monthEnd = lastMonthEndOnOrBefore(natural);
    if (monthEnd >= first && onlySubscription === undefined) {
      out.push({ allowedCustomTermEndDateType: "calendarMonthAligned", allowedCustomTermEndDate: formatWireDate(monthEnd) });
    }
    const byDate = new Map<number, string[]>();
    for (const sub of customer.subscriptions) {
      if (sub.status !== "active") continue;
      if (onlySubscription !== undefined && sub.id.toLowerCase() !== onlySubscription.toLowerCase()) continue;
      const end = startOfDay(utcMs(sub.commitmentEndDate));
      if (end < first || end > natural) continue;
      byDate.set(end, [...(byDate.get(end) ?? []), sub.id]);
    }
    for (const [end, ids] of [...byDate].sort((a, b) => a[0] - b[0])) {
      out.push({ allowedCustomTermEndDateType: "subscriptionAligned", allowedCustomTermEndDate: formatWireDate(end), cotermSubscriptionIds: ids });
    }
    return out;
  }

  /** Licence usage per offer: seats bought (active subscriptions) and seats assigned to users. */
  subscribedSkus(customerId: string): WireSubscribedSku[] {
    const customer = this.customer(customerId);
    const total = new Map<string, number>();
    for (const sub of customer.subscriptions) {
      if (sub.status !== "active") continue;
      const key = offerKeyOf(sub.offerId);
      total.set(key, (total.get(key) ?? 0) + sub.quantity);
    }
    const assigned = customer.assignedLicenses ?? {};
    const keys = [...new Set([...total.keys(), ...Object.keys(assigned)])].sort();
    return keys.map((key) => {
      const units = total.get(key) ?? 0;
      const consumed = assigned[key] ?? 0;
      return {
        availableUnits: Math.max(0, units - consumed),
        activeUnits: units,
        consumedUnits: consumed,
        suspendedUnits: 0,
        totalUnits: units,
        warningUnits: 0,
        productSku: { id: key, name: this.index.offer(key)?.name ?? key, skuPartNumber: key, targetType: "User" },
        capabilityStatus: "Enabled",
        attributes: { objectType: "SubscribedSku" },
      };
    });
  }

  // -------------------------------------------------------------------------------------------
  // Transitions (upgrades)
  // -------------------------------------------------------------------------------------------

  /**
   * Offers a subscription may move to: immediately, the catalog's `upgradesTo` of the same
   * segment; at renewal (`scheduled`), also its own offer.
   */
  private eligibleOffers(sub: SimSubscription, type: Eligibility): CatalogOffer[] {
    const own = this.offerOf(sub);
    if (!own) return [];
    const upgrades = own.upgradesTo
      .map((key) => this.index.offer(key))
      .filter((o): o is CatalogOffer => o !== undefined && o.segment === own.segment);
    return type === "scheduled" ? [own, ...upgrades] : upgrades;
  }

  transitionEligibilities(customerId: string, subscriptionId: string, type: string = "immediate"): WireTransitionEligibility[] {
    const customer = this.customer(customerId);
    const sub = this.subscription(customer, subscriptionId);
    const kind: Eligibility = enumKey(type) === "scheduled" ? "scheduled" : "immediate";
    const sourceErrors: WireEligibilityError[] = [];
    if (sub.status !== "active") sourceErrors.push({ code: 2, description: `Subscription status is ${sub.status}, not active` });
    else if (sub.quantity === 0) sourceErrors.push({ code: 0, description: "The subscription has no seats left to transition" });
    return this.eligibleOffers(sub, kind).map((target) => {
      const eligible = sourceErrors.length === 0;
      const item: WireTransitionEligibility = {
        catalogItemId: this.index.catalogItemId(target),
        title: target.name,
        description: target.name,
        quantity: sub.quantity,
        eligibilities: [{ isEligible: eligible, transitionType: "transition_only", errors: sourceErrors }],
        attributes: { objectType: "TransitionEligibility" },
      };
      if (kind === "scheduled") return item;
      return {
        ...item,
        subscriptionEligibilities: customer.subscriptions
          .filter((s) => s.id !== sub.id && s.status === "active" && offerKeyOf(s.offerId) === target.offer)
          .map((s) => {
            const errors = this.intoErrors(sub, s);
            return {
              isEligible: eligible && errors.length === 0,
              subscriptionId: s.id,
              subscriptionFriendlyName: s.friendlyName,
              subscriptionTermDuration: s.termDuration,
              subscriptionBillingCycle: s.billingCycle,
              errors,
            };
          }),
      };
    });
  }

  private intoErrors(source: SimSubscription, target: SimSubscription): WireEligibilityError[] {
    if (utcMs(target.commitmentEndDate) < utcMs(source.commitmentEndDate)) {
      return [
        {
          code: 0,
          description: `Subscription ${target.id} ends on ${day(utcMs(target.commitmentEndDate))}, before the source's end date ${day(utcMs(source.commitmentEndDate))}`,
        },
      ];
    }
    return [];
  }

  /**
   * Upgrade seats now (irreversible). A full transition leaves the source at 0 seats (it
   * expires at its term end); the target — new, or an existing subscription of the target offer
   * ending no earlier than the source — carries the seats with their batches. A new target
   * takes the source's term, billing, end date and cancellation window.
   */
  transition(customerId: string, subscriptionId: string, body: unknown): WireTransition {
    const customer = this.customer(customerId);
    const source = this.subscription(customer, subscriptionId);
    if (typeof body !== "object" || body === null) throw invalidInput("the body must be a transition");
    const request = body as Record<string, unknown>;
    if (source.status === "deleted") {
      throw new SimError(400, CODES.deleted, `Cannot update a subscription with deleted status (${source.id} was cancelled); buy a new subscription instead`);
    }
    if (source.status !== "active") {
      throw new SimError(400, CODES.notActive, `Subscription ${source.id} is ${source.status} and can no longer be changed; buy a new subscription instead`);
    }
    const toCatalogItemId = request["toCatalogItemId"];
    if (typeof toCatalogItemId !== "string") throw invalidInput("toCatalogItemId is required");
    const targets = this.eligibleOffers(source, "immediate");
    const target = targets.find((o) => o.offer === offerKeyOf(toCatalogItemId));
    if (!target) {
      throw new SimError(
        400,
        CODES.notEligible,
        `${offerKeyOf(toCatalogItemId)} is not an upgrade of ${offerKeyOf(source.offerId)}; eligible targets: ${targets.map((o) => o.offer).join(", ") || "none"} (GET …/transitionEligibilities)`,
      );
    }
    if (splitCatalogItemId(toCatalogItemId)?.availabilityId !== target.availabilityId) throw this.staleAvailability(toCatalogItemId, target);
    const quantity = request["quantity"] ?? source.quantity;
    if (!Number.isInteger(quantity) || (quantity as number) < 1 || (quantity as number) > source.quantity) {
      throw invalidInput(`quantity must be between 1 and ${source.quantity} (the seats of subscription ${source.id})`);
    }
    const moving = quantity as number;
    const toSubscriptionId = request["toSubscriptionId"];
    let into: SimSubscription | undefined;
    if (typeof toSubscriptionId === "string" && toSubscriptionId !== "") {
      into = this.subscription(customer, toSubscriptionId);
      const reason =
        into.id === source.id
          ? "it is the source itself"
          : into.status !== "active"
            ? `it is ${into.status}`
            : offerKeyOf(into.offerId) !== target.offer
              ? `it is ${offerKeyOf(into.offerId)}, not ${target.offer}`
              : this.intoErrors(source, into)[0]?.description;
      if (reason) {
        throw new SimError(400, CODES.targetNotEligible, `Cannot transition into subscription ${into.id}: ${reason}; transition into a new subscription instead (omit toSubscriptionId)`);
      }
      this.checkBounds(target, into.quantity + moving, target.offer);
    } else {
      for (const [name, current] of [["termDuration", source.termDuration], ["billingCycle", source.billingCycle]] as const) {
        if (request[name] !== undefined && request[name] !== null && enumKey(request[name]) !== enumKey(current)) {
          throw new SimError(
            400,
            CODES.billingPlanNotSupported,
            `A transition keeps the source's term and billing (${source.termDuration}/${source.billingCycle}); change them at renewal with scheduledNextTermInstructions`,
          );
        }
      }
      this.checkBounds(target, moving, target.offer);
    }

    const sourceLots = this.materialiseLots(source);
    const moved = takeSeats(sourceLots, moving);
    source.seatLots = sourceLots.filter((l) => l.quantity > 0);
    source.quantity -= moving;
    source.scheduledNextTermInstructions = null;
    this.touch(source);
    let targetSub: SimSubscription;
    if (into) {
      targetSub = into;
      targetSub.seatLots = [...this.materialiseLots(into), ...moved];
      targetSub.quantity += moving;
      targetSub.scheduledNextTermInstructions = null;
    } else {
      targetSub = {
        id: this.newId(),
        offerId: this.index.catalogItemId(target),
        offerName: target.name,
        friendlyName: target.name,
        quantity: moving,
        status: "active",
        autoRenewEnabled: source.autoRenewEnabled,
        termDuration: source.termDuration,
        billingCycle: source.billingCycle,
        creationDate: formatWireDate(this.now),
        effectiveStartDate: formatWireDate(this.now),
        commitmentEndDate: source.commitmentEndDate,
        cancellationAllowedUntilDate: this.cancellationDeadline(source),
        scheduledNextTermInstructions: null,
        isTrial: false,
        seatLots: moved,
      };
      customer.subscriptions.push(targetSub);
    }
    this.touch(targetSub);
    const transition: SimTransition = {
      operationId: this.newId(),
      fromCatalogItemId: source.offerId,
      fromSubscriptionId: source.id,
      toCatalogItemId: this.index.catalogItemId(target),
      toSubscriptionId: targetSub.id,
      quantity: moving,
      termDuration: targetSub.termDuration,
      billingCycle: targetSub.billingCycle,
      transitionType: typeof request["transitionType"] === "string" ? request["transitionType"] : "transition_only",
      status: "completed",
      events: [{ name: "Conversion", status: "Completed", timestamp: formatWireDate(this.now) }],
      attributes: { objectType: "Transition" },
    };
    (customer.transitions ??= []).push(transition);
    return structuredClone(transition);
  }

  listTransitions(customerId: string, subscriptionId: string): WireTransition[] {
    const customer = this.customer(customerId);
    const sub = this.subscription(customer, subscriptionId);
    return structuredClone((customer.transitions ?? []).filter((t) => t.fromSubscriptionId === sub.id));
  }

  // -------------------------------------------------------------------------------------------
  // Helpers
  // -------------------------------------------------------------------------------------------

  private offerOf(sub: SimSubscription): CatalogOffer | undefined {
    return this.index.offer(offerKeyOf(sub.offerId));
  }

  /** The cancel deadline: stored, or derived (term start + window) for hand-written files. */
  private cancellationDeadline(sub: SimSubscription): string | null {
    if (sub.cancellationAllowedUntilDate !== undefined) return sub.cancellationAllowedUntilDate;
    return formatWireDate(utcMs(sub.effectiveStartDate) + this.windowMs);
  }

  /** The seat batches of the current term (read-only view; see {@link SimSubscription.seatLots}). */
  private lotsOf(sub: SimSubscription): SeatLotRecord[] {
    const stored = sub.seatLots;
    if (stored && stored.reduce((n, l) => n + l.quantity, 0) === sub.quantity) return stored.map((l) => ({ ...l }));
    const closedAt = formatWireDate(utcMs(sub.effectiveStartDate) + this.windowMs);
    const details = sub.refundableQuantity?.details;
    if (details) {
      const lots = details.filter((d) => d.quantity > 0).map((d) => ({ quantity: d.quantity, allowedUntilDateTime: d.allowedUntilDateTime }));
      const rest = sub.quantity - lots.reduce((n, l) => n + l.quantity, 0);
      if (rest >= 0) return rest > 0 ? [{ quantity: rest, allowedUntilDateTime: closedAt }, ...lots] : lots;
    }
    return sub.quantity > 0 ? [{ quantity: sub.quantity, allowedUntilDateTime: closedAt }] : [];
  }

  private openLots(sub: SimSubscription): SeatLotRecord[] {
    return this.lotsOf(sub).filter((l) => utcMs(l.allowedUntilDateTime) >= this.now);
  }

  /** Store the batches on the subscription (replacing a hand-written `refundableQuantity`). */
  private materialiseLots(sub: SimSubscription): SeatLotRecord[] {
    const lots = this.lotsOf(sub);
    sub.seatLots = lots;
    delete sub.refundableQuantity;
    return lots;
  }

  /** Record a change: new etag, state to be saved. */
  private touch(sub: SimSubscription): void {
    const previous = etagOf(sub);
    const { attributes: _attributes, ...content } = sub;
    sub.attributes = { objectType: "Subscription", etag: hash(`${previous}\n${JSON.stringify(content)}`) };
    this.changed = true;
  }
}

/** Take `count` seats out of `lots` (mutated), batches closing soonest first; returns them. */
function takeSeats(lots: SeatLotRecord[], count: number): SeatLotRecord[] {
  const taken: SeatLotRecord[] = [];
  let left = count;
  const order = [...lots].sort((a, b) => utcMs(a.allowedUntilDateTime) - utcMs(b.allowedUntilDateTime));
  for (const lot of order) {
    if (left === 0) break;
    const n = Math.min(lot.quantity, left);
    lot.quantity -= n;
    left -= n;
    taken.push({ quantity: n, allowedUntilDateTime: lot.allowedUntilDateTime });
  }
  return taken;
}

function hash(text: string): string {
  return createHash("sha256").update(text).digest("base64url").slice(0, 20);
}

/** The subscription's etag: stored, or (hand-written files) derived from its content. */
export function etagOf(sub: SimSubscription): string {
  if (sub.attributes?.etag !== undefined) return sub.attributes.etag;
  const { attributes: _attributes, ...content } = sub;
  return hash(JSON.stringify(content));
}

function sameSchedule(a: unknown, b: WireScheduledNextTermInstructions | null): boolean {
  if (a === null || b === null) return a === b;
  if (typeof a !== "object") return false;
  const x = a as Partial<WireScheduledNextTermInstructions>;
  const p = x.product;
  const endOf = (v: unknown): number | null => (v === undefined || v === null || v === "" ? null : parseInstant(v));
  return (
    p !== undefined &&
    p.productId === b.product.productId &&
    p.skuId === b.product.skuId &&
    // A client may leave the availability out; it then means the current one.
    (!p.availabilityId || p.availabilityId === b.product.availabilityId) &&
    enumKey(p.billingCycle) === enumKey(b.product.billingCycle) &&
    enumKey(p.termDuration) === enumKey(b.product.termDuration) &&
    x.quantity === b.quantity &&
    endOf(x.customTermEndDate) === endOf(b.customTermEndDate)
  );
}

function renderCart(cart: SimCart): WireCart {
  const { checkoutResult: _result, ...wire } = cart;
  return structuredClone(wire);
}

/** The catalog of a state: its own `catalog` array, or the built-in one. */
export function catalogOf(state: SimState): Catalog {
  if (!state.catalog) return builtInCatalogData();
  return catalogFromEntries(state.catalog, state.settings?.currency ?? DEFAULT_CURRENCY);
}
