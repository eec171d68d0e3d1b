import { BackendError } from "../domain/errors";
import type {
  BillingCycle,
  Catalog,
  Customer,
  CustomTermEndDate,
  IsoDate,
  LicenceUsage,
  ObservedSubscription,
  PurchaseRequest,
  RenewalInstructions,
  Term,
  TransitionEligibility,
  TransitionRequest,
  TransitionResult,
} from "../domain/types";
import { deriveRequestId } from "../http/idempotency";
import { pageGuard } from "../http/paging";
import { SimulatorService, type RequestLogEntry, type SimulatorServiceOptions } from "../simulator/service";
import type { Backend, BackendCapabilities, WriteOptions } from "./backend";
import { withAutoRenew, withCancelAtTermEnd } from "./partner-center/est";
import { graphSkuIndex, licenceUsageFromSkus } from "./partner-center/usage";
import { catalogOf } from "../simulator/engine";
import {
  apiFaultFrom,
  cartLineItemFor,
  CONTINUATION_HEADER,
  customerFromWire,
  customTermEndDateFromWire,
  renewalInstructionsToWire,
  subscriptionFromWire,
  transitionEligibilityFromWire,
  transitionRequestToWire,
  type WireCart,
  type WireCartCheckoutResult,
  type WireCollection,
  type WireCustomer,
  type WireCustomTermEndDate,
  type WireSubscribedSku,
  type WireSubscription,
  type WireTransition,
  type WireTransitionEligibility,
} from "./partner-center/wire";

/**
 * The embedded backend (`SEATPLAN_BACKEND=simulator`, the default): the commerce simulator in
 * process on its JSON state file — no server, no credentials.
 *
 * It speaks to the simulator the way the REST backend speaks to Partner Center (same paths,
 * same JSON, GET-modify-PATCH with the etag, cart + checkout, `MS-RequestId` on writes) through
 * {@link SimulatorService.handle}, and maps answers with the one wire mapping
 * (`partner-center/wire.ts`). So the rules, throttling, replay and faults are the simulator's
 * own, identical to what the HTTP facade serves.
 */

/** The embedded backend is the simulator service in process: it takes the service's options. */
export type SimulatorBackendOptions = SimulatorServiceOptions;

const CUSTOMER_PAGE_SIZE = 100;

export class SimulatorBackend implements Backend {
  readonly name = "simulator";
  readonly capabilities: BackendCapabilities = {
    licenceUsage: true,
    cancelAtTermEnd: true,
    customTermEndDates: true,
    transitions: true,
  };

  private constructor(readonly service: SimulatorService) {}

  static async open(options: SimulatorBackendOptions): Promise<SimulatorBackend> {
    return new SimulatorBackend(await SimulatorService.open(options));
  }

  now(): Promise<IsoDate> {
    return Promise.resolve(this.service.now());
  }

  /** The requests this backend made, oldest first (what `GET /_sim/requests` shows for a server). */
  requests(): RequestLogEntry[] {
    return this.service.requests();
  }

  async listCustomers(): Promise<Customer[]> {
    const customers: Customer[] = [];
    let token: string | undefined;
    const guard = pageGuard("/v1/customers");
    do {
      const page = await this.call<WireCollection<WireCustomer>>("GET", "/v1/customers", {
        query: { size: String(CUSTOMER_PAGE_SIZE) },
        ...(token ? { headers: { [CONTINUATION_HEADER.toLowerCase()]: token } } : {}),
      });
      customers.push(...page.items.map(customerFromWire));
      token = page.links?.next?.headers.find((h) => h.key.toLowerCase() === CONTINUATION_HEADER.toLowerCase())?.value;
      const verdict = guard.next(page.items.length, token ?? null);
      if (!verdict.follow && !verdict.done) throw new BackendError(`simulator: ${verdict.message}`, 502, verdict.code);
    } while (token);
    return customers;
  }

  async listSubscriptions(customerId: string): Promise<ObservedSubscription[]> {
    const page = await this.call<WireCollection<WireSubscription>>("GET", `${customerPath(customerId)}/subscriptions`);
    return page.items.map((s) => subscriptionFromWire(s, customerId));
  }

  async getSubscription(customerId: string, subscriptionId: string): Promise<ObservedSubscription> {
    return subscriptionFromWire(await this.getWire(customerId, subscriptionId), customerId);
  }

  async purchase(customerId: string, request: PurchaseRequest): Promise<ObservedSubscription> {
    const offer = this.service.catalog().offers.find((o) => o.offer === request.offer);
    const availabilityId = request.availabilityId ?? offer?.availabilityId;
    // Unknown offers go to the simulator as they are: it answers with the catalog error.
    const catalogItemId = availabilityId ? `${request.offer}:${availabilityId}` : request.offer;
    // Partner Center's checkout is idempotent per cart, creating a cart is not: both calls carry
    // a request id derived from the idempotency key, so a replayed purchase reuses the cart.
    const cart = await this.call<WireCart>("POST", `${customerPath(customerId)}/carts`, {
      body: { lineItems: [cartLineItemFor(request, catalogItemId)] },
      requestId: deriveRequestId(request.idempotencyKey, "cart"),
    });
    const checkoutRequestId = deriveRequestId(request.idempotencyKey, "checkout");
    const result = await this.call<WireCartCheckoutResult>("POST", `${customerPath(customerId)}/carts/${cart.id}/checkout`, {
      requestId: checkoutRequestId,
    });
    const subscriptionId = result.orders[0]?.lineItems[0]?.subscriptionId;
    if (!subscriptionId) {
      const why = result.orderErrors.map((e) => `${e.code} ${e.description}`).join("; ") || "no subscription in the order";
      throw new BackendError(`simulator: checkout of cart ${cart.id} bought nothing (${why})`, 502, "CheckoutFailed", checkoutRequestId);
    }
    return this.getSubscription(customerId, subscriptionId);
  }

  setQuantity(customerId: string, subscriptionId: string, quantity: number, options?: WriteOptions): Promise<ObservedSubscription> {
    return this.modify(customerId, subscriptionId, (s) => ({ ...s, quantity }), options);
  }

  setAutoRenew(customerId: string, subscriptionId: string, enabled: boolean, options?: WriteOptions): Promise<ObservedSubscription> {
    return this.modify(customerId, subscriptionId, (s) => withAutoRenew(s, enabled), options);
  }

  /** Mid-term: a longer term (a new term starts now) and/or another billing frequency. */
  changeTerm(customerId: string, subscriptionId: string, term: Term, billing: BillingCycle, options?: WriteOptions): Promise<ObservedSubscription> {
    return this.modify(customerId, subscriptionId, (s) => ({ ...s, termDuration: term, billingCycle: billing }), options);
  }

  scheduleRenewal(
    customerId: string,
    subscriptionId: string,
    instructions: RenewalInstructions,
    options?: WriteOptions,
  ): Promise<ObservedSubscription> {
    const availabilityId = this.service.catalog().offers.find((o) => o.offer === instructions.offer)?.availabilityId ?? "";
    const scheduled = renewalInstructionsToWire(instructions, availabilityId);
    return this.modify(customerId, subscriptionId, (s) => ({ ...s, scheduledNextTermInstructions: scheduled }), options);
  }

  clearRenewal(customerId: string, subscriptionId: string, options?: WriteOptions): Promise<ObservedSubscription> {
    return this.modify(customerId, subscriptionId, (s) => ({ ...s, scheduledNextTermInstructions: null }), options);
  }

  rename(customerId: string, subscriptionId: string, friendlyName: string, options?: WriteOptions): Promise<ObservedSubscription> {
    return this.modify(customerId, subscriptionId, (s) => ({ ...s, friendlyName }), options);
  }

  cancel(customerId: string, subscriptionId: string, options?: WriteOptions): Promise<ObservedSubscription> {
    return this.modify(customerId, subscriptionId, (s) => ({ ...s, status: "deleted" }), options);
  }

  /** Auto-renew off plus the explicit end-of-term cancellation (the EST adapter, `partner-center/est.ts`). */
  cancelAtTermEnd(customerId: string, subscriptionId: string, options?: WriteOptions): Promise<ObservedSubscription> {
    return this.modify(customerId, subscriptionId, withCancelAtTermEnd, options);
  }

  async getTransitionEligibilities(customerId: string, subscriptionId: string): Promise<TransitionEligibility[]> {
    const page = await this.call<WireCollection<WireTransitionEligibility>>(
      "GET",
      `${customerPath(customerId)}/subscriptions/${encodeURIComponent(subscriptionId)}/transitionEligibilities`,
      { query: { eligibilityType: "immediate" } },
    );
    return page.items.map(transitionEligibilityFromWire);
  }

  async transition(
    customerId: string,
    subscriptionId: string,
    request: TransitionRequest,
    options?: WriteOptions,
  ): Promise<TransitionResult> {
    const offer = this.service.catalog().offers.find((o) => o.offer === request.to);
    const toCatalogItemId = offer ? `${offer.offer}:${offer.availabilityId}` : request.to;
    const done = await this.call<WireTransition>(
      "POST",
      `${customerPath(customerId)}/subscriptions/${encodeURIComponent(subscriptionId)}/transitions`,
      { body: transitionRequestToWire(request, toCatalogItemId), ...(options?.requestId ? { requestId: options.requestId } : {}) },
    );
    const targetId = done.toSubscriptionId ?? request.toSubscriptionId;
    if (!targetId) throw new BackendError(`simulator: transition of ${subscriptionId} returned no target subscription`, 502, "InvalidResponse");
    return {
      source: await this.getSubscription(customerId, subscriptionId),
      target: await this.getSubscription(customerId, targetId),
    };
  }

  async getCustomTermEndDates(
    customerId: string,
    query: { readonly term: Term; readonly startDate?: IsoDate; readonly cotermSubscriptionId?: string },
  ): Promise<CustomTermEndDate[]> {
    const page = await this.call<WireCollection<WireCustomTermEndDate>>("GET", `${customerPath(customerId)}/subscriptions/customTermEndDates`, {
      query: {
        term_duration: query.term,
        ...(query.startDate ? { term_start_date: query.startDate } : {}),
        ...(query.cotermSubscriptionId ? { target_coterm_subscription_id: query.cotermSubscriptionId } : {}),
      },
    });
    return page.items.map(customTermEndDateFromWire);
  }

  async getLicenceUsage(customerId: string): Promise<LicenceUsage> {
    const page = await this.call<WireCollection<WireSubscribedSku>>("GET", `${customerPath(customerId)}/subscribedskus`);
    // Graph SKU ids map to offers through the catalog's provisioningId (partner-center/usage.ts).
    return licenceUsageFromSkus(page.items, graphSkuIndex(catalogOf(this.service.store.read()).offers));
  }

  getCatalog(): Promise<Catalog> {
    return Promise.resolve(this.service.catalog());
  }

  close(): Promise<void> {
    return Promise.resolve();
  }

  // -------------------------------------------------------------------------------------------

  private getWire(customerId: string, subscriptionId: string): Promise<WireSubscription> {
    return this.call<WireSubscription>("GET", `${customerPath(customerId)}/subscriptions/${encodeURIComponent(subscriptionId)}`);
  }

  /** GET-modify-PATCH with the etag read, as Partner Center requires. */
  private async modify(
    customerId: string,
    subscriptionId: string,
    change: (current: WireSubscription) => WireSubscription,
    options?: WriteOptions,
  ): Promise<ObservedSubscription> {
    const current = await this.getWire(customerId, subscriptionId);
    const updated = await this.call<WireSubscription>(
      "PATCH",
      `${customerPath(customerId)}/subscriptions/${encodeURIComponent(subscriptionId)}`,
      { body: change(current), ...(options?.requestId ? { requestId: options.requestId } : {}) },
    );
    return subscriptionFromWire(updated, customerId);
  }

  private async call<T>(
    method: string,
    path: string,
    options: {
      readonly query?: Readonly<Record<string, string>>;
      readonly headers?: Readonly<Record<string, string>>;
      readonly body?: unknown;
      readonly requestId?: string;
    } = {},
  ): Promise<T> {
    const headers: Record<string, string> = { ...options.headers };
    if (options.requestId) headers["ms-requestid"] = options.requestId;
    const response = await this.service.handle({
      method,
      path,
      query: new URLSearchParams(options.query ?? {}),
      headers,
      body: options.body,
    });
    if (response.status < 300) return response.body as T;
    const fault = apiFaultFrom(response.body);
    const retryAfter = response.headers["Retry-After"];
    const description = fault?.description ?? `HTTP ${response.status}`;
    throw new BackendError(
      `simulator: ${description}${retryAfter ? ` (retry after ${retryAfter} s)` : ""} [${method} ${path} → ${response.status} ${fault?.code ?? ""}]`.replace(" ]", "]"),
      response.status,
      fault?.code ?? String(response.status),
      options.requestId ?? null,
    );
  }
}

function customerPath(customerId: string): string {
  return `/v1/customers/${encodeURIComponent(customerId)}`;
}

/** Open the embedded simulator backend on a state file. */
export function createSimulatorBackend(options: SimulatorBackendOptions): Promise<SimulatorBackend> {
  return SimulatorBackend.open(options);
}
