import { randomUUID } from "node:crypto";
import { availabilityOfProviderOfferId, offerKeyOfProviderOfferId } from "../../wire/cloudcockpit-assumptions";
import {
  billingFromCc,
  type CcAutoRenewSettings,
  type CcErrorBody,
  type CcLicence,
  type CcOffer,
  type CcOrder,
  type CcPage,
  type CcSubscriptionDetail,
  type CcSubscriptionItem,
  type CcTransition,
  ccBilling,
  ccSegment,
  ccTerm,
  enumName,
  segmentFromCc,
  statusToCc,
  termFromCc,
} from "../../wire/cloudcockpit";
import {
  offerKeyOf,
  parseBillingCycle,
  parseTerm,
  splitCatalogItemId,
  type WireCartCheckoutResult,
  type WireScheduledNextTermInstructions,
  type WireSubscribedSku,
  type WireSubscription,
  type WireTransitionEligibility,
} from "../../wire/partner-center";
import { deriveRequestId } from "../../domain/ids";
import type { CatalogOffer, Term } from "../../domain/types";
import type { SimResponse, SimulatorService } from "../service";
import { authorize, tokenResponse } from "../tokens";

/**
 * The CloudCockpit API (reference: cloudcockpit.md) served under `/cloudcockpit` on the
 * simulator's port, as a translation over the same Partner Center service and commerce engine —
 * one set of rules: every CloudCockpit call becomes the Partner Center calls the portal would
 * make, through {@link SimulatorService.handle} (so throttling, injected faults and the request
 * log apply too), and the answers are rendered in CloudCockpit's shapes.
 *
 * Asynchronous writes (PATCH, DELETE, upgrade, orders) are checked and made at once — a refusal
 * answers 400 with CloudCockpit's error body — but stay invisible for `asyncMs`: reads keep
 * showing the subscription as it was (a new subscription is not listed, its order is
 * `Processing`), and another write to it answers 409. Ids are CloudCockpit's own GUIDs, derived
 * from the Partner Center ids, so they are stable across restarts.
 *
 * The choices the docs leave open are those of `backends/cloudcockpit/assumptions.ts`.
 */

export const CLOUDCOCKPIT_PREFIX = "/cloudcockpit";
/** The Entra scope of the CloudCockpit API (reference: Auth). */
export const CLOUDCOCKPIT_SCOPE = "api://b92a36a4-feb8-4f47-a69c-29a180aa6d0a/.default";
const TOKEN_PATH = /^\/([^/]+)\/oauth2(?:\/v2\.0)?\/token\/?$/i;

export interface CloudCockpitFacadeOptions {
  /** How long an accepted write stays invisible to reads (real ms). @default 0 (visible at the next read) */
  readonly asyncMs?: number;
  /** @default Date.now */
  readonly realNow?: () => number;
  /** @default crypto.randomUUID */
  readonly newId?: () => string;
}

export interface CcRequest {
  readonly method: string;
  /** Path below `/cloudcockpit`, e.g. `/v1/customers`. */
  readonly path: string;
  readonly query: URLSearchParams;
  /** Lower-case names. */
  readonly headers: Readonly<Record<string, string | undefined>>;
  /** Raw body text. */
  readonly raw: string;
}

class CcError extends Error {
  constructor(
    readonly status: number,
    readonly description: string,
    readonly errors: CcErrorBody["errors"] = null,
    readonly extra: Record<string, unknown> = {},
    readonly headers: Record<string, string> = {},
  ) {
    super(description);
  }
}

interface Stale {
  readonly until: number;
  /** The view reads keep showing; null: not listed yet (a new subscription). */
  readonly pc: WireSubscription | null;
}

interface OrderRecord {
  readonly order: CcOrder;
  readonly visibleAt: number;
  readonly pcOrderId: string | null;
}

export const PROVIDER_INSTANCE_ID = deriveRequestId("cloudcockpit", "provider-instance:microsoft");
export const ccCustomerId = (tenant: string): string => deriveRequestId("cloudcockpit", `customer:${tenant.toLowerCase()}`);
export const ccSubscriptionId = (pcId: string): string => deriveRequestId("cloudcockpit", `subscription:${pcId.toLowerCase()}`);
export const ccOfferId = (offer: string): string => deriveRequestId("cloudcockpit", `offer:${offer.toUpperCase()}`);
const ccOrderIdOf = (pcOrderId: string): string => deriveRequestId("cloudcockpit", `order:${pcOrderId.toLowerCase()}`);

export class CloudCockpitFacade {
  private readonly asyncMs: number;
  private readonly realNow: () => number;
  private readonly newId: () => string;
  /** By CloudCockpit subscription id. */
  private readonly stale = new Map<string, Stale>();
  /** By CloudCockpit order id. */
  private readonly orders = new Map<string, OrderRecord>();
  private readonly ccOrderOfPc = new Map<string, string>();
  /** Writes run one at a time: each reads, decides and writes Partner Center state in several calls. */
  private writes: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly service: SimulatorService,
    options: CloudCockpitFacadeOptions = {},
  ) {
    this.asyncMs = options.asyncMs ?? 0;
    this.realNow = options.realNow ?? Date.now;
    this.newId = options.newId ?? randomUUID;
  }

  /** One request below `/cloudcockpit` (token route, then the API). */
  async handle(req: CcRequest): Promise<SimResponse> {
    const method = req.method.toUpperCase();
    const token = TOKEN_PATH.exec(req.path);
    if (token && method === "POST") {
      const form = new URLSearchParams(req.raw);
      const scope = form.get("scope") ?? "";
      const answer =
        form.get("grant_type") === "client_credentials" && !scope.split(" ").includes(CLOUDCOCKPIT_SCOPE)
          ? { status: 400, body: { error: "invalid_scope", error_description: `AADSTS70011: The provided scope ${scope} is not valid; the CloudCockpit API's scope is ${CLOUDCOCKPIT_SCOPE}` } }
          : tokenResponse(decodeURIComponent(token[1] ?? ""), form, this.service.partner(), this.realNow());
      this.service.logRequest(method, `${CLOUDCOCKPIT_PREFIX}${req.path}`, answer.status, null);
      return { status: answer.status, headers: { "Cache-Control": "no-store" }, body: answer.body };
    }
    const correlationId = req.headers["x-correlation-id"] ?? null;
    let response: SimResponse;
    try {
      response = await this.api(method, req);
    } catch (e) {
      if (!(e instanceof CcError)) throw e;
      const body: CcErrorBody & Record<string, unknown> = {
        ...e.extra,
        statusCode: e.status,
        type: e.status === 409 ? "Conflict" : e.status >= 500 ? "ServerError" : e.status === 404 ? "NotFound" : e.status === 429 ? "TooManyRequests" : "BadRequest",
        description: e.description,
        correlationId,
        errors: e.errors,
      };
      // 401 and 403 are documented without a body.
      response = { status: e.status, headers: e.headers, body: e.status === 401 || e.status === 403 ? "" : body };
    }
    this.service.logRequest(method, `${CLOUDCOCKPIT_PREFIX}${req.path}`, response.status, correlationId);
    return { ...response, headers: { ...response.headers, ...(correlationId ? { "X-Correlation-Id": correlationId } : {}) } };
  }

  private async api(method: string, req: CcRequest): Promise<SimResponse> {
    const refused = authorize(req.headers["authorization"], this.service.partner(), this.realNow());
    if (refused) throw new CcError(401, refused, null, {}, { "WWW-Authenticate": "Bearer" });
    if (!req.headers["x-tenant"]) throw new CcError(400, "The X-Tenant header is required: the domain used to access the portal");
    let body: unknown;
    try {
      body = req.raw === "" ? undefined : JSON.parse(req.raw);
    } catch {
      throw new CcError(400, "The request body is not JSON");
    }
    const path = req.path.replace(/\/+$/, "");
    const C = "([^/]+)";
    const m = (re: string): RegExpExecArray | null => (new RegExp(`^${re}$`, "i")).exec(path);
    const part = (x: RegExpExecArray, i: number): string => decodeURIComponent(x[i] ?? "");
    let x: RegExpExecArray | null;
    if (method === "GET" && m("/v1/customers")) return ok(this.listCustomers(req.query));
    if (method === "GET" && (x = m(`/v1/customers/${C}`))) return ok(this.customer(part(x, 1)));
    if (method === "GET" && (x = m(`/v1/customers/${C}/subscriptions`))) return ok(await this.listSubscriptions(part(x, 1), req.query));
    if ((x = m(`/v1/customers/${C}/subscriptions/${C}/eligible-transitions`)) && method === "GET") return ok(await this.eligibleTransitions(part(x, 1), part(x, 2)));
    if ((x = m(`/v1/customers/${C}/subscriptions/${C}/upgrade`)) && method === "POST") {
      const [c, s] = [part(x, 1), part(x, 2)];
      return this.exclusive(() => this.upgrade(c, s, body));
    }
    if ((x = m(`/v1/customers/${C}/subscriptions/${C}`))) {
      if (method === "GET") return ok(await this.detail(part(x, 1), part(x, 2)));
      const [c, s] = [part(x, 1), part(x, 2)];
      if (method === "PATCH") return this.exclusive(() => this.patch(c, s, body));
      if (method === "DELETE") return this.exclusive(() => this.cancel(c, s));
    }
    if ((x = m(`/v1/customers/${C}/licenses`)) && method === "GET") return ok(await this.licences(part(x, 1), req.query));
    if (m("/v1/orders") && method === "POST") return this.exclusive(() => this.order(body));
    if ((x = m(`/v1/orders/customers/${C}`)) && method === "GET") return ok(this.activeOrders(part(x, 1), req.query));
    if (m("/v1/offers") && method === "GET") return ok(this.offers(req.query));
    throw new CcError(404, `No such resource: ${method} ${CLOUDCOCKPIT_PREFIX}${req.path}`);
  }

  private exclusive<T>(run: () => Promise<T>): Promise<T> {
    const next = this.writes.then(run, run);
    this.writes = next.catch(() => undefined);
    return next;
  }

  // -------------------------------------------------------------------------------------------
  // Partner Center underneath
  // -------------------------------------------------------------------------------------------

  /**
   * One Partner Center call through the service (its throttling, faults, log and --async-ms
   * apply). A PATCH carries the etag of the body it is based on. 202 is an answer like 200.
   */
  private async pc<T>(method: string, path: string, body?: unknown, query?: Record<string, string>): Promise<T> {
    const etag = method === "PATCH" ? (body as { attributes?: { etag?: unknown } } | undefined)?.attributes?.etag : undefined;
    const headers = typeof etag === "string" ? { "if-match": etag } : {};
    const res = await this.service.handle({ method, path, query: new URLSearchParams(query ?? {}), headers, body });
    if (res.status >= 400) {
      const b = res.body as { code?: unknown; description?: unknown } | undefined;
      const description = typeof b?.description === "string" ? b.description : `Partner Center answered ${res.status}`;
      const status = res.status === 403 ? 404 : res.status;
      throw new CcError(status, description, null, { providerErrorCode: b?.code ?? null }, res.headers["Retry-After"] ? { "Retry-After": res.headers["Retry-After"] } : {});
    }
    return res.body as T;
  }

  private tenantOf(customerId: string): string {
    const found = this.service.store.read().customers.find((c) => ccCustomerId(c.id) === customerId.toLowerCase() || c.id.toLowerCase() === customerId.toLowerCase());
    if (!found) throw new CcError(404, `Customer ${customerId} not found`);
    return found.id;
  }

  private pcSubscriptionId(tenant: string, subscriptionId: string): string {
    const customer = this.service.store.read().customers.find((c) => c.id === tenant);
    const found = customer?.subscriptions.find((s) => ccSubscriptionId(s.id) === subscriptionId.toLowerCase());
    if (!found) throw new CcError(404, `Subscription ${subscriptionId} not found for customer ${ccCustomerId(tenant)}`);
    return found.id;
  }

  private visible(pc: WireSubscription): WireSubscription | null {
    const s = this.stale.get(ccSubscriptionId(pc.id));
    if (s === undefined) return pc;
    if (s.until <= this.realNow()) {
      this.stale.delete(ccSubscriptionId(pc.id));
      return pc;
    }
    return s.pc;
  }

  private pending(subscriptionId: string): boolean {
    const s = this.stale.get(subscriptionId);
    if (s === undefined) return false;
    if (s.until > this.realNow()) return true;
    this.stale.delete(subscriptionId);
    return false;
  }

  /** Hide a change until `asyncMs` has passed (the first hide of a subscription wins: its pre-change view). */
  private hide(pcId: string, before: WireSubscription | null): void {
    if (this.asyncMs <= 0) return;
    const id = ccSubscriptionId(pcId);
    if (this.pending(id)) return;
    this.stale.set(id, { until: this.realNow() + this.asyncMs, pc: before });
  }

  // -------------------------------------------------------------------------------------------
  // Reads
  // -------------------------------------------------------------------------------------------

  private listCustomers(query: URLSearchParams): CcPage<unknown> {
    const field = (query.get("searchField") ?? "").toLowerCase();
    const value = (query.get("searchValue") ?? "").toLowerCase();
    const all = this.service.store.read().customers.filter((c) => {
      if (value === "") return true;
      if (field === "providercustomerid") return c.id.toLowerCase() === value;
      if (field === "domain") return (c.domain ?? "").toLowerCase().includes(value);
      return c.companyName.toLowerCase().includes(value);
    });
    return page(all.map((c) => this.renderCustomer(c)), query, "pageNumber", "pageSize");
  }

  private customer(customerId: string): unknown {
    const tenant = this.tenantOf(customerId);
    const c = this.service.store.read().customers.find((x) => x.id === tenant);
    if (!c) throw new CcError(404, `Customer ${customerId} not found`);
    return this.renderCustomer(c);
  }

  private renderCustomer(c: { id: string; companyName: string; domain?: string }): unknown {
    return { id: ccCustomerId(c.id), companyName: c.companyName, domain: c.domain ?? null, providerCustomerId: c.id, internalIdentifier: null, country: "US" };
  }

  private async listSubscriptions(customerId: string, query: URLSearchParams): Promise<CcPage<CcSubscriptionItem>> {
    const tenant = this.tenantOf(customerId);
    const list = await this.pc<{ items: WireSubscription[] }>("GET", `/v1/customers/${tenant}/subscriptions`);
    const items = list.items.flatMap((s) => {
      const v = this.visible(s);
      return v === null ? [] : [this.item(v, tenant)];
    });
    return page(items, query, "pageNumber", "pageSize");
  }

  private async detail(customerId: string, subscriptionId: string): Promise<CcSubscriptionDetail> {
    const tenant = this.tenantOf(customerId);
    const pcId = this.pcSubscriptionId(tenant, subscriptionId);
    const v = this.visible(await this.pc<WireSubscription>("GET", `/v1/customers/${tenant}/subscriptions/${pcId}`));
    if (v === null) throw new CcError(404, `Subscription ${subscriptionId} not found`);
    return this.renderDetail(v, tenant);
  }

  private item(s: WireSubscription, tenant: string): CcSubscriptionItem {
    const offer = offerKeyOf(s.offerId);
    const term = parseTerm(s.termDuration);
    const billing = parseBillingCycle(s.billingCycle);
    const catalog = this.catalogOffer(offer);
    return {
      id: ccSubscriptionId(s.id),
      orderId: s.orderId ? (this.ccOrderOfPc.get(s.orderId) ?? ccOrderIdOf(s.orderId)) : null,
      offerId: ccOfferId(offer),
      customerId: ccCustomerId(tenant),
      providerInstanceId: PROVIDER_INSTANCE_ID,
      resellerId: null,
      subscriptionName: s.friendlyName,
      offerName: s.offerName,
      offerType: { name: "License" },
      isAddonOffer: false,
      isTrialOffer: s.isTrial ?? false,
      providerOfferId: offer,
      subscriptionStatus: statusToCc(s.status),
      startDate: s.effectiveStartDate,
      endDate: s.commitmentEndDate,
      cancellationAllowedUntil: s.cancellationAllowedUntilDate ?? null,
      quantity: s.quantity,
      assignedLicenses: null,
      billingFrequency: ccBilling(billing),
      billingType: { name: "License" },
      termDuration: ccTerm(term),
      segment: ccSegment(catalog?.segment ?? "commercial"),
      autoRenewEnabled: s.autoRenewEnabled,
      autoRenewSettings: settingsOf(s),
    };
  }

  private renderDetail(s: WireSubscription, tenant: string): CcSubscriptionDetail {
    const item = this.item(s, tenant);
    const offer = this.catalogOffer(offerKeyOf(s.offerId));
    return {
      id: item.id,
      customerId: item.customerId,
      providerInstanceId: PROVIDER_INSTANCE_ID,
      resellerId: null,
      name: s.friendlyName,
      providerSubscriptionId: s.id,
      status: item.subscriptionStatus,
      startDate: item.startDate,
      endDate: item.endDate,
      cancellationAllowedUntil: item.cancellationAllowedUntil ?? null,
      quantity: s.quantity,
      termDuration: item.termDuration,
      billingFrequency: item.billingFrequency,
      nextBillingFrequency: { scheduledDate: null, billingFrequency: item.billingFrequency },
      segment: item.segment ?? { name: "Commercial" },
      autoRenewEnabled: s.autoRenewEnabled,
      autoRenewSettings: item.autoRenewSettings ?? null,
      offer: offer ? this.renderOffer(offer) : null,
      orderId: item.orderId ?? null,
      isTrialOffer: item.isTrialOffer ?? false,
      providerOfferId: item.providerOfferId ?? null,
    };
  }

  private async eligibleTransitions(customerId: string, subscriptionId: string): Promise<CcTransition[]> {
    const tenant = this.tenantOf(customerId);
    const pcId = this.pcSubscriptionId(tenant, subscriptionId);
    const source = await this.pc<WireSubscription>("GET", `/v1/customers/${tenant}/subscriptions/${pcId}`);
    const list = await this.pc<{ items: WireTransitionEligibility[] }>("GET", `/v1/customers/${tenant}/subscriptions/${pcId}/transitionEligibilities`, undefined, { eligibilityType: "immediate" });
    const term = ccTerm(parseTerm(source.termDuration));
    const billing = ccBilling(parseBillingCycle(source.billingCycle));
    // The portal lists eligible targets only.
    return list.items.flatMap((e): CcTransition[] => {
      const eligible = e.eligibilities.find((x) => x.isEligible);
      if (!eligible) return [];
      const offer = offerKeyOf(e.catalogItemId);
      const base: CcTransition = {
        offerName: e.title,
        offerId: ccOfferId(offer),
        providerOfferId: offer,
        providerOfferIdWithAvailability: e.catalogItemId,
        quantity: e.quantity,
        termDuration: term,
        billingFrequency: billing,
        transitionType: eligible.transitionType,
        transitionEvents: [],
      };
      const into = (e.subscriptionEligibilities ?? []).filter((s) => s.isEligible).map((s) => ({
        ...base,
        destinationSubscriptionId: ccSubscriptionId(s.subscriptionId),
        destinationProviderSubscriptionId: s.subscriptionId,
        transitionType: "transition_with_license_transfer",
      }));
      return [base, ...into];
    });
  }

  private async licences(customerId: string, query: URLSearchParams): Promise<CcLicence[]> {
    if (!query.get("providerInstanceId")) {
      throw new CcError(400, "providerInstanceId is required", [{ propertyName: "providerInstanceId", description: ["The providerInstanceId field is required."] }]);
    }
    const tenant = this.tenantOf(customerId);
    const list = await this.pc<{ items: WireSubscribedSku[] }>("GET", `/v1/customers/${tenant}/subscribedskus`);
    return list.items.map((s) => ({
      skuId: s.productSku.id,
      name: s.productSku.name,
      totalLicenses: s.totalUnits,
      consumedLicenses: s.consumedUnits,
      availableLicenses: s.availableUnits,
      suspendedLicenses: s.suspendedUnits,
      isSelected: false,
    }));
  }

  private offers(query: URLSearchParams): CcPage<CcOffer> {
    const types = (query.get("OfferTypes") ?? query.get("offerTypes") ?? "").toLowerCase().split("|").filter(Boolean);
    const segmentName = query.get("Segment") ?? query.get("segment");
    const missing = [...(types.length === 0 ? ["OfferTypes"] : []), ...(segmentName ? [] : ["Segment"])];
    if (missing.length > 0) {
      throw new CcError(400, "One or more validation errors occurred.", missing.map((p) => ({ propertyName: p, description: [`The ${p} field is required.`] })));
    }
    const segment = segmentFromCc({ name: segmentName });
    const offers = types.includes("license") ? this.service.catalog().offers.filter((o) => o.segment === segment) : [];
    return page(offers.map((o) => this.renderOffer(o)), query, "PageNumber", "PageSize");
  }

  private renderOffer(o: CatalogOffer): CcOffer {
    const currency = this.service.catalog().currency;
    const terms = [...new Set(o.terms.map((t) => t.term))];
    return {
      id: ccOfferId(o.offer),
      name: o.name,
      description: o.name,
      offerType: { name: "License" },
      billingType: { name: "License" },
      providerOfferId: o.offer,
      providerOfferIdWithAvailability: `${o.offer}:${o.availabilityId}`,
      providerName: "Microsoft",
      providerInstanceId: PROVIDER_INSTANCE_ID,
      isAddon: false,
      isTrial: false,
      minQuantity: o.minQuantity,
      maxQuantity: o.maxQuantity,
      prices: terms.map((term: Term) => {
        const billings = o.terms.filter((t) => t.term === term).map((t) => t.billing);
        const first = billings[0];
        const value = first === undefined ? undefined : o.prices[`${term}/${first}`];
        return {
          termDuration: ccTerm(term),
          segment: ccSegment(o.segment),
          billingFrequencies: billings.map(ccBilling),
          costPrice: value === undefined ? null : { value, currency: { name: currency } },
        };
      }),
    };
  }

  private catalogOffer(offer: string): CatalogOffer | undefined {
    return this.service.catalog().offers.find((o) => o.offer === offer);
  }

  private activeOrders(customerId: string, query: URLSearchParams): CcPage<CcOrder> {
    const cc = ccCustomerId(this.tenantOf(customerId));
    const now = this.realNow();
    const active = [...this.orders.values()]
      .filter((r) => r.order.customerId === cc)
      .map((r) => (r.order.status.name === "Processing" && r.visibleAt <= now ? { ...r.order, status: { name: "Completed" as const } } : r.order))
      .filter((o) => o.status.name !== "Completed")
      .reverse();
    return page(active, query, "pageNumber", "pageSize");
  }

  // -------------------------------------------------------------------------------------------
  // Writes
  // -------------------------------------------------------------------------------------------

  private async current(tenant: string, subscriptionId: string): Promise<{ pcId: string; sub: WireSubscription }> {
    const pcId = this.pcSubscriptionId(tenant, subscriptionId);
    if (this.pending(subscriptionId.toLowerCase())) {
      const view = this.stale.get(subscriptionId.toLowerCase())?.pc ?? null;
      throw new CcError(409, "Another operation on this subscription is still being processed; try again once it has completed", null, {
        portalSubscription: view ? this.item(view, tenant) : null,
      });
    }
    return { pcId, sub: await this.pc<WireSubscription>("GET", `/v1/customers/${tenant}/subscriptions/${pcId}`) };
  }

  private async patch(customerId: string, subscriptionId: string, body: unknown): Promise<SimResponse> {
    const tenant = this.tenantOf(customerId);
    const b = (typeof body === "object" && body !== null ? body : {}) as Record<string, unknown>;
    const errors: { propertyName: string; description: string[] }[] = [];
    const need = (name: string, ok: boolean, what: string): void => {
      if (!ok) errors.push({ propertyName: name, description: [what] });
    };
    need("name", typeof b["name"] === "string" && b["name"].length <= 255, "The name field is required (at most 255 characters).");
    need("quantity", Number.isInteger(b["quantity"]), "The quantity field is required.");
    need("nextBillingFrequency", billingFromCc(b["nextBillingFrequency"]) !== null, "The nextBillingFrequency field is required.");
    const settings = b["autoRenewSettings"] as Record<string, unknown> | undefined | null;
    if (settings !== undefined && settings !== null) {
      need("autoRenewSettings.term", termFromCc(settings["term"]) !== null, "The term field is required.");
      need("autoRenewSettings.billingFrequency", billingFromCc(settings["billingFrequency"]) !== null, "The billingFrequency field is required.");
    }
    if (b["autoRenewEnabled"] !== undefined && typeof b["autoRenewEnabled"] !== "boolean") errors.push({ propertyName: "autoRenewEnabled", description: ["must be true or false"] });
    if (errors.length > 0) throw new CcError(400, "One or more validation errors occurred.", errors);

    const { pcId, sub } = await this.current(tenant, subscriptionId);
    const path = `/v1/customers/${tenant}/subscriptions/${pcId}`;
    if (billingFromCc(b["nextBillingFrequency"]) !== parseBillingCycle(sub.billingCycle)) {
      throw new CcError(400, "The billing frequency cannot change during the term; set autoRenewSettings.billingFrequency to change it at renewal", [
        { propertyName: "nextBillingFrequency", description: ["must be the subscription's current billing frequency"] },
      ]);
    }
    const autoRenew = typeof b["autoRenewEnabled"] === "boolean" ? b["autoRenewEnabled"] : sub.autoRenewEnabled;
    const quantity = b["quantity"] as number;
    const name = b["name"] as string;
    // One Partner Center PATCH: the engine makes the immediate change (which wipes the old
    // schedule) before it sets the schedule the body carries.
    const current = sub.scheduledNextTermInstructions ?? null;
    const wanted = settings && autoRenew ? instructionsFor({ ...sub, quantity }, settings) : null;
    const keep = settings === undefined || settings === null ? (autoRenew ? current : null) : wanted;
    const immediate = sub.friendlyName !== name || sub.quantity !== quantity || sub.autoRenewEnabled !== autoRenew;
    if (immediate || !sameInstructions(current, keep)) {
      await this.pc("PATCH", path, { ...sub, friendlyName: name, quantity, autoRenewEnabled: autoRenew, scheduledNextTermInstructions: keep });
      this.hide(pcId, sub);
    }
    return { status: 202, headers: {}, body: "" };
  }

  private async cancel(customerId: string, subscriptionId: string): Promise<SimResponse> {
    const tenant = this.tenantOf(customerId);
    const { pcId, sub } = await this.current(tenant, subscriptionId);
    if (sub.status.toLowerCase() !== "deleted") {
      await this.pc("PATCH", `/v1/customers/${tenant}/subscriptions/${pcId}`, { ...sub, status: "deleted" });
      this.hide(pcId, sub);
    }
    return { status: 202, headers: {}, body: "" };
  }

  private async upgrade(customerId: string, subscriptionId: string, body: unknown): Promise<SimResponse> {
    const tenant = this.tenantOf(customerId);
    const b = (typeof body === "object" && body !== null ? body : {}) as Partial<CcTransition>;
    const required = ["providerOfferId", "providerOfferIdWithAvailability", "quantity", "termDuration", "billingFrequency", "transitionType"] as const;
    const missing = required.filter((k) => b[k] === undefined || b[k] === null);
    if (missing.length > 0) throw new CcError(400, "One or more validation errors occurred.", missing.map((p) => ({ propertyName: p, description: [`The ${p} field is required.`] })));
    const { pcId, sub } = await this.current(tenant, subscriptionId);
    let into: string | undefined = b.destinationProviderSubscriptionId ?? undefined;
    if (into === undefined && b.destinationSubscriptionId) into = this.pcSubscriptionId(tenant, b.destinationSubscriptionId);
    const target = b.providerOfferIdWithAvailability as string;
    const key = offerKeyOfProviderOfferId(target);
    const offer = key === null ? undefined : this.catalogOffer(key);
    const catalogItemId = splitCatalogItemId(target)?.availabilityId ? target : offer ? `${offer.offer}:${availabilityOfProviderOfferId(`${offer.offer}:${offer.availabilityId}`)}` : target;
    const before = into === undefined ? null : await this.pc<WireSubscription>("GET", `/v1/customers/${tenant}/subscriptions/${into}`);
    const result = await this.pc<{ toSubscriptionId?: string }>("POST", `/v1/customers/${tenant}/subscriptions/${pcId}/transitions`, {
      toCatalogItemId: catalogItemId,
      quantity: b.quantity,
      transitionType: b.transitionType,
      ...(into === undefined ? {} : { toSubscriptionId: into }),
    });
    this.hide(pcId, sub);
    if (result.toSubscriptionId) this.hide(result.toSubscriptionId, before);
    return { status: 202, headers: {}, body: "" };
  }

  private async order(body: unknown): Promise<SimResponse> {
    const b = (typeof body === "object" && body !== null ? body : {}) as Record<string, unknown>;
    const required = ["offerId", "customerId", "providerInstanceId", "subscriptionName", "termDuration", "billingFrequency", "segment", "operation", "quantity"];
    const missing = required.filter((k) => b[k] === undefined || b[k] === null);
    if (missing.length > 0) throw new CcError(400, "One or more validation errors occurred.", missing.map((p) => ({ propertyName: p, description: [`The ${p} field is required.`] })));
    if (enumName(b["operation"]) !== "createsubscription") throw new CcError(400, "operation must be {\"name\": \"CreateSubscription\"}");
    const tenant = this.tenantOf(String(b["customerId"]));
    const offer = this.service.catalog().offers.find((o) => ccOfferId(o.offer) === String(b["offerId"]).toLowerCase());
    if (!offer) throw new CcError(404, `Offer ${String(b["offerId"])} not found; GET /v1/Offers lists the offers`);
    const term = termFromCc(b["termDuration"]);
    const billing = billingFromCc(b["billingFrequency"]);
    if (term === null || billing === null) throw new CcError(400, "termDuration and billingFrequency must be ones the offer is sold with");
    const orderId = typeof b["id"] === "string" && b["id"] !== "" ? b["id"].toLowerCase() : this.newId();
    const createdDate = new Date(this.realNow()).toISOString();
    const record = (status: CcOrder["status"]["name"], errorMessage: string | null, pcOrderId: string | null): CcOrder => {
      const order: CcOrder = { id: orderId, customerId: ccCustomerId(tenant), status: { name: status }, operation: { name: "CreateSubscription" }, createdDate, errorMessage };
      this.orders.set(orderId, { order, visibleAt: this.realNow() + this.asyncMs, pcOrderId });
      return order;
    };
    let checkout: WireCartCheckoutResult;
    // A checkout whose answer a fault replaced after the order was made: the portal still knows
    // its order (checkout is idempotent per cart), and only the client's answer is lost.
    let lost: CcError | null = null;
    try {
      const cart = await this.pc<{ id: string }>("POST", `/v1/customers/${tenant}/carts`, {
        lineItems: [{ id: 0, catalogItemId: `${offer.offer}:${offer.availabilityId}`, friendlyName: String(b["subscriptionName"]), quantity: b["quantity"], billingCycle: billing, termDuration: term }],
      });
      const path = `/v1/customers/${tenant}/carts/${cart.id}/checkout`;
      checkout = await this.pc<WireCartCheckoutResult>("POST", path).catch(async (e: unknown) => {
        if (!(e instanceof CcError) || e.status < 500) throw e;
        const after = await this.pc<{ status: string }>("GET", `/v1/customers/${tenant}/carts/${cart.id}`);
        if (after.status.toLowerCase() !== "ordered") throw e;
        lost = e;
        return this.pc<WireCartCheckoutResult>("POST", path);
      });
    } catch (e) {
      // A refused order is not an HTTP error: it fails asynchronously, as the portal reports it.
      if (e instanceof CcError && e.status < 500 && e.status !== 429) return ok(record("Failed", e.description, null));
      throw e;
    }
    const pcOrder = checkout.orders?.[0];
    if (!pcOrder) return ok(record("Failed", checkout.orderErrors?.[0]?.description ?? "the order created no subscription", null));
    this.ccOrderOfPc.set(pcOrder.id, orderId);
    // A Partner Center order still pending (--async-ms) names its subscription later: the list shows it by orderId then.
    const subId = pcOrder.lineItems.find((l) => l.subscriptionId)?.subscriptionId;
    if (subId === undefined) {
      const placed = record("Processing", null, pcOrder.id);
      if (lost !== null) throw lost;
      return ok(placed);
    }
    if (b["autoRenewEnabled"] === false) {
      const sub = await this.pc<WireSubscription>("GET", `/v1/customers/${tenant}/subscriptions/${subId}`);
      await this.pc("PATCH", `/v1/customers/${tenant}/subscriptions/${subId}`, { ...sub, autoRenewEnabled: false });
    }
    this.hide(subId, null);
    const placed = record("Processing", null, pcOrder.id);
    if (lost !== null) throw lost;
    return ok(placed);
  }
}

function ok(body: unknown): SimResponse {
  return { status: 200, headers: {}, body };
}

function page<T>(all: readonly T[], query: URLSearchParams, numberName: string, sizeName: string): CcPage<T> {
  const pageNumber = Number(query.get(numberName) ?? query.get(numberName.toLowerCase()) ?? 1);
  const pageSize = Number(query.get(sizeName) ?? query.get(sizeName.toLowerCase()) ?? 25);
  if (!Number.isInteger(pageNumber) || pageNumber < 1 || !Number.isInteger(pageSize) || pageSize < 1 || pageSize > 2000) {
    throw new CcError(400, `${numberName} must be 1 or more and ${sizeName} from 1 to 2000`);
  }
  const totalPages = Math.max(1, Math.ceil(all.length / pageSize));
  return {
    items: all.slice((pageNumber - 1) * pageSize, pageNumber * pageSize),
    paginationParameters: { pageNumber, pageSize },
    totalPages,
    totalCount: all.length,
    hasPreviousPage: pageNumber > 1,
    hasNextPage: pageNumber < totalPages,
    continuationToken: null,
  };
}

/** What CloudCockpit shows of Partner Center's next-term instructions: term and billing (assumption A8). */
function settingsOf(s: WireSubscription): CcAutoRenewSettings {
  const next = s.scheduledNextTermInstructions?.product;
  return {
    term: ccTerm(parseTerm(next?.termDuration ?? s.termDuration)),
    billingFrequency: ccBilling(parseBillingCycle(next?.billingCycle ?? s.billingCycle)),
    customTermEndDate: s.scheduledNextTermInstructions?.customTermEndDate ?? null,
  };
}

/** Partner Center instructions for a term/billing change at renewal; null when the settings repeat the current term. */
function instructionsFor(s: WireSubscription, settings: Record<string, unknown>): WireScheduledNextTermInstructions | null {
  const term = termFromCc(settings["term"]) ?? parseTerm(s.termDuration);
  const billing = billingFromCc(settings["billingFrequency"]) ?? parseBillingCycle(s.billingCycle);
  const end = typeof settings["customTermEndDate"] === "string" ? settings["customTermEndDate"] : null;
  if (term === parseTerm(s.termDuration) && billing === parseBillingCycle(s.billingCycle) && end === null) return null;
  const split = splitCatalogItemId(s.offerId);
  return {
    product: { productId: split?.productId ?? "", skuId: split?.skuId ?? "", availabilityId: split?.availabilityId ?? "", termDuration: term, billingCycle: billing },
    quantity: s.quantity,
    ...(end === null ? {} : { customTermEndDate: end }),
  };
}

function sameInstructions(a: WireScheduledNextTermInstructions | null, b: WireScheduledNextTermInstructions | null): boolean {
  if (a === null || b === null) return a === b;
  return (
    a.quantity === b.quantity &&
    a.product.productId === b.product.productId &&
    a.product.skuId === b.product.skuId &&
    a.product.termDuration.toUpperCase() === b.product.termDuration.toUpperCase() &&
    a.product.billingCycle.toLowerCase() === b.product.billingCycle.toLowerCase() &&
    (a.customTermEndDate ?? null) === (b.customTermEndDate ?? null)
  );
}
