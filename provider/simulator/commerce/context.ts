import { randomUUID } from "node:crypto";
import { formatWireDate, offerKeyOf } from "../../wire/partner-center";
import type { BillingCycle, CatalogOffer, Term } from "../../domain/types";
import { builtInCatalogData, catalogFromEntries, CatalogIndex, DEFAULT_CURRENCY, type SimCatalog } from "../catalog";
import { HOUR_MS, utcMs } from "../dates";
import { CODES, SimError } from "../errors";
import type { SeatLotRecord, SimCustomer, SimPending, SimState, SimSubscription } from "../state";
import { type Eligibility, etagOf, hash } from "./values";

/**
 * What every resource of the commerce state machine shares: the state at an explicit instant
 * `now`, the catalog, id generation, and the lookups and seat-batch bookkeeping that more than
 * one resource needs. The resources (subscriptions, orders, transitions, renewals, usage) are
 * functions over this context; {@link Commerce} in `../engine` puts them behind one object.
 */

export const DEFAULT_CANCELLATION_WINDOW_HOURS = 168;
const CUSTOMER_INDEX = new WeakMap<readonly SimCustomer[], Map<string, SimCustomer>>();

export interface CommerceOptions {
  /** The simulated instant (UTC ms). */
  readonly now: number;
  /** New resource ids (subscriptions, carts, orders, operations). @default crypto.randomUUID */
  readonly newId?: () => string;
  /** What `subscribedskus` puts in `productSku.id`; see {@link SubscribedSkuIds}. @default "graph" */
  readonly subscribedSkuIds?: SubscribedSkuIds;
  /**
   * Set: writes are accepted now and take effect later (`--async-ms`): a PATCH answers 202, a
   * transition `Started`, an order `pending`. Real time (ms) of accepting and of taking effect.
   */
  readonly deferred?: { readonly acceptedAt: number; readonly dueAt: number };
  /** The real clock (ms), for the `Retry-After` of a 409 on a pending write. @default Date.now */
  readonly realNow?: number;
}

/**
 * `graph`: the Entra/Graph SKU id, as Partner Center does (the client maps it to offers through
 * the catalog's `provisioningId`, `client/usage.ts`). `offer`: the catalog's
 * `PRODUCT:SKU`, as older simulators did (the client still reads it).
 */
export type SubscribedSkuIds = "graph" | "offer";

export class CommerceContext {
  /** True once a write changed the state (it must be saved). */
  changed = false;
  readonly now: number;
  readonly newId: () => string;
  readonly windowMs: number;
  readonly index: CatalogIndex;
  readonly subscribedSkuIds: SubscribedSkuIds;
  readonly deferred: { readonly acceptedAt: number; readonly dueAt: number } | undefined;
  private readonly realNow: number;

  constructor(
    readonly state: SimState,
    options: CommerceOptions,
  ) {
    this.now = options.now;
    this.newId = options.newId ?? randomUUID;
    this.windowMs = (state.settings?.cancellationWindowHours ?? DEFAULT_CANCELLATION_WINDOW_HOURS) * HOUR_MS;
    this.index = new CatalogIndex(catalogOf(state));
    this.subscribedSkuIds = options.subscribedSkuIds ?? "graph";
    this.deferred = options.deferred;
    this.realNow = options.realNow ?? Date.now();
  }

  get catalog(): SimCatalog {
    return this.index.catalog;
  }

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

  findCustomer(customerId: string): SimCustomer | undefined {
    // Indexed once per loaded state: a benchmark reads 1,000s of customers one by one.
    let index = CUSTOMER_INDEX.get(this.state.customers);
    if (!index) {
      index = new Map(this.state.customers.map((c) => [c.id.toLowerCase(), c]));
      CUSTOMER_INDEX.set(this.state.customers, index);
    }
    const key = customerId.toLowerCase();
    return index.get(key) ?? this.state.customers.find((c) => c.id.toLowerCase() === key);
  }

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

  /** The accepted write (`--async-ms`) that holds a subscription until it takes effect, if any. */
  pendingOn(customerId: string, subscriptionId: string): SimPending | undefined {
    const c = customerId.toLowerCase();
    const s = subscriptionId.toLowerCase();
    return this.state.pending?.find((p) => p.customerId.toLowerCase() === c && p.holds.some((h) => h.toLowerCase() === s));
  }

  /** Refuse a write to a subscription that an accepted write still holds: 409, as Partner Center. */
  checkNotPending(customerId: string, subscriptionId: string): void {
    const pending = this.pendingOn(customerId, subscriptionId);
    if (!pending) return;
    const retryAfter = { "Retry-After": String(Math.max(1, Math.ceil((Date.parse(pending.dueAt) - this.realNow) / 1000))) };
    if (pending.kind === "transition") {
      throw new SimError(
        409,
        CODES.upgradeInProgress,
        `Another upgrade of subscription ${subscriptionId} is in progress (operation ${pending.operationId}); GET …/transitions?operationId=${pending.operationId} until it is Completed, then try again`,
        retryAfter,
      );
    }
    throw new SimError(
      409,
      CODES.notReady,
      `Subscription is not ready to be updated. Try again after sometime: a change to subscription ${subscriptionId} accepted at ${pending.acceptedAt} is still being applied; GET the subscription until it shows the change`,
      retryAfter,
    );
  }

  /** Real times (ISO 8601) of a write accepted now: when, and when it takes effect. */
  pendingTimes(): { readonly acceptedAt: string; readonly dueAt: string } {
    const d = this.deferred ?? { acceptedAt: 0, dueAt: 0 };
    return { acceptedAt: new Date(d.acceptedAt).toISOString(), dueAt: new Date(d.dueAt).toISOString() };
  }

  /** Record a write accepted now that takes effect at `deferred.dueAt`. */
  addPending(pending: SimPending): void {
    (this.state.pending ??= []).push(pending);
    this.changed = true;
  }

  checkBounds(offer: CatalogOffer | undefined, quantity: number, what: string): void {
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

  /**
   * Partner Center pools a product SKU's `maximumQuantity` on the customer tenant, across its
   * subscriptions ("Offer limits in new commerce"): 403 800088 with the remaining count. `holder`
   * is the subscription that would hold `requested` seats (its own seats are not counted twice);
   * `pending` are seats of the same request already counted (earlier cart lines).
   */
  checkPool(customer: SimCustomer, offer: CatalogOffer | undefined, requested: number, holder?: SimSubscription, pending = 0): void {
    if (!offer) return;
    const held =
      customer.subscriptions
        .filter((s) => s !== holder && s.status === "active" && this.index.offer(offerKeyOf(s.offerId)) === offer)
        .reduce((n, s) => n + s.quantity, 0) + pending;
    if (held + requested <= offer.maxQuantity) return;
    throw new SimError(
      403,
      CODES.seatCap,
      `The requested number of ${requested} seats exceeds the remaining limit of ${Math.max(0, offer.maxQuantity - held)} seats allowed per subscription for the CatalogItemId - ${this.index.catalogItemId(offer)} ` +
        `(the SKU's maximum of ${offer.maxQuantity} is pooled across the customer's subscriptions)`,
    );
  }

  /** Seats of `offer` still available on the customer tenant. */
  remainingSeats(customer: SimCustomer, offer: CatalogOffer): number {
    const held = customer.subscriptions.filter((s) => s.status === "active" && this.index.offer(offerKeyOf(s.offerId)) === offer).reduce((n, s) => n + s.quantity, 0);
    return Math.max(0, offer.maxQuantity - held);
  }

  staleAvailability(catalogItemId: string, offer: CatalogOffer): SimError {
    return new SimError(
      400,
      CODES.invalidCatalogItem,
      `Catalog item id ${catalogItemId} is not valid: the current availability of ${offer.name} is ${this.index.catalogItemId(offer)}; read it from GET /v1/products/${offer.productId}/skus/${offer.skuId}/availabilities`,
    );
  }

  checkSold(offer: CatalogOffer, term: Term, billing: BillingCycle): void {
    if (!this.index.sells(offer, term, billing)) {
      throw new SimError(
        400,
        CODES.billingPlanNotSupported,
        `${offer.name} is not sold as ${term} billed ${billing}; choose one of ${offer.terms.map((t) => `${t.term}/${t.billing}`).join(", ")}`,
      );
    }
  }

  /**
   * Offers a subscription may move to: immediately, the catalog's `upgradesTo` of the same
   * segment; at renewal (`scheduled`), also its own offer.
   */
  eligibleOffers(sub: SimSubscription, type: Eligibility): CatalogOffer[] {
    const own = this.offerOf(sub);
    if (!own) return [];
    const upgrades = own.upgradesTo
      .map((key) => this.index.offer(key))
      .filter((o): o is CatalogOffer => o !== undefined && o.segment === own.segment);
    return type === "scheduled" ? [own, ...upgrades] : upgrades;
  }

  offerOf(sub: SimSubscription): CatalogOffer | undefined {
    return this.index.offer(offerKeyOf(sub.offerId));
  }

  /** The cancel deadline: stored, or derived (term start + window) for hand-written files. */
  cancellationDeadline(sub: SimSubscription): string | null {
    if (sub.cancellationAllowedUntilDate !== undefined) return sub.cancellationAllowedUntilDate;
    return formatWireDate(utcMs(sub.effectiveStartDate) + this.windowMs);
  }

  /** The seat batches of the current term (read-only view; see {@link SimSubscription.seatLots}). */
  lotsOf(sub: SimSubscription): SeatLotRecord[] {
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

  openLots(sub: SimSubscription): SeatLotRecord[] {
    return this.lotsOf(sub).filter((l) => utcMs(l.allowedUntilDateTime) >= this.now);
  }

  /** Store the batches on the subscription (replacing a hand-written `refundableQuantity`). */
  materialiseLots(sub: SimSubscription): SeatLotRecord[] {
    const lots = this.lotsOf(sub);
    sub.seatLots = lots;
    delete sub.refundableQuantity;
    return lots;
  }

  /** Record a change: new etag, state to be saved. */
  touch(sub: SimSubscription): void {
    const previous = etagOf(sub);
    const { attributes: _attributes, ...content } = sub;
    sub.attributes = { objectType: "Subscription", etag: hash(`${previous}\n${JSON.stringify(content)}`) };
    this.changed = true;
  }
}

/** The catalog of a state: its own `catalog` array, or the built-in one. */
export function catalogOf(state: SimState): SimCatalog {
  if (!state.catalog) return builtInCatalogData();
  return catalogFromEntries(state.catalog, state.settings?.currency ?? DEFAULT_CURRENCY);
}
