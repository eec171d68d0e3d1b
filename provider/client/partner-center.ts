import { randomUUID } from "node:crypto";
import type { NodeSystemOptions } from "@azure/msal-node";
import { BackendError, isBackendError } from "../domain/errors";
import type {
  BillingCycle,
  Catalog,
  CatalogOffer,
  Customer,
  CustomTermEndDate,
  IsoDate,
  LicenceUsage,
  ObservedSubscription,
  OfferKey,
  PurchaseRequest,
  RenewalInstructions,
  Segment,
  Term,
  TransitionEligibility,
  TransitionRequest,
  TransitionResult,
} from "../domain/types";
import { type AccessTokenSource, HttpClient, type HttpRequest, type HttpResponse } from "../http/client";
import { deriveRequestId } from "../domain/ids";
import { pageGuard } from "../http/paging";
import { type Redactor, redactorFor } from "../http/redact";
import type { RetryPolicy } from "../http/retry";
import type { Transport } from "../http/transport";
import type { Backend, BackendCapabilities, WriteOptions } from "../backends/backend";
import { type PartnerCenterCredentials, tokenSourceFor } from "./auth";
import { describePartnerCenterFailure } from "./errors";
import { ServerClock } from "./server-clock";
import { endOfTermFromWire, withAutoRenew, withCancelAtTermEnd } from "../wire/est";
import { graphSkuIndex, licenceUsageFromSkus } from "./usage";
import {
  cartLineItemFor,
  customerFromWire,
  customTermEndDateFromWire,
  formatWireDate,
  isNceLicenceSubscription,
  offerKeyOf,
  parseBillingCycle,
  parseTerm,
  renewalInstructionsToWire,
  splitCatalogItemId,
  subscriptionFromWire,
  transitionEligibilityFromWire,
  transitionRequestToWire,
  type WireAvailability,
  type WireCart,
  type WireCartCheckoutResult,
  type WireCollection,
  type WireCustomer,
  type WireCustomTermEndDate,
  type WireOrder,
  type WireOrderLineProvisioning,
  type WireProduct,
  type WireSku,
  type WireSubscribedSku,
  type WireSubscription,
  type WireTransition,
  type WireTransitionEligibility,
  type WireTransitionEvent,
} from "../wire/partner-center";

export const DEFAULT_ENDPOINT = "https://api.partnercenter.microsoft.com";

/**
 * How long to wait for an asynchronous result: a change answered 202 Accepted, a change still
 * pending (409 800082), a transition `Started`, an order `pending`, a new subscription to appear.
 */
export interface PollingOptions {
  /** Pause between two reads. @default 2000 */
  readonly intervalMs: number;
  /** Reads before giving up. @default 30 */
  readonly maxPolls: number;
}

/** A source of bearer tokens, with what the client must know about them. */
export type ClientTokenSource = AccessTokenSource & {
  /** App+user tokens: calls that need a user (subscribedskus) are possible. */
  readonly delegated: boolean;
  /** Strings to blank in every error and log line. */
  readonly secrets: readonly string[];
};

/** Configuration of the Partner Center client: `credentials` (through MSAL) or `tokens`. */
export interface PartnerCenterBackendOptions extends PartnerCenterClientOptions {
  readonly credentials?: PartnerCenterCredentials;
  /** A token source given as is (the embedded simulator's, which needs no credentials). */
  readonly tokens?: ClientTokenSource;
}

export interface PartnerCenterClientOptions {
  /** The name printed in plans (`Backend.name`). @default "partner-center" */
  readonly name?: string;
  /** What carries each request. @default HTTPS to `endpoint` (axios) */
  readonly transport?: Transport;
  /** What the server behind the transport can do, where it differs from Partner Center's. */
  readonly capabilities?: Partial<BackendCapabilities>;
  /** REST base URL (`SEATPLAN_ENDPOINT`). @default "https://api.partnercenter.microsoft.com" */
  readonly endpoint?: string;
  /** Token authority (`SEATPLAN_AUTHORITY`). @default `https://login.microsoftonline.com/<tenantId>` */
  readonly authority?: string;
  /** MSAL system options; tests pass a network client here (reference/msal-testing.md). */
  readonly msalSystem?: NodeSystemOptions;
  /** Country whose catalog is read. @default "US" */
  readonly country?: string;
  /**
   * List prices, families, ranks and upgrade paths, keyed by `PRODUCT:SKU`: the Partner Center
   * catalog API has none of them (prices live in separately downloaded price sheets).
   * Configuration passes seatplan's built-in catalog data (`config/partner-center.ts`).
   */
  readonly priceList: Catalog;
  /** Customers per page of `GET /v1/customers`. @default 500 */
  readonly pageSize?: number;
  /** Requests in flight per customer. @default 4 */
  readonly concurrencyPerCustomer?: number;
  readonly retryPolicy?: RetryPolicy;
  /** Per-attempt timeout. @default 30000 */
  readonly timeoutMs?: number;
  readonly polling?: PollingOptions;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly now?: () => number;
  readonly random?: () => number;
  readonly newId?: () => string;
  /** One line per HTTP attempt, redacted. */
  readonly log?: (line: string) => void;
}

const DEFAULT_POLLING: PollingOptions = { intervalMs: 2000, maxPolls: 30 };
/** Partner Center's "the subscription is not ready to be updated" (a change is still pending). */
const NOT_READY = "800082";
/** Partner Center's "the etag is no longer valid". */
const STALE_ETAG = "2055";
const SEGMENTS: readonly Segment[] = ["commercial", "education", "government", "nonprofit"];
const CONTINUATION = "MS-ContinuationToken";

const enc = encodeURIComponent;

/**
 * The one Partner Center client (conventions #14): the `Backend` port over the Partner Center
 * REST protocol (design §5), whatever carries the requests — HTTPS to the service or to the
 * simulator's facade, or the simulator's request handler in this process (the embedded
 * default). Reads are one call per customer; every write is GET-modify-PATCH of the full
 * subscription with its etag (re-read and retried once on 2055), followed until it shows when
 * the service answers 202 Accepted, and waited out when another change is still pending
 * (409 800082); purchases are cart + checkout with request ids derived from the purchase's
 * idempotency key, so a replay buys once, and a `pending` order is followed to its
 * subscription; transitions are followed until `Completed`. Every wait is bounded
 * ({@link PollingOptions}) and says what it waits for when it gives up.
 */
export class PartnerCenterBackend implements Backend {
  readonly name: string;
  readonly capabilities: BackendCapabilities;
  private readonly http: HttpClient;
  private readonly tokens: ClientTokenSource;
  private readonly clock = new ServerClock();
  private readonly redact: Redactor;
  private readonly country: string;
  private readonly priceList: Catalog;
  private readonly polling: PollingOptions;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly newId: () => string;
  private catalog: Promise<Catalog> | undefined;
  /** Graph SKU id / part number → offer, filled while the catalog loads (licence usage is keyed by Graph SKU id). */
  private readonly graphSkus = new Map<string, OfferKey>();

  constructor(private readonly options: PartnerCenterBackendOptions) {
    this.name = options.name ?? "partner-center";
    if (options.tokens === undefined && options.credentials === undefined) throw new Error("the Partner Center client needs credentials or a token source");
    this.tokens =
      options.tokens ??
      tokenSourceFor(options.credentials as PartnerCenterCredentials, {
        ...(options.authority !== undefined ? { authority: options.authority } : {}),
        ...(options.msalSystem !== undefined ? { msalSystem: options.msalSystem } : {}),
        ...(options.now !== undefined ? { now: options.now } : {}),
        ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
      });
    this.redact = redactorFor(this.tokens.secrets);
    this.newId = options.newId ?? randomUUID;
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.country = options.country ?? "US";
    this.priceList = options.priceList;
    this.polling = options.polling ?? DEFAULT_POLLING;
    this.capabilities = {
      // subscribedskus is app+user only (reference §1.3).
      licenceUsage: this.tokens.delegated,
      // The Extended Service Term API shape is unconfirmed (reference §3.5): auto-renew off only.
      cancelAtTermEnd: true,
      customTermEndDates: true,
      transitions: true,
      ...options.capabilities,
    };
    this.http = new HttpClient({
      baseUrl: options.endpoint ?? DEFAULT_ENDPOINT,
      auth: this.tokens,
      secrets: this.tokens.secrets,
      // A server other than Partner Center (the embedded simulator) is named in every error.
      describe: this.name === "partner-center" ? describePartnerCenterFailure : (f) => {
        const d = describePartnerCenterFailure(f);
        return { ...d, message: `${this.name}: ${d.message}` };
      },
      newId: this.newId,
      sleep: this.sleep,
      headers: { "MS-PartnerCenter-Application": "seatplan" },
      observe: (response) => this.clock.observe(response.headers),
      ...(options.transport !== undefined ? { transport: options.transport } : {}),
      ...(options.retryPolicy !== undefined ? { policy: options.retryPolicy } : {}),
      ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
      ...(options.concurrencyPerCustomer !== undefined ? { concurrencyPerScope: options.concurrencyPerCustomer } : {}),
      ...(options.now !== undefined ? { now: options.now } : {}),
      ...(options.random !== undefined ? { random: options.random } : {}),
      ...(options.log !== undefined ? { log: options.log } : {}),
    });
  }

  /**
   * The clock of the server answered last: a simulator reports its explicit clock (so a plan is
   * computed at the instant the simulated tenant is in); Partner Center reports none, and the
   * real clock applies. Asked before any answer arrived, one small read finds out.
   */
  async now(): Promise<IsoDate> {
    if (!this.clock.hasAnswered()) await this.http.request({ method: "GET", path: "/v1/customers", query: { size: 1 } }).catch(() => undefined);
    return this.clock.current() ?? new Date((this.options.now ?? Date.now)()).toISOString();
  }

  // -------------------------------------------------------------------------------------------
  // Reads
  // -------------------------------------------------------------------------------------------

  async listCustomers(): Promise<Customer[]> {
    const items = await this.collect<WireCustomer>({ method: "GET", path: "/v1/customers", query: { size: this.options.pageSize ?? 500 } });
    return items.map(customerFromWire);
  }

  async listSubscriptions(customerId: string): Promise<ObservedSubscription[]> {
    const items = await this.collect<WireSubscription>({ method: "GET", path: `/v1/customers/${enc(customerId)}/subscriptions`, scope: customerId });
    // Legacy, Azure and software subscriptions are not seatplan's to manage.
    return items.filter(isNceLicenceSubscription).map((s) => subscriptionFromWire(s, customerId));
  }

  async getSubscription(customerId: string, subscriptionId: string): Promise<ObservedSubscription> {
    return subscriptionFromWire(await this.readWire(customerId, subscriptionId), customerId);
  }

  async getTransitionEligibilities(customerId: string, subscriptionId: string): Promise<TransitionEligibility[]> {
    return (await this.eligibilities(customerId, subscriptionId)).map(transitionEligibilityFromWire);
  }

  async getCustomTermEndDates(
    customerId: string,
    query: { readonly term: Term; readonly startDate?: IsoDate; readonly cotermSubscriptionId?: string },
  ): Promise<CustomTermEndDate[]> {
    const items = await this.collect<WireCustomTermEndDate>({
      method: "GET",
      path: `/v1/customers/${enc(customerId)}/subscriptions/customTermEndDates`,
      query: {
        term_duration: query.term,
        term_start_date: query.startDate === undefined ? undefined : formatWireDate(Date.parse(query.startDate)),
        target_coterm_subscription_id: query.cotermSubscriptionId,
      },
      scope: customerId,
    });
    return items.map(customTermEndDateFromWire);
  }

  async getLicenceUsage(customerId: string): Promise<LicenceUsage> {
    if (!this.capabilities.licenceUsage) {
      throw new BackendError(
        "licence usage (subscribedskus) needs app+user credentials: set SEATPLAN_REFRESH_TOKEN with the app's credentials, or give a delegated SEATPLAN_ACCESS_TOKEN",
        0,
        "AppUserRequired",
      );
    }
    const [items] = await Promise.all([
      this.collect<WireSubscribedSku>({ method: "GET", path: `/v1/customers/${enc(customerId)}/subscribedskus`, scope: customerId }),
      // Usage is keyed by Graph SKU id: the catalog SKUs' provisioningId maps it (./usage.ts; read once per backend).
      this.getCatalog(),
    ]);
    return licenceUsageFromSkus(items, this.graphSkus);
  }

  /** Read once per backend: products, SKUs and availabilities, merged with the price list. */
  getCatalog(): Promise<Catalog> {
    this.catalog ??= this.loadCatalog().catch((e: unknown) => {
      this.catalog = undefined;
      throw e;
    });
    return this.catalog;
  }

  // -------------------------------------------------------------------------------------------
  // Writes
  // -------------------------------------------------------------------------------------------

  async purchase(customerId: string, request: PurchaseRequest): Promise<ObservedSubscription> {
    const catalogItemId = request.availabilityId
      ? `${request.offer}:${request.availabilityId}`
      : await this.resolveCatalogItemId(request.offer, request.term, request.billing);
    const base = `/v1/customers/${enc(customerId)}/carts`;
    // Both ids derive from the purchase's idempotency key: a replayed purchase creates no second
    // cart and its checkout answers with the first order (checkout is idempotent per cart).
    const cart = await this.http.request<WireCart>({
      method: "POST",
      path: base,
      body: { lineItems: [cartLineItemFor(request, catalogItemId)] },
      requestId: deriveRequestId(request.idempotencyKey, "cart"),
      scope: customerId,
    });
    const lineError = cart.body.lineItems.find((l) => l.error)?.error;
    if (lineError) {
      throw new BackendError(
        this.redact(`the cart for ${request.offer} was refused: ${lineError.errorCode} ${lineError.errorDescription} (MS-RequestId ${cart.requestId})`),
        400,
        lineError.errorCode,
        cart.requestId,
      );
    }
    const checkout = await this.http.request<WireCartCheckoutResult>({
      method: "POST",
      path: `${base}/${enc(cart.body.id)}/checkout`,
      requestId: deriveRequestId(request.idempotencyKey, "checkout"),
      scope: customerId,
    });
    // Partner Center leaves out an empty `orderErrors` (and `orders` when every order failed): a
    // missing list must not turn a purchase that went through into a crash.
    const result = checkout.body as Partial<WireCartCheckoutResult>;
    const orderError = result.orderErrors?.[0];
    if (orderError) {
      throw new BackendError(
        this.redact(`the checkout of ${request.offer} failed: ${orderError.code} ${orderError.description} (MS-RequestId ${checkout.requestId})`),
        400,
        orderError.code,
        checkout.requestId,
      );
    }
    const order = (result.orders ?? [])[0];
    if (!order) {
      throw new BackendError(
        `the checkout of ${request.offer} returned no order (MS-RequestId ${checkout.requestId}); look for it in Partner Center before running again`,
        502,
        "InvalidResponse",
        checkout.requestId,
      );
    }
    const subscriptionId = await this.subscriptionOfOrder(customerId, order, request.offer, checkout.requestId);
    // Orders can take minutes to show their subscriptions (reference §5.6).
    return this.poll(
      () => this.getSubscription(customerId, subscriptionId).catch((e: unknown) => (isBackendError(e) && e.status === 404 ? null : Promise.reject(e))),
      (s): s is ObservedSubscription => s !== null,
      `subscription ${subscriptionId} of the new order has not appeared`,
    );
  }

  setQuantity(customerId: string, subscriptionId: string, quantity: number, options?: WriteOptions): Promise<ObservedSubscription> {
    return this.update(customerId, subscriptionId, options, (s) => (s.quantity === quantity ? null : { ...s, quantity }));
  }

  setAutoRenew(customerId: string, subscriptionId: string, enabled: boolean, options?: WriteOptions): Promise<ObservedSubscription> {
    return this.update(customerId, subscriptionId, options, (s) => (s.autoRenewEnabled === enabled ? null : withAutoRenew(s, enabled)));
  }

  /** Mid-term term/billing change: PATCH `termDuration` / `billingCycle` ("Manage term duration and billing frequency"). */
  changeTerm(customerId: string, subscriptionId: string, term: Term, billing: BillingCycle, options?: WriteOptions): Promise<ObservedSubscription> {
    return this.update(customerId, subscriptionId, options, (s) =>
      s.termDuration.toUpperCase() === term && s.billingCycle.toLowerCase() === billing ? null : { ...s, termDuration: term, billingCycle: billing },
    );
  }

  scheduleRenewal(customerId: string, subscriptionId: string, instructions: RenewalInstructions, options?: WriteOptions): Promise<ObservedSubscription> {
    return this.update(customerId, subscriptionId, options, async (s) => {
      // The availability of a renewal into the same offer is the subscription's own; another
      // offer's is resolved now (availability ids are re-issued).
      const catalogItemId =
        offerKeyOf(s.offerId) === instructions.offer ? s.offerId : await this.resolveCatalogItemId(instructions.offer, instructions.term, instructions.billing);
      const wanted = renewalInstructionsToWire(instructions, splitCatalogItemId(catalogItemId)?.availabilityId ?? "");
      return sameInstructions(s.scheduledNextTermInstructions, wanted) ? null : { ...s, scheduledNextTermInstructions: wanted };
    });
  }

  clearRenewal(customerId: string, subscriptionId: string, options?: WriteOptions): Promise<ObservedSubscription> {
    return this.update(customerId, subscriptionId, options, (s) => (s.scheduledNextTermInstructions ? { ...s, scheduledNextTermInstructions: null } : null));
  }

  rename(customerId: string, subscriptionId: string, friendlyName: string, options?: WriteOptions): Promise<ObservedSubscription> {
    return this.update(customerId, subscriptionId, options, (s) => (s.friendlyName === friendlyName ? null : { ...s, friendlyName }));
  }

  cancel(customerId: string, subscriptionId: string, options?: WriteOptions): Promise<ObservedSubscription> {
    return this.update(customerId, subscriptionId, options, (s) => (s.status.toLowerCase() === "deleted" ? null : { ...s, status: "deleted" }));
  }

  /** Auto-renew off plus the explicit end-of-term cancellation; its request shape is isolated in `../wire/est.ts` (low confidence). */
  cancelAtTermEnd(customerId: string, subscriptionId: string, options?: WriteOptions): Promise<ObservedSubscription> {
    return this.update(customerId, subscriptionId, options, (s) => (endOfTermFromWire(s).endsAtTermEnd ? null : withCancelAtTermEnd(s)));
  }

  async transition(customerId: string, subscriptionId: string, request: TransitionRequest, options?: WriteOptions): Promise<TransitionResult> {
    const target = (await this.eligibilities(customerId, subscriptionId)).find((e) => offerKeyOf(e.catalogItemId) === request.to);
    const eligible = target?.eligibilities.some((e) => e.isEligible) ?? false;
    const notEligible = (serviceSays?: string): BackendError => {
      const why = target?.eligibilities.flatMap((e) => e.errors.map((x) => x.description)).join("; ") || "not among its transition eligibilities";
      return new BackendError(
        this.redact(`subscription ${subscriptionId} cannot be upgraded to ${request.to}: ${why}${serviceSays ? ` (${serviceSays})` : ""}; pick an upgrade.to the subscription is eligible for`),
        400,
        "TransitionNotEligible",
      );
    };
    // Without a request id there is nothing to replay: an ineligible upgrade is refused here.
    // With one, this may be the same upgrade run again after its answer was lost (the source is
    // no longer eligible because it is done): the service replays its first answer, or refuses.
    if ((!target || !eligible) && options?.requestId === undefined) throw notEligible();
    const path = `/v1/customers/${enc(customerId)}/subscriptions/${enc(subscriptionId)}/transitions`;
    let started: HttpResponse<WireTransition>;
    try {
      started = await this.http.request<WireTransition>({
        method: "POST",
        path,
        body: transitionRequestToWire(request, target?.catalogItemId ?? request.to),
        requestId: options?.requestId ?? this.newId(),
        scope: customerId,
      });
    } catch (e) {
      if ((!target || !eligible) && isBackendError(e) && e.status >= 400 && e.status < 500) throw notEligible(`${e.status} ${e.code}`);
      throw e;
    }
    const done = await this.awaitTransition(customerId, path, started.body);
    const targetId = done.toSubscriptionId ?? request.toSubscriptionId;
    if (!targetId) {
      throw new BackendError(
        `the transition of subscription ${subscriptionId} completed without naming its target subscription (MS-RequestId ${started.requestId}); check it in Partner Center`,
        502,
        "InvalidResponse",
        started.requestId,
      );
    }
    const [source, result] = await Promise.all([this.getSubscription(customerId, subscriptionId), this.getSubscription(customerId, targetId)]);
    return { source, target: result };
  }

  close(): Promise<void> {
    this.http.close();
    return Promise.resolve();
  }

  // -------------------------------------------------------------------------------------------
  // Internals
  // -------------------------------------------------------------------------------------------

  private async readWire(customerId: string, subscriptionId: string): Promise<WireSubscription> {
    const res = await this.http.request<WireSubscription>({
      method: "GET",
      path: `/v1/customers/${enc(customerId)}/subscriptions/${enc(subscriptionId)}`,
      scope: customerId,
    });
    return res.body;
  }

  /**
   * GET-modify-PATCH of the full resource with its etag. `change` returns null when the
   * subscription is already as wanted (a replayed write then makes no call, and a change that
   * has landed ends the wait). Partner Center's answers to the PATCH:
   * - 200: done.
   * - 202 Accepted with `Location` (the subscription): the change is applied later; the
   *   subscription is read there until it shows (bounded).
   * - 409 800082: another change is still pending; wait, re-read, and only if the wanted state
   *   has not arrived meanwhile, write again — computed from the fresh read, never the old body.
   * - 400 2055 (stale etag): someone else wrote in between; re-read and try once more.
   * A write computed from a new read goes under a new request id (derived: a replay of the
   * whole operation still acts once), because its body differs.
   */
  private async update(
    customerId: string,
    subscriptionId: string,
    options: WriteOptions | undefined,
    change: (current: WireSubscription) => WireSubscription | null | Promise<WireSubscription | null>,
  ): Promise<ObservedSubscription> {
    const requestId = options?.requestId ?? this.newId();
    const path = `/v1/customers/${enc(customerId)}/subscriptions/${enc(subscriptionId)}`;
    let staleRetried = false;
    let notReady = 0;
    for (let round = 1; ; round++) {
      const current = await this.readWire(customerId, subscriptionId);
      const body = await change(current);
      if (body === null) return subscriptionFromWire(current, customerId);
      const etag = current.attributes?.etag;
      let res: HttpResponse<WireSubscription>;
      try {
        res = await this.http.request<WireSubscription>({
          method: "PATCH",
          path,
          body,
          ...(etag !== undefined ? { headers: { "If-Match": etag } } : {}),
          requestId: round === 1 ? requestId : deriveRequestId(requestId, `reread-${round}`),
          scope: customerId,
        });
      } catch (e) {
        if (!isBackendError(e)) throw e;
        if (e.code === STALE_ETAG && !staleRetried) {
          staleRetried = true;
          continue;
        }
        if (e.code === NOT_READY) {
          notReady += 1;
          if (notReady >= this.polling.maxPolls) {
            throw new BackendError(
              `subscription ${subscriptionId} is still not ready to be updated after ${notReady} tries (another change to it is pending, 409 ${NOT_READY}); run again once Partner Center shows that change`,
              409,
              NOT_READY,
              e.requestId,
            );
          }
          await this.sleep(this.polling.intervalMs);
          continue;
        }
        throw e;
      }
      if (res.status !== 202) return subscriptionFromWire(res.body, customerId);
      return this.awaitAccepted(customerId, subscriptionId, res, change);
    }
  }

  /**
   * A PATCH answered 202 Accepted: the service applies it later and its `Location` names the
   * subscription. Reads it until the wanted state shows (reads show the old state until then).
   */
  private async awaitAccepted(
    customerId: string,
    subscriptionId: string,
    accepted: HttpResponse<unknown>,
    change: (current: WireSubscription) => WireSubscription | null | Promise<WireSubscription | null>,
  ): Promise<ObservedSubscription> {
    const location = accepted.headers["location"];
    const path = location !== undefined && location !== "" ? linkPath(location) : `/v1/customers/${enc(customerId)}/subscriptions/${enc(subscriptionId)}`;
    await this.sleep(this.polling.intervalMs);
    const done = await this.poll(
      async () => {
        const current = (await this.http.request<WireSubscription>({ method: "GET", path, scope: customerId })).body;
        return { current, pending: (await change(current)) !== null };
      },
      (r) => !r.pending,
      `the change to subscription ${subscriptionId} was accepted (202, MS-RequestId ${accepted.requestId}) but does not show yet; check it in Partner Center, then run again (a re-plan shows what is left)`,
    );
    return subscriptionFromWire(done.current, customerId);
  }

  /**
   * The subscription a checkout bought. A `pending` order may list its lines without a
   * `subscriptionId` until they are provisioned (reference-2026 §3): the order, then the
   * subscriptions filed under it, are read until one names it; the provisioning status says
   * what is awaited when the wait runs out. An order in error (or partly) bought nothing to
   * continue with.
   */
  private async subscriptionOfOrder(customerId: string, first: WireOrder, offer: OfferKey, requestId: string): Promise<string> {
    const named = (o: WireOrder): string | undefined => o.lineItems.find((l) => l.subscriptionId)?.subscriptionId;
    const failed = (o: WireOrder): boolean => ["error", "partial success", "partialsuccess", "cancelled"].includes(o.status.trim().toLowerCase());
    const refuse = (o: WireOrder): never => {
      throw new BackendError(
        this.redact(`the order ${o.id} for ${offer} ended as ${o.status.trim()} (MS-RequestId ${requestId}); check it in Partner Center and buy again if nothing was provisioned`),
        502,
        "OrderFailed",
        requestId,
      );
    };
    const id = named(first);
    if (id !== undefined) return id;
    if (failed(first)) return refuse(first);
    const base = `/v1/customers/${enc(customerId)}`;
    let order = first;
    for (let n = 1; n <= this.polling.maxPolls; n++) {
      await this.sleep(this.polling.intervalMs);
      order = (await this.http.request<WireOrder>({ method: "GET", path: `${base}/orders/${enc(first.id)}`, scope: customerId })).body;
      const fromOrder = named(order);
      if (fromOrder !== undefined) return fromOrder;
      if (failed(order)) return refuse(order);
      const filed = await this.collect<WireSubscription>({ method: "GET", path: `${base}/subscriptions`, query: { order_id: first.id }, scope: customerId });
      const fromList = filed[0]?.id;
      if (fromList !== undefined) return fromList;
    }
    const lines = await this.collect<WireOrderLineProvisioning>({ method: "GET", path: `${base}/orders/${enc(first.id)}/provisioningstatus`, scope: customerId }).catch(
      () => [] as WireOrderLineProvisioning[],
    );
    const awaited = lines.map((l) => `line ${l.lineItemNumber} ${l.status}`).join(", ") || `order ${order.status.trim()}`;
    throw new BackendError(
      `the order ${first.id} for ${offer} has not named its subscription after ${this.polling.maxPolls} reads (${awaited}; MS-RequestId ${requestId}); run again later: the same purchase finds the order instead of buying twice`,
      504,
      "StillPending",
      requestId,
    );
  }

  private async eligibilities(customerId: string, subscriptionId: string): Promise<WireTransitionEligibility[]> {
    return this.collect<WireTransitionEligibility>({
      method: "GET",
      path: `/v1/customers/${enc(customerId)}/subscriptions/${enc(subscriptionId)}/transitionEligibilities`,
      query: { eligibilityType: "immediate" },
      scope: customerId,
    });
  }

  private async awaitTransition(customerId: string, path: string, started: WireTransition): Promise<WireTransition> {
    if (transitionState(started) === "completed") return started;
    const operationId = started.operationId;
    if (!operationId) throw new BackendError("the transition started without an operation id; check it in Partner Center", 502, "InvalidResponse");
    const done = await this.poll(
      async () => {
        // The .NET SDK's collection says `items`; Microsoft's sample says `transition`.
        const res = await this.http.request<{ items?: WireTransition[]; transition?: WireTransition[] } | undefined>({ method: "GET", path, query: { operationId }, scope: customerId });
        const items = res.body?.items ?? res.body?.transition ?? [];
        // The history may hold earlier transitions of the subscription (or not list this one
        // yet): only our operation id says how ours is doing.
        return items.find((t) => t.operationId === operationId) ?? started;
      },
      (t) => transitionState(t) !== "running",
      `the transition ${operationId} is still running; check it in Partner Center, then run again (the plan will see the upgrade once it completes)`,
    );
    if (transitionState(done) === "failed") {
      const why = eventsOf(done).flatMap((e) => (e.errors ?? []).map((x) => x.description)).join("; ") || "no reason given";
      throw new BackendError(this.redact(`the transition ${operationId} failed: ${why}`), 400, "TransitionFailed");
    }
    return done;
  }

  /** Reads until `ready`, pausing `polling.intervalMs` in between; a bounded wait, then an error. */
  private async poll<T, R extends T>(read: () => Promise<T>, ready: (value: T) => value is R, timeoutMessage: string): Promise<R>;
  private async poll<T>(read: () => Promise<T>, ready: (value: T) => boolean, timeoutMessage: string): Promise<T>;
  private async poll<T>(read: () => Promise<T>, ready: (value: T) => boolean, timeoutMessage: string): Promise<T> {
    for (let n = 1; ; n++) {
      const value = await read();
      if (ready(value)) return value;
      if (n >= this.polling.maxPolls) throw new BackendError(`${timeoutMessage} (after ${n} reads)`, 504, "StillPending");
      await this.sleep(this.polling.intervalMs);
    }
  }

  /**
   * All items of a collection: follows `links.next` with its headers (`MS-ContinuationToken`)
   * or a continuation token in the response headers (customTermEndDates), stopping if a page
   * repeats.
   */
  private async collect<T>(first: HttpRequest): Promise<T[]> {
    const items: T[] = [];
    const guard = pageGuard(first.path);
    let req: HttpRequest | null = first;
    while (req) {
      const res: { body: WireCollection<T> | undefined; headers: Readonly<Record<string, string>> } = await this.http.request<WireCollection<T> | undefined>(req);
      items.push(...(res.body?.items ?? []));
      const next = res.body?.links?.next;
      const token = res.headers[CONTINUATION.toLowerCase()];
      let following: HttpRequest | null = null;
      if (next) {
        const headers = Object.fromEntries(next.headers.map((h) => [h.key, h.value]));
        following = { method: "GET", path: linkPath(next.uri), headers, ...(first.scope !== undefined ? { scope: first.scope } : {}) };
      } else if (token && (res.body?.items.length ?? 0) > 0) {
        following = { ...first, headers: { ...first.headers, [CONTINUATION]: token } };
      }
      const verdict = guard.next(res.body?.items.length ?? 0, following ? `${following.path} ${JSON.stringify(following.headers ?? {})}` : null);
      if (!verdict.follow && !verdict.done) throw new BackendError(`Partner Center: ${verdict.message}`, 502, verdict.code);
      req = verdict.follow ? following : null;
    }
    return items;
  }

  /** The current availability of `PRODUCT:SKU` that sells `term`/`billing` (ids are re-issued: never cached). */
  private async resolveCatalogItemId(offer: OfferKey, term: Term, billing: BillingCycle): Promise<string> {
    const [productId = "", skuId = ""] = offer.split(":");
    const availabilities = await this.collect<WireAvailability>({
      method: "GET",
      path: `/v1/products/${enc(productId)}/skus/${enc(skuId)}/availabilities`,
      query: { country: this.country },
      scope: "catalog",
    });
    const sells = (a: WireAvailability) =>
      a.isPurchasable && a.terms.some((t) => safeTerm(t.duration) === term && safeBilling(t.billingCycle) === billing);
    const match = availabilities.find(sells);
    if (!match) {
      throw new BackendError(
        `${offer} is not sold with term ${term} and ${billing} billing in ${this.country}; pick a term and billing the catalog lists for it`,
        400,
        "OfferNotAvailable",
      );
    }
    return match.catalogItemId;
  }

  private async loadCatalog(): Promise<Catalog> {
    const query = { country: this.country };
    const products = await this.collect<WireProduct>({ method: "GET", path: "/v1/products", query: { ...query, targetView: "OnlineServices" }, scope: "catalog" });
    const extras = new Map(this.priceList.offers.map((o) => [o.offer, o]));
    const perProduct = await Promise.all(
      products.map(async (product) => {
        const skus = await this.collect<WireSku>({ method: "GET", path: `/v1/products/${enc(product.id)}/skus`, query, scope: "catalog" });
        return Promise.all(
          skus.map(async (sku): Promise<CatalogOffer | null> => {
            const availabilities = await this.collect<WireAvailability>({
              method: "GET",
              path: `/v1/products/${enc(product.id)}/skus/${enc(sku.id)}/availabilities`,
              query,
              scope: "catalog",
            });
            const availability = availabilities.find((a) => a.isPurchasable);
            if (!availability) return null;
            const key = `${product.id}:${sku.id}`;
            const extra = extras.get(key);
            const graph = graphSkuIndex([{ offer: key, provisioningId: sku.dynamicAttributes?.provisioningId, skuPartNumber: sku.dynamicAttributes?.provisioningString }]);
            for (const [id, offer] of graph) this.graphSkus.set(id, offer);
            const segment = availability.segment.toLowerCase() as Segment;
            return {
              offer: key,
              productId: product.id,
              skuId: sku.id,
              availabilityId: availability.id,
              name: sku.title,
              segment: SEGMENTS.includes(segment) ? segment : "commercial",
              family: extra?.family ?? product.id,
              rank: extra?.rank ?? 0,
              prices: extra?.prices ?? {},
              upgradesTo: extra?.upgradesTo ?? [],
              minQuantity: sku.minimumQuantity,
              maxQuantity: sku.maximumQuantity,
              terms: availability.terms.flatMap((t) => {
                const term = safeTerm(t.duration);
                const billing = safeBilling(t.billingCycle);
                return term && billing ? [{ term, billing }] : [];
              }),
            };
          }),
        );
      }),
    );
    return { currency: this.priceList.currency, offers: perProduct.flat().filter((o): o is CatalogOffer => o !== null) };
  }
}

/** Paging links are relative to the API root and sometimes omit the `/v1` prefix. */
function linkPath(uri: string): string {
  if (/^https?:\/\//i.test(uri) || uri.startsWith("/v1/")) return uri;
  return `/v1${uri.startsWith("/") ? "" : "/"}${uri}`;
}

function safeTerm(value: string): Term | null {
  try {
    return parseTerm(value);
  } catch {
    return null;
  }
}

function safeBilling(value: string): BillingCycle | null {
  try {
    return parseBillingCycle(value);
  } catch {
    return null;
  }
}

/** Events as Partner Center spells them in either casing (`events` / `Events`). */
function eventsOf(t: WireTransition): readonly WireTransitionEvent[] {
  return t.events ?? (t as { readonly Events?: readonly WireTransitionEvent[] }).Events ?? [];
}

function transitionState(t: WireTransition): "completed" | "failed" | "running" {
  // Partner Center's own sample says `"Started "`, trailing space included.
  const status = (t.status ?? eventsOf(t).at(-1)?.status ?? "").trim().toLowerCase();
  if (status === "completed" || status === "succeeded") return "completed";
  if (status === "failed") return "failed";
  return "running";
}

function sameInstructions(a: WireSubscription["scheduledNextTermInstructions"], b: NonNullable<WireSubscription["scheduledNextTermInstructions"]>): boolean {
  if (!a) return false;
  return (
    a.quantity === b.quantity &&
    a.product.productId === b.product.productId &&
    a.product.skuId === b.product.skuId &&
    a.product.termDuration.toUpperCase() === b.product.termDuration.toUpperCase() &&
    a.product.billingCycle.toLowerCase() === b.product.billingCycle.toLowerCase() &&
    sameInstant(a.customTermEndDate, b.customTermEndDate)
  );
}

/** Two optional wire dates name the same instant (both absent counts as the same). */
function sameInstant(a: string | null | undefined, b: string | null | undefined): boolean {
  const x = a == null || a === "" ? null : Date.parse(a);
  const y = b == null || b === "" ? null : Date.parse(b);
  return x === y || (x !== null && y !== null && Number.isNaN(x) && Number.isNaN(y));
}
