import { randomUUID } from "node:crypto";
import type { NodeSystemOptions } from "@azure/msal-node";
import { BackendError, isBackendError } from "../../domain/errors";
import type {
  BackendCapabilities,
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
  Term,
  TransitionEligibility,
  TransitionRequest,
  TransitionResult,
} from "../../domain/types";
import type { Backend, WriteOptions } from "../../backends/backend";
import { deriveRequestId } from "../../domain/ids";
import { type FailureDescription, HttpClient, type HttpFailure, type HttpRequest } from "../../http/client";
import { type Redactor, redactorFor } from "../../http/redact";
import type { RetryPolicy } from "../../http/retry";
import type { Transport } from "../../http/transport";
import * as A from "../../wire/cloudcockpit-assumptions";
import { parseWireDate } from "../../wire/partner-center";
import { ServerClock } from "../server-clock";
import { type CloudCockpitCredentials, cloudCockpitTokenSource } from "./auth";
import {
  billingFromCc,
  type CcCustomer,
  type CcErrorBody,
  type CcLicence,
  type CcOffer,
  type CcOrder,
  type CcOrderRequest,
  type CcPage,
  type CcSubscriptionDetail,
  type CcSubscriptionItem,
  type CcSubscriptionPatch,
  type CcTransition,
  ccBilling,
  ccSegment,
  ccTerm,
  SEGMENTS,
  segmentFromCc,
  statusFromCc,
  termFromCc,
} from "../../wire/cloudcockpit";

export const DEFAULT_ENDPOINT = "https://api.cloudcockpit.com";
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface CloudCockpitBackendOptions {
  readonly credentials: CloudCockpitCredentials;
  /** The portal's domain, sent as `X-Tenant` (`SEATPLAN_CLOUDCOCKPIT_TENANT`). */
  readonly tenant: string;
  /** REST base URL (`SEATPLAN_ENDPOINT`). @default "https://api.cloudcockpit.com" */
  readonly endpoint?: string;
  /** Token authority (`SEATPLAN_AUTHORITY`). @default CloudCockpit's Entra tenant */
  readonly authority?: string;
  /** API scope (`SEATPLAN_CLOUDCOCKPIT_SCOPE`). @default CloudCockpit's */
  readonly scope?: string;
  readonly msalSystem?: NodeSystemOptions;
  /** Prices, families, ranks and upgrade paths by `PRODUCT:SKU` (configuration passes the same as the partner-center backend's). */
  readonly priceList: Catalog;
  readonly retryPolicy?: RetryPolicy;
  readonly timeoutMs?: number;
  /** Re-reads while an asynchronous write converges. @default assumptions.CONVERGENCE */
  readonly convergence?: { readonly intervalMs: number; readonly maxReads: number };
  readonly sleep?: (ms: number) => Promise<void>;
  readonly now?: () => number;
  readonly random?: () => number;
  readonly newId?: () => string;
  /** One line per HTTP attempt and per convergence read, redacted. */
  readonly log?: (line: string) => void;
  /** Progress of writes that wait for CloudCockpit (one line per convergence read, redacted); @default `log` */
  readonly progress?: (line: string) => void;
  /** What carries each attempt (provider/http). @default HTTP to `endpoint` */
  readonly transport?: Transport;
}

/** What CloudCockpit's API exposes (reference; assumptions A7, A8). */
export const CLOUDCOCKPIT_CAPABILITIES: BackendCapabilities = {
  licenceUsage: true,
  cancelAtTermEnd: false,
  customTermEndDates: false,
  transitions: true,
  seatLots: false,
  renewalQuantity: A.AUTO_RENEW_SETTINGS_HAVE_QUANTITY,
  renewalOffer: A.AUTO_RENEW_SETTINGS_HAVE_OFFER,
  // The subscription PATCH sets the next term's term/billing (autoRenewSettings) and a scheduled
  // billing change (nextBillingFrequency), not a term or billing change effective now.
  changeTerm: false,
};

interface OfferRef {
  readonly id: string;
  readonly providerInstanceId: string;
  readonly segment: CcOffer["offerType"];
}

/**
 * The `Backend` port over CloudCockpit's API (reference: cloudcockpit.md). Customers are found by
 * `ProviderCustomerId` (the YAML's `tenantId`); subscriptions are listed once per customer, the
 * detail view read only where Partner Center's subscription id is needed. Writes are sent once
 * with an `X-Correlation-Id` per logical operation and then followed by re-reads until the
 * subscription shows the change (bounded, with progress lines): CloudCockpit answers 202 with no
 * operation id, and nothing documents that a resent write is deduplicated.
 */
export class CloudCockpitBackend implements Backend {
  readonly name = "cloudcockpit";
  readonly capabilities = CLOUDCOCKPIT_CAPABILITIES;
  private readonly http: HttpClient;
  private readonly clock = new ServerClock();
  private readonly redact: Redactor;
  private readonly newId: () => string;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly convergence: { readonly intervalMs: number; readonly maxReads: number };
  private readonly priceList: Catalog;
  private readonly customers = new Map<string, Promise<string>>();
  private readonly providerInstances = new Map<string, string>();
  private readonly offers = new Map<OfferKey, OfferRef>();
  private catalog: Promise<Catalog> | undefined;

  constructor(private readonly options: CloudCockpitBackendOptions) {
    const tokens = cloudCockpitTokenSource(options.credentials, {
      ...(options.authority !== undefined ? { authority: options.authority } : {}),
      ...(options.scope !== undefined ? { scope: options.scope } : {}),
      ...(options.msalSystem !== undefined ? { msalSystem: options.msalSystem } : {}),
    });
    this.redact = redactorFor(tokens.secrets);
    this.newId = options.newId ?? randomUUID;
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.convergence = options.convergence ?? A.CONVERGENCE;
    this.priceList = options.priceList;
    this.http = new HttpClient({
        baseUrl: options.endpoint ?? DEFAULT_ENDPOINT,
        auth: tokens,
        secrets: tokens.secrets,
        describe: describeCloudCockpitFailure,
        newId: this.newId,
        sleep: this.sleep,
        headers: { "X-Tenant": options.tenant },
        observe: (response) => this.clock.observe(response.headers),
        ...(options.transport !== undefined ? { transport: options.transport } : {}),
        ...(options.retryPolicy !== undefined ? { policy: options.retryPolicy } : {}),
        ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
        ...(options.now !== undefined ? { now: options.now } : {}),
        ...(options.random !== undefined ? { random: options.random } : {}),
        ...(options.log !== undefined ? { log: options.log } : {}),
      });
  }

  now(): Promise<IsoDate> {
    return Promise.resolve(this.clock.current() ?? new Date((this.options.now ?? Date.now)()).toISOString());
  }

  // -------------------------------------------------------------------------------------------
  // Reads
  // -------------------------------------------------------------------------------------------

  async listCustomers(): Promise<Customer[]> {
    const items = await this.pages<CcCustomer>({ method: "GET", path: A.PATHS.customers }, "pageNumber", "pageSize");
    return items.flatMap((c) => {
      const tenant = A.providerCustomerIdOf(c);
      return tenant === null ? [] : [{ id: tenant, companyName: c.companyName, domain: c.domain ?? "" }];
    });
  }

  async listSubscriptions(tenant: string): Promise<ObservedSubscription[]> {
    const customer = await this.customerId(tenant);
    const items = await this.listItems(customer);
    return Promise.all(items.map((item) => this.observedOf(tenant, customer, item)));
  }

  /** By CloudCockpit id, or by Partner Center id (then the detail views are searched). */
  async getSubscription(tenant: string, subscriptionId: string): Promise<ObservedSubscription> {
    const customer = await this.customerId(tenant);
    try {
      return observedFromDetail(tenant, await this.detail(customer, subscriptionId));
    } catch (e) {
      if (!isBackendError(e) || e.status !== 404) throw e;
    }
    const [found] = await this.withProviderIds(tenant, await this.listSubscriptions(tenant), [subscriptionId]).then((all) =>
      all.filter((s) => s.providerSubscriptionId?.toLowerCase() === subscriptionId.toLowerCase()),
    );
    if (!found) throw new BackendError(`no subscription ${subscriptionId} exists for tenant ${tenant} in CloudCockpit`, 404, "NotFound");
    return found;
  }

  /**
   * Adds Partner Center's subscription id (detail view) to the subscriptions that may be one of
   * `wanted`, in list order, stopping once every wanted id is found (one detail read each).
   */
  async withProviderIds(tenant: string, subscriptions: readonly ObservedSubscription[], wanted: readonly string[]): Promise<ObservedSubscription[]> {
    const customer = await this.customerId(tenant);
    const missing = new Set(wanted.map((w) => w.toLowerCase()).filter((w) => !subscriptions.some((s) => s.id.toLowerCase() === w || s.providerSubscriptionId?.toLowerCase() === w)));
    const out = [...subscriptions];
    for (let i = 0; i < out.length && missing.size > 0; i++) {
      const s = out[i];
      if (s === undefined || s.providerSubscriptionId !== undefined) continue;
      const detail = await this.detail(customer, s.id);
      const pcId = detail.providerSubscriptionId ?? undefined;
      if (pcId === undefined) continue;
      out[i] = { ...s, providerSubscriptionId: pcId };
      missing.delete(pcId.toLowerCase());
    }
    return out;
  }

  async getTransitionEligibilities(tenant: string, subscriptionId: string): Promise<TransitionEligibility[]> {
    const customer = await this.customerId(tenant);
    const items = await this.transitions(customer, subscriptionId);
    const byOffer = new Map<OfferKey, TransitionEligibility>();
    for (const t of items) {
      const offer = A.offerKeyOfProviderOfferId(t.providerOfferId);
      if (offer === null) continue;
      const entry = byOffer.get(offer) ?? { offer, isEligible: true, errors: [], into: [] };
      const into = t.destinationSubscriptionId ? [...entry.into, { subscriptionId: t.destinationSubscriptionId, isEligible: true, errors: [] }] : entry.into;
      byOffer.set(offer, { ...entry, into });
    }
    return [...byOffer.values()];
  }

  getCustomTermEndDates(): Promise<CustomTermEndDate[]> {
    return Promise.reject(
      new BackendError("the cloudcockpit backend cannot align end dates: CloudCockpit's custom-term-end-dates query is not documented; remove alignEndDate", 0, "Unsupported"),
    );
  }

  async getLicenceUsage(tenant: string): Promise<LicenceUsage> {
    const customer = await this.customerId(tenant);
    let instance = this.providerInstances.get(customer);
    if (instance === undefined) {
      await this.listItems(customer);
      instance = this.providerInstances.get(customer);
    }
    if (instance === undefined) return {};
    const res = await this.http.request<CcLicence[] | CcPage<CcLicence> | undefined>({
      ...this.read(A.PATHS.licences(customer), customer),
      query: { providerInstanceId: instance },
    });
    const items = Array.isArray(res.body) ? res.body : (res.body?.items ?? []);
    return A.licenceUsageOf(items, (await this.getCatalog()).offers);
  }

  /** The licence offers of every segment, with the price list's families, ranks, upgrade paths and prices. Read once. */
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

  async purchase(tenant: string, request: PurchaseRequest): Promise<ObservedSubscription> {
    if (request.customTermEndDate !== undefined) {
      throw new BackendError(`the cloudcockpit backend cannot buy ${request.offer} with an aligned end date; remove alignEndDate`, 0, "Unsupported");
    }
    const customer = await this.customerId(tenant);
    await this.getCatalog();
    const ref = this.offers.get(request.offer);
    if (!ref) throw new BackendError(`CloudCockpit offers no ${request.offer} to this portal; pick an offer GET /v1/Offers lists`, 400, "OfferNotAvailable");
    // The order id derives from the purchase's idempotency key, so a replayed purchase finds the
    // order it placed before instead of placing another (A11: a resent order is never relied on).
    const orderId = deriveRequestId(request.idempotencyKey, "cloudcockpit-order");
    // The purchase's key is its X-Correlation-Id (it is what the audit log records for a purchase).
    const correlationId = GUID.test(request.idempotencyKey) ? request.idempotencyKey : deriveRequestId(request.idempotencyKey, "cloudcockpit-order-correlation");
    const placed = A.subscriptionOfOrder(await this.listItems(customer, correlationId), orderId);
    if (placed) return this.observedOf(tenant, customer, placed);
    const inFlight = (await this.activeOrders(customer, correlationId)).find((o) => o.id.toLowerCase() === orderId);
    if (!inFlight) {
      const body: CcOrderRequest = {
        id: orderId,
        offerId: ref.id,
        customerId: customer,
        providerInstanceId: this.providerInstances.get(customer) ?? ref.providerInstanceId,
        subscriptionName: request.friendlyName,
        termDuration: ccTerm(request.term),
        billingFrequency: ccBilling(request.billing),
        segment: ref.segment,
        operation: { name: "CreateSubscription" },
        quantity: request.quantity,
        autoRenewEnabled: true,
      };
      // A 409 accepted nothing: the order is placed again only if it still is not there.
      await this.writeOnce({ method: "POST", path: A.PATHS.orders, body }, customer, correlationId, async () =>
        A.subscriptionOfOrder(await this.listItems(customer, correlationId), orderId) ? null : "retry",
      );
    }
    return this.converge(`order ${orderId} (${request.offer} × ${request.quantity})`, correlationId, async () => {
      const item = A.subscriptionOfOrder(await this.listItems(customer, correlationId), orderId);
      if (item) return this.observedOf(tenant, customer, item);
      const order = (await this.activeOrders(customer, correlationId)).find((o) => o.id.toLowerCase() === orderId);
      if (order && A.orderState(order.status) === "failed") {
        throw new BackendError(this.redact(`CloudCockpit order ${orderId} for ${request.offer} failed: ${order.errorMessage ?? "no reason given"}`), 400, "OrderFailed", correlationId);
      }
      return null;
    });
  }

  setQuantity(tenant: string, id: string, quantity: number, options?: WriteOptions): Promise<ObservedSubscription> {
    return this.update(tenant, id, options, `quantity ${quantity}`, (d) => (d.quantity === quantity ? null : { ...patchOf(d), quantity }), (s) => s.quantity === quantity);
  }

  setAutoRenew(tenant: string, id: string, enabled: boolean, options?: WriteOptions): Promise<ObservedSubscription> {
    return this.update(
      tenant,
      id,
      options,
      `auto-renew ${enabled ? "on" : "off"}`,
      (d) => (d.autoRenewEnabled === enabled ? null : { ...patchOf(d), autoRenewEnabled: enabled }),
      (s) => s.autoRenew === enabled,
    );
  }

  scheduleRenewal(tenant: string, id: string, instructions: RenewalInstructions, options?: WriteOptions): Promise<ObservedSubscription> {
    return this.update(
      tenant,
      id,
      options,
      `renewal as ${instructions.term}/${instructions.billing}`,
      (d) => {
        const current = observedFromDetail(tenant, d);
        if (instructions.offer !== current.offer && !this.capabilities.renewalOffer) {
          throw new BackendError(`the cloudcockpit backend cannot schedule a renewal into another offer (${instructions.offer}): autoRenewSettings have term and billing only`, 0, "Unsupported");
        }
        if (instructions.quantity !== current.quantity && !this.capabilities.renewalQuantity) {
          throw new BackendError(`the cloudcockpit backend cannot schedule a renewal seat count (${instructions.quantity}): autoRenewSettings have term and billing only`, 0, "Unsupported");
        }
        const settings = { term: ccTerm(instructions.term), billingFrequency: ccBilling(instructions.billing), customTermEndDate: instructions.customTermEndDate ?? null };
        return sameSettings(d, settings) ? null : { ...patchOf(d), autoRenewSettings: settings };
      },
      (s) => s.scheduledRenewal?.term === instructions.term && s.scheduledRenewal.billing === instructions.billing,
    );
  }

  clearRenewal(tenant: string, id: string, options?: WriteOptions): Promise<ObservedSubscription> {
    return this.update(
      tenant,
      id,
      options,
      "renewal as it is",
      (d) => {
        const settings = { term: d.termDuration, billingFrequency: d.billingFrequency, customTermEndDate: null };
        return sameSettings(d, settings) ? null : { ...patchOf(d), autoRenewSettings: settings };
      },
      (s) => s.scheduledRenewal === null || (s.scheduledRenewal.term === s.term && s.scheduledRenewal.billing === s.billing),
    );
  }

  rename(tenant: string, id: string, friendlyName: string, options?: WriteOptions): Promise<ObservedSubscription> {
    return this.update(tenant, id, options, `name "${friendlyName}"`, (d) => (d.name === friendlyName ? null : { ...patchOf(d), name: friendlyName }), (s) => s.friendlyName === friendlyName);
  }

  async cancel(tenant: string, id: string, options?: WriteOptions): Promise<ObservedSubscription> {
    const customer = await this.customerId(tenant);
    const correlationId = options?.requestId ?? this.newId();
    const detail = await this.detail(customer, id, correlationId);
    if (statusFromCc(detail.status) === "deleted") return observedFromDetail(tenant, detail);
    await this.writeOnce({ method: "DELETE", path: A.PATHS.subscription(customer, detail.id) }, customer, correlationId, async () => {
      const again = await this.detail(customer, detail.id, correlationId);
      return statusFromCc(again.status) === "deleted" ? null : "retry";
    });
    return this.converge(`cancel of subscription ${detail.id}`, correlationId, async () => {
      const s = observedFromDetail(tenant, await this.detail(customer, detail.id, correlationId));
      return s.status === "deleted" ? s : null;
    });
  }

  /**
   * Mid-term term/billing change: CloudCockpit's API has no call for it (capability `changeTerm`
   * is false, so the plan blocks the step with this backend named and never calls this).
   */
  changeTerm(_tenant: string, id: string, term: Term, billing: BillingCycle): Promise<ObservedSubscription> {
    return Promise.reject(
      new BackendError(`the cloudcockpit backend cannot change the term or billing frequency of subscription ${id} mid-term (to ${term}/${billing}): schedule it for the renewal instead`, 0, "Unsupported"),
    );
  }

  /** Auto-renew off: CloudCockpit has no explicit end-of-term cancel. */
  cancelAtTermEnd(tenant: string, id: string, options?: WriteOptions): Promise<ObservedSubscription> {
    return this.setAutoRenew(tenant, id, false, options);
  }

  async transition(tenant: string, id: string, request: TransitionRequest, options?: WriteOptions): Promise<TransitionResult> {
    const customer = await this.customerId(tenant);
    const correlationId = options?.requestId ?? this.newId();
    const source = observedFromDetail(tenant, await this.detail(customer, id, correlationId));
    const targets = await this.transitions(customer, source.id);
    const target = targets.find(
      (t) => A.offerKeyOfProviderOfferId(t.providerOfferId) === request.to && (t.destinationSubscriptionId ?? undefined)?.toLowerCase() === request.toSubscriptionId?.toLowerCase(),
    );
    if (!target) {
      throw new BackendError(
        `subscription ${source.id} cannot be upgraded to ${request.to}${request.toSubscriptionId ? ` into ${request.toSubscriptionId}` : ""}: CloudCockpit does not list it among its eligible transitions; pick an upgrade.to it is eligible for`,
        400,
        "TransitionNotEligible",
      );
    }
    const before = new Set((await this.listItems(customer, correlationId)).map((s) => s.id));
    const into = request.toSubscriptionId === undefined ? null : observedFromDetail(tenant, await this.detail(customer, request.toSubscriptionId, correlationId));
    const body: CcTransition = { ...target, quantity: request.quantity, transitionType: target.transitionType || A.transitionTypeFor(into !== null) };
    const expectedSource = source.quantity - request.quantity;
    const done = async (): Promise<TransitionResult | null> => {
      const items = await this.listItems(customer, correlationId);
      const src = items.find((s) => s.id === source.id);
      const moved = src === undefined || src.quantity === expectedSource || statusFromCc(src.subscriptionStatus) !== "active";
      if (!moved) return null;
      const dest =
        into !== null
          ? items.find((s) => s.id === into.id && s.quantity === into.quantity + request.quantity)
          : items.find((s) => !before.has(s.id) && A.offerKeyOfProviderOfferId(s.providerOfferId ?? "") === request.to);
      if (!dest) return null;
      return { source: src ? await this.observedOf(tenant, customer, src) : source, target: await this.observedOf(tenant, customer, dest) };
    };
    await this.writeOnce({ method: "POST", path: A.PATHS.upgrade(customer, source.id), body }, customer, correlationId, async () => ((await done()) === null ? "retry" : null));
    return this.converge(`upgrade of subscription ${source.id} to ${request.to}`, correlationId, done);
  }

  close(): Promise<void> {
    this.http.close();
    return Promise.resolve();
  }

  // -------------------------------------------------------------------------------------------
  // Internals
  // -------------------------------------------------------------------------------------------

  /** A read; inside a write, under that write's correlation id (one per logical operation). */
  private read(path: string, scope: string, correlationId?: string): HttpRequest {
    const id = correlationId ?? this.newId();
    return { method: "GET", path, scope, requestId: id, headers: { "X-Correlation-Id": id } };
  }

  /** The CloudCockpit customer whose `ProviderCustomerId` is the tenant (A2, A3); looked up once. */
  private customerId(tenant: string): Promise<string> {
    const key = tenant.toLowerCase();
    let found = this.customers.get(key);
    if (found === undefined) {
      found = this.pages<CcCustomer>({ method: "GET", path: A.PATHS.customers, query: A.customerSearchQuery(tenant) }, "pageNumber", "pageSize").then((items) => {
        const match = items.find((c) => A.providerCustomerIdOf(c)?.toLowerCase() === key);
        if (!match) {
          throw new BackendError(
            this.redact(`no CloudCockpit customer of portal ${this.options.tenant} has ProviderCustomerId ${tenant}; check the YAML's tenantId and that the customer is linked to Partner Center in the portal`),
            404,
            "CustomerNotFound",
          );
        }
        return match.id;
      });
      found.catch(() => this.customers.delete(key));
      this.customers.set(key, found);
    }
    return found;
  }

  private async listItems(customer: string, correlationId?: string): Promise<CcSubscriptionItem[]> {
    const items = await this.pages<CcSubscriptionItem>({ method: "GET", path: A.PATHS.subscriptions(customer) }, "pageNumber", "pageSize", customer, correlationId);
    const instance = A.providerInstanceOf(items);
    if (instance !== null) this.providerInstances.set(customer, instance);
    return items.filter((s) => A.isLicenceItem(s) && termFromCc(s.termDuration) !== null && billingFromCc(s.billingFrequency) !== null);
  }

  /** A list item in domain terms; its detail view is read only when the item lacks auto-renew (A5). */
  private async observedOf(tenant: string, customer: string, item: CcSubscriptionItem): Promise<ObservedSubscription> {
    const autoRenew = A.autoRenewOf(item);
    if (autoRenew === undefined) return observedFromDetail(tenant, await this.detail(customer, item.id));
    return observedFromItem(tenant, item, autoRenew);
  }

  private async detail(customer: string, id: string, correlationId?: string): Promise<CcSubscriptionDetail> {
    return (await this.http.request<CcSubscriptionDetail>(this.read(A.PATHS.subscription(customer, id), customer, correlationId))).body;
  }

  private async transitions(customer: string, id: string): Promise<CcTransition[]> {
    const res = await this.http.request<CcTransition[] | CcPage<CcTransition> | undefined>(this.read(A.PATHS.eligibleTransitions(customer, id), customer));
    return Array.isArray(res.body) ? res.body : [...(res.body?.items ?? [])];
  }

  private async activeOrders(customer: string, correlationId?: string): Promise<CcOrder[]> {
    return this.pages<CcOrder>({ method: "GET", path: A.PATHS.customerOrders(customer) }, "pageNumber", "pageSize", customer, correlationId);
  }

  /**
   * GET the detail, decide the PATCH of the full model, send it once, then re-read until the
   * subscription shows it. `change` returns null when nothing is left to do.
   */
  private async update(
    tenant: string,
    id: string,
    options: WriteOptions | undefined,
    what: string,
    change: (detail: CcSubscriptionDetail) => CcSubscriptionPatch | null,
    converged: (s: ObservedSubscription) => boolean,
  ): Promise<ObservedSubscription> {
    const customer = await this.customerId(tenant);
    const correlationId = options?.requestId ?? this.newId();
    const first = await this.detail(customer, id, correlationId);
    const ccId = first.id;
    let body = change(first);
    if (body === null) return observedFromDetail(tenant, first);
    let seen = JSON.stringify(first);
    await this.writeOnce(
      () => (body === null ? null : { method: "PATCH", path: A.PATHS.subscription(customer, ccId), body }),
      customer,
      correlationId,
      async () => {
        const again = await this.detail(customer, ccId, correlationId);
        if (JSON.stringify(again) === seen) return "wait";
        seen = JSON.stringify(again);
        body = change(again);
        return body === null ? null : "retry";
      },
    );
    return this.converge(`${what} on subscription ${ccId}`, correlationId, async () => {
      const s = observedFromDetail(tenant, await this.detail(customer, ccId, correlationId));
      return converged(s) ? s : null;
    });
  }

  /**
   * Sends a write once (A9). A 409 (A10: another change still running) sent nothing: wait, ask
   * `settle` whether the write is still needed ("retry") and send it again, a bounded number of
   * times. An ambiguous failure (reset, timeout, 5xx, lost answer) may have been applied: never
   * resent — the caller's convergence reads tell.
   */
  private async writeOnce(
    request: HttpRequest | (() => HttpRequest | null),
    customer: string,
    correlationId: string,
    settle: () => Promise<"retry" | "wait" | null>,
  ): Promise<void> {
    let waited = 0;
    for (;;) {
      const req = typeof request === "function" ? request() : request;
      if (req === null) return;
      try {
        await this.sendOnce(req, customer, correlationId);
        return;
      } catch (e) {
        if (isBackendError(e) && e.status === A.CONFLICT_STATUS && waited < this.convergence.maxReads) {
          // Wait until the other change shows ("wait": the subscription still reads as before),
          // so the full model sent next is built on it and does not undo it; bounded.
          let next: "retry" | "wait" | null = "wait";
          while (next === "wait" && waited < this.convergence.maxReads) {
            waited += 1;
            this.progress(`${req.method} ${req.path} → 409: another change of the subscription is still running; waiting (${waited}/${this.convergence.maxReads}, X-Correlation-Id ${correlationId})`);
            await this.sleep(this.convergence.intervalMs);
            next = await settle();
          }
          if (next === null) return;
          continue;
        }
        if (isAmbiguous(e)) {
          this.progress(`${req.method} ${req.path}: no clear answer (${(e as Error).message}); not resending, re-reading to see whether it was applied`);
          return;
        }
        throw e;
      }
    }
  }

  private async sendOnce(req: HttpRequest, customer: string, correlationId: string): Promise<void> {
    await this.http.request({ ...req, scope: customer, requestId: correlationId, idempotent: false, headers: { ...req.headers, "X-Correlation-Id": correlationId } });
  }

  /** Re-reads until `ready` gives a value: bounded, one progress line per read. */
  private async converge<T>(what: string, correlationId: string, ready: () => Promise<T | null>): Promise<T> {
    for (let n = 1; ; n++) {
      const value = await ready();
      if (value !== null) {
        if (n > 1) this.progress(`${what}: applied (read ${n})`);
        return value;
      }
      if (n >= this.convergence.maxReads) {
        throw new BackendError(
          `${what} was sent once but CloudCockpit does not show it after ${n} reads (X-Correlation-Id ${correlationId}); it may still be running or may have failed: look it up in the portal's audit log, then run seatplan plan again (it is not resent automatically)`,
          504,
          "StillPending",
          correlationId,
        );
      }
      this.progress(`${what}: waiting for CloudCockpit to apply it (read ${n} of ${this.convergence.maxReads}, X-Correlation-Id ${correlationId})`);
      await this.sleep(this.convergence.intervalMs);
    }
  }

  private progress(line: string): void {
    (this.options.progress ?? this.options.log)?.(this.redact(`cloudcockpit: ${line}`));
  }

  /** Every page of a paged list (A4): bounded by `totalPages` and `MAX_PAGES`. */
  private async pages<T>(first: HttpRequest, numberName: string, sizeName: string, scope?: string, correlationId?: string): Promise<T[]> {
    const items: T[] = [];
    for (let pageNumber = 1; pageNumber <= A.MAX_PAGES; pageNumber++) {
      const base = this.read(first.path, scope ?? "cloudcockpit", correlationId);
      const res = await this.http.request<CcPage<T> | T[] | undefined>({ ...base, query: { ...first.query, [numberName]: pageNumber, [sizeName]: A.PAGE_SIZE } });
      const body = res.body;
      if (Array.isArray(body)) return [...items, ...body];
      items.push(...(body?.items ?? []));
      if (!body?.hasNextPage || (body.totalPages > 0 && pageNumber >= body.totalPages)) return items;
    }
    throw new BackendError(`CloudCockpit listed more than ${A.MAX_PAGES} pages of ${A.PAGE_SIZE} for ${first.path}; narrow the portal's data or raise the bound`, 502, "PagingBound");
  }

  private async loadCatalog(): Promise<Catalog> {
    const extras = new Map(this.priceList.offers.map((o) => [o.offer, o]));
    const perSegment = await Promise.all(
      SEGMENTS.map((segment) =>
        this.pages<CcOffer>({ method: "GET", path: A.PATHS.offers, query: { OfferTypes: "License", Segment: ccSegment(segment).name } }, "PageNumber", "PageSize"),
      ),
    );
    const offers: CatalogOffer[] = [];
    for (const o of perSegment.flat()) {
      const key = A.offerKeyOfProviderOfferId(o.providerOfferId);
      if (key === null || offers.some((x) => x.offer === key)) continue;
      const [productId = "", skuId = ""] = key.split(":");
      const extra = extras.get(key);
      const segment = segmentFromCc(o.prices[0]?.segment) ?? extra?.segment ?? "commercial";
      this.offers.set(key, { id: o.id, providerInstanceId: o.providerInstanceId, segment: ccSegment(segment) });
      offers.push({
        offer: key,
        productId,
        skuId,
        availabilityId: A.availabilityOfProviderOfferId(o.providerOfferIdWithAvailability),
        name: o.name,
        segment,
        family: extra?.family ?? productId,
        rank: extra?.rank ?? 0,
        prices: extra?.prices ?? {},
        upgradesTo: extra?.upgradesTo ?? [],
        minQuantity: o.minQuantity ?? extra?.minQuantity ?? 1,
        maxQuantity: o.maxQuantity ?? extra?.maxQuantity ?? 300,
        terms: o.prices.flatMap((p) => {
          const term = termFromCc(p.termDuration);
          return term === null ? [] : p.billingFrequencies.flatMap((b) => {
            const billing = billingFromCc(b);
            return billing === null ? [] : [{ term, billing }];
          });
        }),
      });
    }
    return { currency: this.priceList.currency, offers };
  }
}

function isAmbiguous(e: unknown): boolean {
  if (!(e instanceof Error)) return false;
  if (e.name === "RetryExhausted") return true;
  if (!isBackendError(e)) return false;
  return e.status === 0 || e.status === 408 || e.status >= 500;
}

/** The full model of a PATCH, from the detail view (A8: required fields sent with current values). */
function patchOf(d: CcSubscriptionDetail): CcSubscriptionPatch {
  return {
    name: d.name ?? "",
    quantity: d.quantity,
    nextBillingFrequency: d.nextBillingFrequency?.billingFrequency ?? d.billingFrequency,
    autoRenewEnabled: d.autoRenewEnabled,
    autoRenewSettings: d.autoRenewSettings ?? { term: d.termDuration, billingFrequency: d.billingFrequency, customTermEndDate: null },
  };
}

function sameSettings(d: CcSubscriptionDetail, s: CcSubscriptionPatch["autoRenewSettings"]): boolean {
  const current = d.autoRenewSettings ?? { term: d.termDuration, billingFrequency: d.billingFrequency, customTermEndDate: null };
  return (
    termFromCc(current.term) === termFromCc(s.term) &&
    billingFromCc(current.billingFrequency) === billingFromCc(s.billingFrequency) &&
    (current.customTermEndDate ?? null) === (s.customTermEndDate ?? null)
  );
}

function date(value: string | null | undefined, context: string): IsoDate {
  return parseWireDate(value, context);
}

function observedFromItem(tenant: string, item: CcSubscriptionItem, autoRenew: boolean): ObservedSubscription {
  return observed(tenant, {
    id: item.id,
    providerOfferId: item.providerOfferId ?? "",
    offerName: item.offerName ?? "",
    name: item.subscriptionName ?? "",
    quantity: item.quantity,
    status: item.subscriptionStatus,
    autoRenew,
    term: item.termDuration,
    billing: item.billingFrequency,
    startDate: item.startDate,
    endDate: item.endDate,
    cancellationAllowedUntil: item.cancellationAllowedUntil ?? null,
    settings: item.autoRenewSettings ?? null,
    isTrial: item.isTrialOffer ?? false,
    orderId: item.orderId ?? null,
    providerSubscriptionId: item.providerSubscriptionId ?? null,
  });
}

function observedFromDetail(tenant: string, d: CcSubscriptionDetail): ObservedSubscription {
  return observed(tenant, {
    id: d.id,
    providerOfferId: d.providerOfferId ?? d.offer?.providerOfferId ?? "",
    offerName: d.offer?.name ?? "",
    name: d.name ?? "",
    quantity: d.quantity,
    status: d.status,
    autoRenew: d.autoRenewEnabled,
    term: d.termDuration,
    billing: d.billingFrequency,
    startDate: d.startDate,
    endDate: d.endDate,
    cancellationAllowedUntil: d.cancellationAllowedUntil,
    settings: d.autoRenewSettings,
    isTrial: d.isTrialOffer ?? false,
    orderId: d.orderId ?? null,
    providerSubscriptionId: d.providerSubscriptionId,
  });
}

interface Fields {
  readonly id: string;
  readonly providerOfferId: string;
  readonly offerName: string;
  readonly name: string;
  readonly quantity: number;
  readonly status: unknown;
  readonly autoRenew: boolean;
  readonly term: unknown;
  readonly billing: unknown;
  readonly startDate: string;
  readonly endDate: string;
  readonly cancellationAllowedUntil: string | null;
  readonly settings: CcSubscriptionItem["autoRenewSettings"];
  readonly isTrial: boolean;
  readonly orderId: string | null;
  readonly providerSubscriptionId: string | null;
}

function observed(tenant: string, f: Fields): ObservedSubscription {
  const context = `CloudCockpit subscription ${f.id}`;
  const offer = A.offerKeyOfProviderOfferId(f.providerOfferId);
  const term = termFromCc(f.term);
  const billing = billingFromCc(f.billing);
  const status = statusFromCc(f.status);
  if (offer === null || term === null || billing === null || status === null || !Number.isInteger(f.quantity)) {
    throw new BackendError(
      `${context} has a providerOfferId, term, billing frequency, status or quantity seatplan cannot read (${JSON.stringify([f.providerOfferId, f.term, f.billing, f.status, f.quantity])}); see the README's CloudCockpit section`,
      502,
      "InvalidResponse",
    );
  }
  const until = f.cancellationAllowedUntil === null ? null : date(f.cancellationAllowedUntil, context);
  const nextTerm = f.settings ? termFromCc(f.settings.term) : null;
  const nextBilling = f.settings ? billingFromCc(f.settings.billingFrequency) : null;
  const custom = f.settings?.customTermEndDate ? date(f.settings.customTermEndDate, context) : undefined;
  return {
    id: f.id,
    customerId: tenant,
    offer,
    catalogItemId: f.providerOfferId,
    offerName: f.offerName,
    friendlyName: f.name,
    quantity: f.quantity,
    status,
    autoRenew: f.autoRenew,
    term,
    billing,
    startDate: date(f.startDate, context),
    endDate: date(f.endDate, context),
    cancellationAllowedUntil: until,
    refundableLots: A.seatLotsOf(f.quantity, until),
    // A8: the next term keeps offer and seats; only term, billing and end date can differ.
    // Settings that repeat the current term renew it as it is: nothing is scheduled.
    scheduledRenewal:
      nextTerm !== null && nextBilling !== null && (nextTerm !== term || nextBilling !== billing || custom !== undefined)
        ? { offer, term: nextTerm, billing: nextBilling, quantity: f.quantity, ...(custom === undefined ? {} : { customTermEndDate: custom }) }
        : null,
    isTrial: f.isTrial,
    ...(f.orderId ? { orderId: f.orderId } : {}),
    ...(f.providerSubscriptionId ? { providerSubscriptionId: f.providerSubscriptionId } : {}),
  };
}

/** CloudCockpit's error body (`{statusCode, type, description, errors[]}`) in the user's terms. */
export function describeCloudCockpitFailure(f: HttpFailure): FailureDescription {
  if (f.status === null) return { code: f.networkCode ?? "NETWORK", message: `CloudCockpit did not answer (${f.networkCode ?? "network error"})` };
  const body = (typeof f.body === "object" && f.body !== null ? f.body : {}) as Partial<CcErrorBody>;
  const details = (body.errors ?? []).map((e) => `${e.propertyName ?? "request"}: ${(e.description ?? []).join(" ")}`).join("; ");
  const description = [body.description, details].filter((x) => typeof x === "string" && x !== "").join(" — ");
  const advice =
    f.status === 401
      ? "; the token was refused: check the API Access credentials"
      : f.status === 403
        ? "; the API Access's role has no relationship with this customer (or X-Tenant names another portal: check SEATPLAN_CLOUDCOCKPIT_TENANT)"
        : f.status === 404
          ? "; check the tenant id and SEATPLAN_ENDPOINT"
          : "";
  return { code: body.type ?? `HTTP_${f.status}`, message: `CloudCockpit answered ${f.status}${description ? `: ${description}` : ""}${advice}` };
}
