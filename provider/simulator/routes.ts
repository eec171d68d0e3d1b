import {
  CONTINUATION_HEADER,
  type WireAvailability,
  type WireCollection,
  type WireLinks,
  type WireProduct,
  type WireSku,
} from "../backends/partner-center/wire";
import { CART_BODY, canonicalBody, ORDER_BODY, type Shape, SUBSCRIPTION_BODY, TRANSITION_BODY } from "./bodies";
import type { SimCatalogOffer } from "./catalog";
import type { Commerce } from "./engine";
import { CODES, SimError } from "./errors";

/**
 * The Partner Center paths the simulator serves (design §6), each mapped to the state machine.
 * Shared by the HTTP facade and the embedded backend through {@link SimulatorService}.
 */

export interface RouteContext {
  readonly engine: Commerce;
  readonly params: Readonly<Record<string, string>>;
  readonly query: URLSearchParams;
  /** Lower-case header names. */
  readonly headers: Readonly<Record<string, string | undefined>>;
  readonly body: unknown;
  readonly path: string;
}

export interface RouteResult {
  readonly status: number;
  readonly body: unknown;
  readonly headers?: Readonly<Record<string, string>>;
}

export interface Route {
  readonly method: string;
  readonly pattern: RegExp;
  /** Writes run under the file lock and may be replayed by `MS-RequestId`. */
  readonly write: boolean;
  /** Runs the request; a body is read without regard to property-name case (see `bodies.ts`). */
  readonly run: (ctx: RouteContext) => RouteResult;
}

/** Customers per page when the request gives no `size`. */
export const DEFAULT_PAGE_SIZE = 100;
const MAX_PAGE_SIZE = 1000;

const ok = (body: unknown): RouteResult => ({ status: 200, body });
const created = (body: unknown): RouteResult => ({ status: 201, body });

export function collection<T>(items: readonly T[], self: string, next?: WireLinks["next"]): WireCollection<T> {
  const links: WireLinks = { self: { uri: self, method: "GET", headers: [] }, ...(next ? { next } : {}) };
  return { totalCount: items.length, items, links, attributes: { objectType: "Collection" } };
}

function param(ctx: RouteContext, name: string): string {
  return ctx.params[name] ?? "";
}

/** `GET /v1/customers?size=N`; further pages via `links.next` and the `MS-ContinuationToken` header. */
function listCustomers(ctx: RouteContext): RouteResult {
  const token = ctx.headers[CONTINUATION_HEADER.toLowerCase()];
  let offset = 0;
  let size = DEFAULT_PAGE_SIZE;
  if (token) {
    const parsed = decodeToken(token);
    if (!parsed) throw new SimError(400, CODES.invalidInput, "Invalid request input: MS-ContinuationToken is not one this service issued; start again from the first page");
    ({ offset, size } = parsed);
  } else if (ctx.query.has("size")) {
    size = Number(ctx.query.get("size"));
    if (!Number.isInteger(size) || size < 1 || size > MAX_PAGE_SIZE) {
      throw new SimError(400, CODES.invalidInput, `Invalid request input: size must be an integer from 1 to ${MAX_PAGE_SIZE}`);
    }
  }
  const customers = ctx.engine.state.customers;
  const page = customers.slice(offset, offset + size).map((c) => ctx.engine.renderCustomer(c));
  const next =
    offset + size < customers.length
      ? {
          uri: `/v1/customers?size=${size}&seekOperation=Next`,
          method: "GET",
          headers: [{ key: CONTINUATION_HEADER, value: encodeToken(offset + size, size) }],
        }
      : undefined;
  return ok({ ...collection(page, `/v1/customers?size=${size}`, next), ...(next ? { continuationToken: next.headers[0]?.value } : {}) });
}

function encodeToken(offset: number, size: number): string {
  return Buffer.from(JSON.stringify({ o: offset, s: size })).toString("base64url");
}

function decodeToken(token: string): { offset: number; size: number } | null {
  try {
    const { o, s } = JSON.parse(Buffer.from(token, "base64url").toString("utf8")) as { o: unknown; s: unknown };
    return Number.isInteger(o) && Number.isInteger(s) && (o as number) >= 0 && (s as number) > 0 ? { offset: o as number, size: s as number } : null;
  } catch {
    return null;
  }
}

// ---------------------------------------------------------------------------------------------
// Catalog (`/v1/products…`): products, SKUs (with seat bounds), availabilities (with terms)
// ---------------------------------------------------------------------------------------------

function product(offer: SimCatalogOffer): WireProduct {
  return {
    id: offer.productId,
    title: offer.name,
    description: offer.name,
    productType: { id: "OnlineServices", displayName: "OnlineServices" },
    attributes: { objectType: "Product" },
  };
}

function sku(offer: SimCatalogOffer): WireSku & { readonly dynamicAttributes: Record<string, unknown> } {
  return {
    id: offer.skuId,
    productId: offer.productId,
    title: offer.name,
    description: offer.name,
    minimumQuantity: offer.minQuantity,
    maximumQuantity: offer.maxQuantity,
    isTrial: false,
    supportedBillingCycles: [...new Set(offer.terms.map((t) => t.billing))],
    // Partner Center: the Graph SKU id of the licence, and the offers it may be upgraded to.
    dynamicAttributes: {
      ...(offer.provisioningId !== undefined ? { provisioningId: offer.provisioningId } : {}),
      ...(offer.skuPartNumber !== undefined ? { provisioningString: offer.skuPartNumber } : {}),
      upgradeTargetOffers: [...offer.upgradesTo],
    },
    attributes: { objectType: "Sku" },
  };
}

function availability(offer: SimCatalogOffer, currency: string): WireAvailability {
  return {
    id: offer.availabilityId,
    productId: offer.productId,
    skuId: offer.skuId,
    catalogItemId: `${offer.offer}:${offer.availabilityId}`,
    defaultCurrency: { code: currency, symbol: currency === "EUR" ? "€" : currency },
    segment: offer.segment,
    country: "US",
    isPurchasable: true,
    isRenewable: true,
    terms: offer.terms.map((t) => ({ id: `${t.term}-${t.billing}`, duration: t.term, description: `${t.term} billed ${t.billing}`, billingCycle: t.billing })),
    attributes: { objectType: "Availability" },
  };
}

function offersOf(ctx: RouteContext, productId?: string, skuId?: string): SimCatalogOffer[] {
  // The customer-scoped catalog (`/customers/{id}/products…`) is the same catalog, for a customer of the partner.
  if (ctx.params["c"] !== undefined) ctx.engine.customer(ctx.params["c"]);
  const offers = ctx.engine.catalog.offers.filter(
    (o) => (productId === undefined || o.productId === productId) && (skuId === undefined || o.skuId === skuId),
  );
  if (offers.length === 0 && productId !== undefined) {
    throw new SimError(404, CODES.notFound, `Product ${productId}${skuId ? ` SKU ${skuId}` : ""} is not in the catalog; GET /v1/products lists the catalog`);
  }
  return offers;
}

function one<T>(items: readonly T[], what: string): T {
  const item = items[0];
  if (item === undefined) throw new SimError(404, CODES.notFound, `${what} is not in the catalog; GET /v1/products lists the catalog`);
  return item;
}

// ---------------------------------------------------------------------------------------------
// The route table
// ---------------------------------------------------------------------------------------------

const C = "(?<c>[^/]+)";
const S = "(?<s>[^/]+)";
const r = (method: string, path: string, write: boolean, run: Route["run"], shape?: Shape): Route => ({
  method,
  pattern: new RegExp(`^/v1${path}/?$`, "i"),
  write,
  run: shape ? (x) => run({ ...x, body: canonicalBody(x.body, shape) }) : run,
});

/** The catalog paths, global (`prefix` "") or customer-scoped (`/customers/{c}`). */
function catalogRoutes(prefix: string): Route[] {
  return [
    r("GET", `${prefix}/products`, false, (x) => {
      const seen = new Set<string>();
      const products = offersOf(x).filter((o) => !seen.has(o.productId) && seen.add(o.productId)).map(product);
      return ok(collection(products, x.path));
    }),
    r("GET", `${prefix}/products/(?<p>[^/]+)`, false, (x) => ok(product(one(offersOf(x, param(x, "p")), `Product ${param(x, "p")}`)))),
    r("GET", `${prefix}/products/(?<p>[^/]+)/skus`, false, (x) => ok(collection(offersOf(x, param(x, "p")).map(sku), x.path))),
    r("GET", `${prefix}/products/(?<p>[^/]+)/skus/(?<k>[^/]+)`, false, (x) =>
      ok(sku(one(offersOf(x, param(x, "p"), param(x, "k")), `SKU ${param(x, "k")}`))),
    ),
    r("GET", `${prefix}/products/(?<p>[^/]+)/skus/(?<k>[^/]+)/availabilities`, false, (x) =>
      ok(collection(offersOf(x, param(x, "p"), param(x, "k")).map((o) => availability(o, x.engine.catalog.currency)), x.path)),
    ),
    r("GET", `${prefix}/products/(?<p>[^/]+)/skus/(?<k>[^/]+)/availabilities/(?<a>[^/]+)`, false, (x) => {
      const offer = offersOf(x, param(x, "p"), param(x, "k")).find((o) => o.availabilityId === param(x, "a"));
      if (!offer) {
        throw new SimError(
          404,
          CODES.notFound,
          `Availability ${param(x, "a")} is not in the catalog; GET /v1/products/${param(x, "p")}/skus/${param(x, "k")}/availabilities lists the current one`,
        );
      }
      return ok(availability(offer, x.engine.catalog.currency));
    }),
  ];
}

/** The `operationId` of `GET …/transitions?operationId=` (also spelled `operation-id`, `operation_id`). */
function operationIdOf(query: URLSearchParams): string | undefined {
  for (const [name, value] of query) {
    if (name.replace(/[-_]/g, "").toLowerCase() === "operationid" && value !== "") return value;
  }
  return undefined;
}

export const ROUTES: readonly Route[] = [
  r("GET", "/customers", false, listCustomers),
  r("GET", `/customers/${C}`, false, (x) => ok(x.engine.renderCustomer(x.engine.customer(param(x, "c"))))),
  r("GET", `/customers/${C}/subscriptions`, false, (x) => {
    const orderId = x.query.get("order_id");
    const items = x.engine.listSubscriptions(param(x, "c"), orderId === null ? {} : { orderId });
    return ok(collection(items, `/customers/${param(x, "c")}/subscriptions`));
  }),
  r("GET", `/customers/${C}/subscriptions/customTermEndDates`, false, (x) => {
    const coterm = x.query.get("target_coterm_subscription_id");
    const items = x.engine.customTermEndDates(param(x, "c"), {
      termDuration: x.query.get("term_duration") ?? undefined,
      termStartDate: x.query.get("term_start_date") ?? undefined,
      ...(coterm ? { targetCotermSubscriptionId: coterm } : {}),
    });
    return ok(collection(items, `/customers/${param(x, "c")}/subscriptions/customTermEndDates`));
  }),
  r("GET", `/customers/${C}/subscriptions/${S}`, false, (x) => ok(x.engine.getSubscription(param(x, "c"), param(x, "s")))),
  r(
    "PATCH",
    `/customers/${C}/subscriptions/${S}`,
    true,
    (x) => {
      const result = x.engine.patchSubscription(param(x, "c"), param(x, "s"), x.body, x.headers["if-match"]);
      if (!result.accepted) return ok(result.subscription);
      // Partner Center: "HTTP status 202 … and a location header that points to where to retrieve the subscription".
      return { status: 202, headers: { Location: `/v1/customers/${param(x, "c")}/subscriptions/${result.subscription.id}` }, body: undefined };
    },
    SUBSCRIPTION_BODY,
  ),
  r("GET", `/customers/${C}/subscriptions/${S}/transitionEligibilities`, false, (x) => {
    const items = x.engine.transitionEligibilities(param(x, "c"), param(x, "s"), x.query.get("eligibilityType") ?? "immediate");
    return ok(collection(items, x.path));
  }),
  r("POST", `/customers/${C}/subscriptions/${S}/transitions`, true, (x) => ok(x.engine.transition(param(x, "c"), param(x, "s"), x.body)), TRANSITION_BODY),
  r("GET", `/customers/${C}/subscriptions/${S}/transitions`, false, (x) =>
    ok(collection(x.engine.listTransitions(param(x, "c"), param(x, "s"), operationIdOf(x.query)), x.path)),
  ),
  r("POST", `/customers/${C}/carts`, true, (x) => created(x.engine.createCart(param(x, "c"), x.body)), CART_BODY),
  r("GET", `/customers/${C}/carts/(?<cart>[^/]+)`, false, (x) => ok(x.engine.getCart(param(x, "c"), param(x, "cart")))),
  r("POST", `/customers/${C}/carts/(?<cart>[^/]+)/checkout`, true, (x) => created(x.engine.checkout(param(x, "c"), param(x, "cart")))),
  r("GET", `/customers/${C}/orders`, false, (x) => ok(collection(x.engine.listOrders(param(x, "c")), x.path))),
  r("POST", `/customers/${C}/orders`, true, (x) => created(x.engine.createOrder(param(x, "c"), x.body)), ORDER_BODY),
  r("GET", `/customers/${C}/orders/(?<o>[^/]+)`, false, (x) => ok(x.engine.getOrder(param(x, "c"), param(x, "o")))),
  r("GET", `/customers/${C}/orders/(?<o>[^/]+)/provisioningstatus`, false, (x) =>
    ok(collection(x.engine.orderProvisioningStatus(param(x, "c"), param(x, "o")), x.path)),
  ),
  r("GET", `/customers/${C}/subscribedskus`, false, (x) => ok(collection(x.engine.subscribedSkus(param(x, "c")), x.path))),
  ...catalogRoutes(""),
  ...catalogRoutes(`/customers/${C}`),
];

interface Candidate {
  readonly route: Route;
  readonly params: Record<string, string>;
}

/** The routes serving `path` (any method), with its path parameters; none for a malformed escape. */
function candidates(path: string): Candidate[] {
  const found: Candidate[] = [];
  for (const route of ROUTES) {
    const m = route.pattern.exec(path);
    if (!m) continue;
    let params: Record<string, string>;
    try {
      params = Object.fromEntries(Object.entries(m.groups ?? {}).map(([k, v]) => [k, decodeURIComponent(v)]));
    } catch {
      return [];
    }
    // customTermEndDates is a literal under /subscriptions, not a subscription id.
    if (params["s"]?.toLowerCase() === "customtermenddates" && route.pattern.source.includes("(?<s>")) continue;
    found.push({ route, params });
  }
  return found;
}

/** The route for a method and path, with its path parameters; the most specific match wins. */
export function matchRoute(method: string, path: string): Candidate | null {
  return candidates(path).find((c) => c.route.method === method.toUpperCase()) ?? null;
}

/** The methods some route takes on `path` (none: no such path; else a wrong method is 405). */
export function allowedMethods(path: string): string[] {
  return [...new Set(candidates(path).map((c) => c.route.method))];
}
