import type {
  WireCart,
  WireCustomer,
  WireCustomTermEndDate,
  WireSubscribedSku,
  WireSubscription,
  WireTransition,
  WireTransitionEligibility,
} from "../wire/partner-center";
import { billing, type Billing } from "./commerce/billing";
import { CommerceContext } from "./commerce/context";
import { customTermEndDates } from "./commerce/coterm";
import { renderCustomer } from "./commerce/customers";
import {
  checkout,
  createCart,
  createOrder,
  getCart,
  getOrder,
  listOrders,
  orderProvisioningStatus,
  provisionOrder,
  type WireOrderProvisioningStatus,
} from "./commerce/orders";
import { hasDueRenewals, processRenewals } from "./commerce/renewals";
import { getSubscription, listSubscriptions, type PatchResult, patchSubscription, renderSubscription } from "./commerce/subscriptions";
import { failTransition, listTransitions, transition, transitionEligibilities } from "./commerce/transitions";
import { subscribedSkus } from "./commerce/usage";
import { SimError } from "./errors";
import type { SimCheckoutResult, SimCustomer, SimOrder, SimSubscription } from "./state";

export { catalogOf, type CommerceOptions, DEFAULT_CANCELLATION_WINDOW_HOURS, type SubscribedSkuIds } from "./commerce/context";
export { etagOf } from "./commerce/values";

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
 *
 * The rules live by resource in `./commerce/` (customers, subscriptions, orders, transitions,
 * renewals, co-terming, usage) as functions over a {@link CommerceContext}; this class is the one
 * object the routes and the service use.
 */
export class Commerce extends CommerceContext {
  renderCustomer(customer: SimCustomer): WireCustomer {
    return renderCustomer(this, customer);
  }

  listSubscriptions(customerId: string, filter: { orderId?: string } = {}): WireSubscription[] {
    return listSubscriptions(this, customerId, filter);
  }

  getSubscription(customerId: string, subscriptionId: string): WireSubscription {
    return getSubscription(this, customerId, subscriptionId);
  }

  /** The subscription as Partner Center shows it at `now`. */
  renderSubscription(customer: SimCustomer, sub: SimSubscription): WireSubscription {
    return renderSubscription(this, customer, sub);
  }

  /** See {@link patchSubscription}. */
  patchSubscription(customerId: string, subscriptionId: string, body: unknown, ifMatch?: string): PatchResult {
    return patchSubscription(this, customerId, subscriptionId, body, ifMatch);
  }

  /** True when some subscription (of one customer, or of all) has a renewal or expiry due. */
  hasDueRenewals(customerId?: string): boolean {
    return hasDueRenewals(this, customerId);
  }

  /** Process every renewal and expiry due at `now` (of one customer, or of all). */
  processRenewals(customerId?: string): void {
    processRenewals(this, customerId);
  }

  createCart(customerId: string, body: unknown): WireCart {
    return createCart(this, customerId, body);
  }

  getCart(customerId: string, cartId: string): WireCart {
    return getCart(this, customerId, cartId);
  }

  /** Idempotent: checking out an ordered cart again returns the first result. */
  checkout(customerId: string, cartId: string): SimCheckoutResult {
    return checkout(this, customerId, cartId);
  }

  /** See {@link createOrder}. */
  createOrder(customerId: string, body: unknown): SimOrder {
    return createOrder(this, customerId, body);
  }

  getOrder(customerId: string, orderId: string): SimOrder {
    return getOrder(this, customerId, orderId);
  }

  listOrders(customerId: string): SimOrder[] {
    return listOrders(this, customerId);
  }

  orderProvisioningStatus(customerId: string, orderId: string): WireOrderProvisioningStatus[] {
    return orderProvisioningStatus(this, customerId, orderId);
  }

  /** See {@link customTermEndDates}. */
  customTermEndDates(
    customerId: string,
    query: { termDuration: unknown; termStartDate?: unknown; targetCotermSubscriptionId?: string },
  ): WireCustomTermEndDate[] {
    return customTermEndDates(this, customerId, query);
  }

  /** Licence usage per offer: seats bought (active subscriptions) and seats assigned to users. */
  subscribedSkus(customerId: string): WireSubscribedSku[] {
    return subscribedSkus(this, customerId);
  }

  transitionEligibilities(customerId: string, subscriptionId: string, type: string = "immediate"): WireTransitionEligibility[] {
    return transitionEligibilities(this, customerId, subscriptionId, type);
  }

  /** See {@link transition}. */
  transition(customerId: string, subscriptionId: string, body: unknown): WireTransition {
    return transition(this, customerId, subscriptionId, body);
  }

  /** The annualised run rate per subscription (`GET /_sim/billing`). */
  billing(customerId: string): Billing {
    return billing(this, customerId);
  }

  listTransitions(customerId: string, subscriptionId: string, operationId?: string): WireTransition[] {
    return listTransitions(this, customerId, subscriptionId, operationId);
  }

  /**
   * Apply the accepted writes due at `realNow`, oldest first. A write that can no longer be
   * applied (the subscription changed in between, e.g. it renewed) is dropped; a transition
   * records it as a `Failed` event.
   */
  applyDuePending(realNow: number): void {
    const all = this.state.pending ?? [];
    const due = all.filter((p) => Date.parse(p.dueAt) <= realNow);
    if (due.length === 0) return;
    this.state.pending = all.filter((p) => Date.parse(p.dueAt) > realNow);
    if (this.state.pending.length === 0) delete this.state.pending;
    this.changed = true;
    for (const p of due) {
      if (!this.hasCustomer(p.customerId)) continue;
      try {
        switch (p.kind) {
          case "patch":
            patchSubscription(this, p.customerId, p.subscriptionId, p.body, undefined, true);
            break;
          case "transition":
            transition(this, p.customerId, p.subscriptionId, p.body, {
              operationId: p.operationId,
              ...(p.newSubscriptionId !== undefined ? { newSubscriptionId: p.newSubscriptionId } : {}),
            });
            break;
          case "order":
            provisionOrder(this, p.customerId, p.orderId, p.lines, p.subscriptionIds);
            break;
        }
      } catch (e) {
        if (!(e instanceof SimError)) throw e;
        if (p.kind === "transition") failTransition(this, p.customerId, p.operationId, e);
      }
    }
  }
}
