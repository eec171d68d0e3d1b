import { createHash, randomUUID } from "node:crypto";
import { formatWireDate } from "../wire/partner-center";
import type { Catalog } from "../domain/types";
import { addIsoDuration, DAY_MS, parseInstant, utcMs } from "./dates";
import { domainCatalog } from "./catalog";
import { demoState } from "./demo";
import type { Billing } from "./commerce/billing";
import { catalogOf, Commerce, type SubscribedSkuIds } from "./engine";
import { CODES, faultBody, SimError } from "./errors";
import { RateLimiter } from "./ratelimit";
import { allowedMethods, matchRoute, type RouteResult } from "./routes";
import type { SimCustomer, SimFault, SimPartner, SimPending, SimState, StoredResponse } from "./state";
import { StateStore } from "./store";

/**
 * The simulated Partner Center behind one state file: routes a request to the state machine
 * and adds what sits around it in the real service — per-customer throttling, `MS-RequestId`
 * replay, injected faults, the request log. The HTTP facade and the embedded backend both call
 * {@link SimulatorService.handle}, so they share every rule.
 */

export interface SimulatorServiceOptions {
  /** The JSON state file (design §6). */
  readonly statePath: string;
  /** Create the file with the demo tenant when it is missing. @default true */
  readonly createIfMissing?: boolean;
  /** Requests per minute per customer (real time); 0 turns throttling off. @default 500 */
  readonly rateLimitPerMinute?: number;
  /** The real clock (ms): throttling, the request log, and the simulated clock when the state has no `now`. @default Date.now */
  readonly realNow?: () => number;
  /** @default setTimeout-based */
  readonly sleep?: (ms: number) => Promise<void>;
  /** Ids of new subscriptions, carts, orders. @default crypto.randomUUID */
  readonly newId?: () => string;
  /** Entries kept in the request log (oldest dropped first). @default 50000 */
  readonly requestLogLimit?: number;
  /**
   * `MS-RequestId` replay entries kept in the state file (oldest dropped first). The 24 h window
   * alone never empties a file whose clock is frozen (the demo), and every write rewrites the file.
   * @default 1000
   */
  readonly replayLimit?: number;
  /** A state-file lock not refreshed for this long is taken over (see {@link StateStore}). @default 10000 */
  readonly lockStaleMs?: number;
  /**
   * Writes take effect this many ms of real time after they are accepted (`--async-ms`): a PATCH
   * answers 202 with `Location`, a transition `Started`, an order `pending`; meanwhile reads show
   * the old state and another write to the subscription gets 409 800082. 0 = synchronous.
   * @default 0
   */
  readonly asyncMs?: number;
  /**
   * What `subscribedskus` reports as `productSku.id`: `graph` (the Entra/Graph SKU id, as Partner
   * Center; the client maps it through the catalog's `provisioningId`) or `offer` (the catalog's
   * `PRODUCT:SKU`, as older simulators did).
   * @default "graph"
   */
  readonly subscribedSkuIds?: SubscribedSkuIds;
}

export interface SimRequest {
  readonly method: string;
  /** Path without the query string, e.g. `/v1/customers/{id}/subscriptions`. */
  readonly path: string;
  readonly query?: URLSearchParams;
  /** Lower-case names. */
  readonly headers?: Readonly<Record<string, string | undefined>>;
  readonly body?: unknown;
}

export interface SimResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: unknown;
}

/** One line of `GET /_sim/requests`. */
export interface RequestLogEntry {
  readonly method: string;
  readonly path: string;
  readonly status: number;
  readonly msRequestId: string | null;
  /** Real time the request was answered. */
  readonly at: string;
}

export const DEFAULT_RATE_LIMIT_PER_MINUTE = 500;
/** Partner Center honours an `MS-RequestId` replay for this long. */
const REPLAY_WINDOW_MS = DAY_MS;
const REPLAY_HEADER = "ms-requestid";
/** One clock move renews a monthly subscription at most this many years × 12 times. */
const MAX_CLOCK_STEP_YEARS = 10;
const MAX_CLOCK_STEP_MS = MAX_CLOCK_STEP_YEARS * 366 * DAY_MS;

const realSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export class SimulatorService {
  readonly store: StateStore;
  private readonly limiter: RateLimiter;
  private readonly realNow: () => number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly newId: () => string;
  private readonly logLimit: number;
  private readonly replayLimit: number;
  private readonly asyncMs: number;
  private readonly subscribedSkuIds: SubscribedSkuIds;
  private log: RequestLogEntry[] = [];

  private constructor(options: SimulatorServiceOptions) {
    this.realNow = options.realNow ?? Date.now;
    this.sleep = options.sleep ?? realSleep;
    this.newId = options.newId ?? randomUUID;
    this.logLimit = options.requestLogLimit ?? 50_000;
    this.replayLimit = options.replayLimit ?? 1000;
    this.asyncMs = options.asyncMs ?? 0;
    this.subscribedSkuIds = options.subscribedSkuIds ?? "graph";
    this.limiter = new RateLimiter(options.rateLimitPerMinute ?? DEFAULT_RATE_LIMIT_PER_MINUTE, this.realNow);
    this.store = new StateStore(options.statePath, {
      ...(options.createIfMissing === false ? {} : { initial: () => demoState(this.realNow()) }),
      ...(options.lockStaleMs === undefined ? {} : { staleMs: options.lockStaleMs }),
    });
  }

  /** Open the state file (creating the demo tenant when allowed and missing). */
  static async open(options: SimulatorServiceOptions): Promise<SimulatorService> {
    const service = new SimulatorService(options);
    await service.store.init();
    return service;
  }

  // -------------------------------------------------------------------------------------------
  // Partner Center API
  // -------------------------------------------------------------------------------------------

  async handle(request: SimRequest): Promise<SimResponse> {
    const requestId = request.headers?.[REPLAY_HEADER] ?? null;
    const response = await this.respond(request, requestId);
    this.logRequest(request.method, request.path, response.status, requestId);
    const echo: Record<string, string> = { ...response.headers };
    if (requestId) echo["MS-RequestId"] = requestId;
    const correlation = request.headers?.["ms-correlationid"];
    if (correlation) echo["MS-CorrelationId"] = correlation;
    return { ...response, headers: echo };
  }

  private async respond(request: SimRequest, requestId: string | null): Promise<SimResponse> {
    if (!wellFormedPath(request.path)) {
      return failure(new SimError(400, CODES.invalidInput, `Invalid request input: malformed URL path ${JSON.stringify(request.path.slice(0, 200))}; percent-escape it as UTF-8 (encodeURIComponent)`));
    }
    const matched = matchRoute(request.method, request.path);
    if (!matched) {
      const allowed = allowedMethods(request.path);
      const where = `${request.method.toUpperCase()} ${request.path}`;
      return failure(
        allowed.length > 0
          ? new SimError(405, CODES.notFound, `Method not allowed: ${where}; this path takes ${allowed.join(", ")}`, { Allow: allowed.join(", ") })
          : new SimError(404, CODES.notFound, `No such resource: ${where}; the simulator serves the Partner Center paths of design §6 (/v1/customers…, /v1/products…)`),
      );
    }
    const { route, params } = matched;

    const customerId = params["c"];
    if (customerId !== undefined) {
      const taken = this.limiter.take(customerId.toLowerCase());
      if (!taken.ok) {
        const message = `Rate limit is exceeded. Try again in ${taken.retryAfterSeconds} seconds.`;
        return {
          status: 429,
          headers: { "Retry-After": String(taken.retryAfterSeconds) },
          body: { code: CODES.tooManyRequests, description: message, statusCode: 429, message },
        };
      }
    }

    const fault = await this.takeFault(request.method, request.path);
    if (fault && !fault.afterCommit) {
      if (fault.latencyMs) await this.sleep(fault.latencyMs);
      return faultResponse(fault);
    }

    // Writes settle the accepted writes that are due (persisted); reads see them on a copy.
    if (route.write) await this.settle();
    const run = (engine: Commerce): RouteResult =>
      route.run({ engine, params, query: request.query ?? new URLSearchParams(), headers: request.headers ?? {}, body: request.body, path: request.path });
    let response: SimResponse;
    try {
      response = route.write ? await this.write(request, requestId, customerId, run) : this.read(customerId, run);
    } catch (e) {
      if (e instanceof SimError) response = failure(e);
      else throw e;
    }
    if (fault?.afterCommit) {
      if (fault.latencyMs) await this.sleep(fault.latencyMs);
      return faultResponse(fault);
    }
    return response;
  }

  /**
   * A read never writes (design §6): renewals and expiries due at `now` are applied to a copy of
   * the customer, and the next write to that customer persists the same result (renewal is a
   * pure function of the stored subscription and `now`, its etag included), so what a read showed
   * is what a later If-Match compares against.
   */
  private read(customerId: string | undefined, run: (engine: Commerce) => RouteResult): SimResponse {
    const state = this.store.read();
    const engine = this.engine(state);
    if (customerId === undefined || !engine.hasCustomer(customerId)) return success(run(engine));
    const customer = engine.customer(customerId);
    const pending = (state.pending ?? []).filter((p) => p.customerId.toLowerCase() === customer.id.toLowerCase() && Date.parse(p.dueAt) <= this.realNow());
    if (pending.length === 0 && !engine.hasDueRenewals(customerId)) return success(run(engine));
    return success(run(this.advanced(state, customer, pending)));
  }

  /**
   * An engine over a copy of `customer` with its due accepted writes and renewals applied, in the
   * order a write applies them (the state file is not touched).
   */
  private advanced(state: SimState, customer: SimCustomer, pending: SimPending[]): Commerce {
    const view: SimState = { ...state, customers: [structuredClone(customer)] };
    if (pending.length > 0) view.pending = structuredClone(pending);
    else delete view.pending;
    const engine = this.engine(view);
    engine.applyDuePending(this.realNow());
    engine.processRenewals(customer.id);
    return engine;
  }

  /**
   * A write under the lock. With an `MS-RequestId` seen in the last 24 h (simulated clock) the
   * first response comes back and nothing runs again; successful responses are stored for that.
   * Failures are not stored: a retry after fixing the cause may succeed.
   */
  private async write(
    request: SimRequest,
    requestId: string | null,
    customerId: string | undefined,
    run: (engine: Commerce) => RouteResult,
  ): Promise<SimResponse> {
    let response: SimResponse | undefined;
    await this.store.update((state) => {
      const engine = this.engine(state, true);
      const replay = requestId ? state.replay?.[requestId] : undefined;
      if (replay && utcMs(replay.at) > engine.now - REPLAY_WINDOW_MS) {
        if (replay.method !== request.method.toUpperCase() || replay.path !== request.path) {
          throw new SimError(
            400,
            CODES.requestIdReused,
            `MS-RequestId ${requestId} was already used for ${replay.method} ${replay.path}; use a new request id for each operation`,
          );
        }
        if (replay.requestHash !== undefined && replay.requestHash !== requestHash(request.method, request.body)) {
          throw new SimError(
            400,
            CODES.requestIdReused,
            `MS-RequestId ${requestId} was already used for ${replay.method} ${replay.path} with a different body; a retry must send the same body, a new operation a new request id`,
          );
        }
                response = { status: replay.status, headers: { ...(replay.headers ?? {}) }, body: structuredClone(replay.body) };
        return false;
      }
      const pruned = pruneReplay(state, engine.now);
      if (customerId !== undefined && engine.hasCustomer(customerId)) engine.processRenewals(customerId);
      const result = run(engine);
      response = success(result);
      if (requestId && result.status < 300) {
        const stored: StoredResponse = {
          at: formatWireDate(engine.now),
          method: request.method.toUpperCase(),
          path: request.path,
          requestHash: requestHash(request.method, request.body),
          status: result.status,
          ...(result.headers ? { headers: { ...result.headers } } : {}),
          body: result.body,
        };
        (state.replay ??= {})[requestId] = stored;
        dropOldest(state.replay, this.replayLimit);
        return true;
      }
      return engine.changed || pruned;
    });
    return response as SimResponse;
  }

  private engine(state: SimState, writing = false): Commerce {
    const real = this.realNow();
    const now = state.now === undefined ? real : utcMs(state.now);
    return new Commerce(state, {
      now,
      newId: this.newId,
      subscribedSkuIds: this.subscribedSkuIds,
      realNow: real,
      ...(writing && this.asyncMs > 0 ? { deferred: { acceptedAt: real, dueAt: real + this.asyncMs } } : {}),
    });
  }

  /**
   * Apply the accepted writes (`--async-ms`) that are due by now (real time), or all of them
   * with `all` (`POST /_sim/settle`). Runs before every request, so a change accepted before a
   * restart takes effect on the first request after it.
   */
  async settle(all = false): Promise<number> {
    const until = all ? Number.POSITIVE_INFINITY : this.realNow();
    // Checked on the cached state without building an engine: this runs before every request.
    if (!(this.store.read().pending ?? []).some((p) => Date.parse(p.dueAt) <= until)) return 0;
    let applied = 0;
    await this.store.update((state) => {
      const engine = this.engine(state);
      applied = (state.pending ?? []).filter((p) => Date.parse(p.dueAt) <= until).length;
      engine.applyDuePending(until);
      return engine.changed;
    });
    return applied;
  }

  /** The accepted writes that have not taken effect yet (`GET /_sim/pending`). */
  pending(): SimPending[] {
    // One that is due has taken effect for every reader, though the file keeps it until the next write.
    const now = this.realNow();
    return structuredClone((this.store.read().pending ?? []).filter((p) => Date.parse(p.dueAt) > now));
  }

  /** Add a line to the request log (the HTTP facade logs its token requests here too). */
  logRequest(method: string, path: string, status: number, requestId: string | null): void {
    this.log.push({ method: method.toUpperCase(), path, status, msRequestId: requestId, at: new Date(this.realNow()).toISOString() });
    if (this.log.length > this.logLimit) this.log.splice(0, this.log.length - this.logLimit);
  }

  // -------------------------------------------------------------------------------------------
  // Faults
  // -------------------------------------------------------------------------------------------

  /** Consume one use of the first fault matching the request, if any. */
  private async takeFault(method: string, path: string): Promise<SimFault | null> {
    const matches = (f: SimFault): boolean =>
      (f.method === undefined || f.method.toUpperCase() === method.toUpperCase()) && path.length <= MAX_FAULT_PATH && faultPattern(f.path).test(path);
    if (!(this.store.read().faults ?? []).some(matches)) return null;
    let taken: SimFault | null = null;
    await this.store.update((state) => {
      const faults = state.faults ?? [];
      const i = faults.findIndex(matches);
      const fault = faults[i];
      if (!fault) return false;
      taken = { ...fault };
      fault.count -= 1;
      if (fault.count <= 0) faults.splice(i, 1);
      return true;
    });
    return taken;
  }

  /** Arm a fault (`POST /_sim/faults`); returns it normalised. */
  async addFault(input: unknown): Promise<SimFault> {
    const fault = parseFault(input);
    await this.store.update((state) => {
      (state.faults ??= []).push(fault);
      return true;
    });
    return fault;
  }

  async clearFaults(): Promise<void> {
    await this.store.update((state) => {
      if (!state.faults?.length) return false;
      delete state.faults;
      return true;
    });
  }

  faults(): SimFault[] {
    return structuredClone(this.store.read().faults ?? []);
  }

  // -------------------------------------------------------------------------------------------
  // Clock, log, catalog
  // -------------------------------------------------------------------------------------------

  /** The simulated clock (ISO 8601). */
  now(): string {
    return new Date(this.engine(this.store.read()).now).toISOString();
  }

  /**
   * Move the simulated clock (`{now}` or `{advance: "P8D"}`) and process every renewal and
   * expiry in between. A state on the real clock is frozen at the new instant from then on.
   */
  async setClock(input: unknown): Promise<string> {
    const body = (typeof input === "object" && input !== null ? input : {}) as Record<string, unknown>;
    let target = 0;
    await this.settle();
    await this.store.update((state, keepAlive) => {
      const current = this.engine(state).now;
      if (typeof body["now"] === "string") {
        target = parseInstant(body["now"]);
        if (Number.isNaN(target)) throw new SimError(400, CODES.invalidInput, `Invalid request input: now must be an ISO 8601 date (got "${body["now"]}")`);
      } else if (typeof body["advance"] === "string") {
        try {
          target = addIsoDuration(current, body["advance"]);
        } catch (e) {
          throw new SimError(400, CODES.invalidInput, `Invalid request input: ${(e as Error).message}`);
        }
      } else {
        throw new SimError(400, CODES.invalidInput, 'Invalid request input: send {"now": ISO date} or {"advance": ISO duration such as "P8D"}');
      }
      if (!Number.isFinite(target) || target < current) {
        throw new SimError(
          400,
          CODES.invalidInput,
          `Invalid request input: the clock never goes backwards (it is ${formatWireDate(current)}, asked for ${Number.isFinite(target) ? formatWireDate(target) : "an invalid instant"}); to start over, write a new state file`,
        );
      }
      if (target - current > MAX_CLOCK_STEP_MS) {
        throw new SimError(400, CODES.invalidInput, `Invalid request input: the clock moves at most ${MAX_CLOCK_STEP_YEARS} years per request (it is ${formatWireDate(current)}); advance in steps`);
      }
      state.now = formatWireDate(target);
      const engine = this.engine(state);
      // Customer by customer, refreshing the lock: a big tenant over years takes a while.
      for (const customer of state.customers) {
        engine.processRenewals(customer.id);
        keepAlive();
      }
      return true;
    });
    return new Date(target).toISOString();
  }

  /**
   * What the simulator bills one customer at the simulated `now` (`GET /_sim/billing?customer=ID`):
   * the annualised run rate per subscription, extended service terms included. Renewals due are
   * processed first, as on every read.
   */
  async billing(customerId: unknown): Promise<Billing> {
    if (typeof customerId !== "string" || customerId === "") {
      throw new SimError(400, CODES.invalidInput, "Invalid request input: name the customer: GET /_sim/billing?customer=<tenant id>");
    }
    let result: Billing | undefined;
    await this.store.update((state) => {
      const engine = this.engine(state);
      if (engine.hasCustomer(customerId)) engine.processRenewals(customerId);
      result = engine.billing(customerId);
      return engine.changed;
    });
    return result as Billing;
  }

  requests(): RequestLogEntry[] {
    return [...this.log];
  }

  clearRequests(): void {
    this.log = [];
  }

  /** The partner application of the state (token checking), if any. */
  partner(): SimPartner | undefined {
    return this.store.read().partner;
  }

  /** The catalog in the domain's terms (what a backend reads). */
  catalog(): Catalog {
    return domainCatalog(catalogOf(this.store.read()));
  }

  /**
   * The whole state as a reader sees it now (for `GET /_sim/state` and tests): a copy with the
   * accepted writes and the renewals that are due applied, as every read applies them, so a test
   * checks what a client would read, not what the file still holds until the next write. The
   * state file is not touched (reads never write).
   */
  snapshot(): SimState {
    const view = structuredClone(this.store.read());
    const engine = this.engine(view);
    engine.applyDuePending(this.realNow());
    engine.processRenewals();
    return view;
  }
}

/** The fields of a subscription PATCH that ask for something; the rest is the resource as read. */
const PATCH_FIELDS = ["quantity", "autoRenewEnabled", "friendlyName", "status", "scheduledNextTermInstructions"].map((f) => f.toLowerCase());

/**
 * What identifies a write beyond method and path: its body as JSON — for a PATCH, the fields it
 * sets (a retry re-reads the subscription, so its etag and read-only fields differ, and it is
 * still the same operation; another quantity under the same request id is not).
 */
function requestHash(method: string, body: unknown): string {
  let identity = body ?? null;
  if (method.toUpperCase() === "PATCH" && typeof body === "object" && body !== null && !Array.isArray(body)) {
    identity = Object.fromEntries(
      Object.entries(body as Record<string, unknown>)
        .filter(([k]) => PATCH_FIELDS.includes(k.toLowerCase()))
        .map(([k, v]) => [k.toLowerCase(), v] as const)
        .sort(([a], [b]) => (a < b ? -1 : 1)),
    );
  }
  return createHash("sha256").update(JSON.stringify(identity)).digest("hex").slice(0, 32);
}

function success(result: RouteResult): SimResponse {
  return { status: result.status, headers: { ...(result.headers ?? {}) }, body: result.body };
}

function failure(e: SimError): SimResponse {
  return { status: e.status, headers: { ...e.headers }, body: e.body };
}

function faultResponse(fault: SimFault): SimResponse {
  return {
    status: fault.status,
    headers: fault.retryAfterSeconds !== undefined ? { "Retry-After": String(fault.retryAfterSeconds) } : {},
    body: faultBody(
      fault.code ?? String(fault.status),
      fault.description ?? `Simulated fault (${fault.afterCommit ? "the change was made, the response was lost" : "nothing was changed"}); retry the request`,
    ),
  };
}

function pruneReplay(state: SimState, now: number): boolean {
  if (!state.replay) return false;
  let pruned = false;
  for (const [id, entry] of Object.entries(state.replay)) {
    if (utcMs(entry.at) <= now - REPLAY_WINDOW_MS) {
      delete state.replay[id];
      pruned = true;
    }
  }
  return pruned;
}

/** Keep the newest `limit` entries (an object keeps insertion order: oldest first). */
function dropOldest(replay: Record<string, StoredResponse>, limit: number): void {
  const ids = Object.keys(replay);
  for (const id of ids.slice(0, Math.max(0, ids.length - limit))) delete replay[id];
}

/** Validate a `POST /_sim/faults` body (design §6). */
export function parseFault(input: unknown): SimFault {
  const bad = (why: string): SimError => new SimError(400, CODES.invalidInput, `Invalid fault: ${why}`);
  if (typeof input !== "object" || input === null) throw bad('send {"path": "<regex>", "status": 503, ...}');
  const f = input as Record<string, unknown>;
  if (typeof f["path"] !== "string") throw bad("path (a regular expression) is required");
  const unsafe = unsafePattern(f["path"]);
  if (unsafe) throw bad(`path ${unsafe}`);
  const status = f["status"];
  if (!Number.isInteger(status) || (status as number) < 100 || (status as number) > 599) throw bad("status must be an HTTP status (100–599)");
  const count = f["count"] ?? 1;
  if (!Number.isInteger(count) || (count as number) < 1) throw bad("count must be a positive integer");
  const fault: SimFault = { path: f["path"], status: status as number, count: count as number };
  if (typeof f["method"] === "string") fault.method = f["method"].toUpperCase();
  const numberField = (name: "retryAfterSeconds" | "latencyMs"): void => {
    const v = f[name];
    if (v === undefined) return;
    if (typeof v !== "number" || v < 0) throw bad(`${name} must be a non-negative number`);
    fault[name] = v;
  };
  numberField("retryAfterSeconds");
  numberField("latencyMs");
  if (f["afterCommit"] !== undefined) {
    if (typeof f["afterCommit"] !== "boolean") throw bad("afterCommit must be true or false");
    fault.afterCommit = f["afterCommit"];
  }
  if (typeof f["code"] === "string") fault.code = f["code"];
  if (typeof f["description"] === "string") fault.description = f["description"];
  return fault;
}

/** A path with a malformed percent-escape cannot name any resource: 400, as the service answers. */
export function wellFormedPath(path: string): boolean {
  if (!path.startsWith("/")) return false;
  try {
    decodeURIComponent(path);
    return true;
  } catch {
    return false;
  }
}

const MAX_FAULT_PATTERN = 300;
const MAX_FAULT_REPEATS = 2;
/** Longer paths match no fault (they name no resource anyway). */
const MAX_FAULT_PATH = 2048;
const compiledPatterns = new Map<string, RegExp>();

/** The compiled fault pattern; one that is unsafe (a hand-written state file) matches as a plain substring. */
function faultPattern(source: string): RegExp {
  let re = compiledPatterns.get(source);
  if (!re) {
    re = unsafePattern(source) === null ? new RegExp(source) : new RegExp(source.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"));
    if (compiledPatterns.size > 1000) compiledPatterns.clear();
    compiledPatterns.set(source, re);
  }
  return re;
}

/**
 * Why a fault's path pattern may not run (null: safe). Every request is tested against every
 * armed fault, so a pattern with catastrophic backtracking would block the whole server: no
 * backreferences, no lookarounds, and no repeated group (`*`, `+`, `{n,}`) that itself holds a
 * repetition or an alternative — the shapes (`(a+)+`, `(a|a)*`) that backtrack exponentially.
 */
export function unsafePattern(source: string): string | null {
  if (source.length > MAX_FAULT_PATTERN) return `is longer than ${MAX_FAULT_PATTERN} characters`;
  try {
    new RegExp(source);
  } catch (e) {
    return `is not a regular expression (${(e as Error).message})`;
  }
  if (/\\(?:[1-9]|k<)/.test(source)) return "uses a backreference; match the path with plain text and character classes";
  if (/\(\?<?[=!]/.test(source)) return "uses a lookaround; match the path with plain text and character classes";
  // Per open group: does it contain a quantifier or an alternation?
  const stack: boolean[] = [];
  let risky = false;
  let repeats = 0;
  for (let i = 0; i < source.length; i++) {
    const ch = source[i];
    if (ch === "\\") {
      i++;
      continue;
    }
    if (ch === "[") {
      // Skip a character class (quantifiers inside it are literals).
      for (i++; i < source.length && source[i] !== "]"; i++) if (source[i] === "\\") i++;
      continue;
    }
    if (ch === "(") {
      stack.push(false);
      continue;
    }
    if (ch === "|" || ch === "*" || ch === "+" || ch === "{") {
      if (ch !== "|") repeats += 1;
      if (stack.length > 0) stack[stack.length - 1] = true;
      continue;
    }
    if (ch === ")") {
      const inner = stack.pop() ?? false;
      const next = source[i + 1];
      if (inner && (next === "*" || next === "+" || next === "{")) risky = true;
      // The group's own content counts for the enclosing group.
      if (stack.length > 0 && inner) stack[stack.length - 1] = true;
    }
  }
  if (risky) return "repeats a group that itself repeats or alternates (catastrophic backtracking); write it without nested repetition";
  // Paths tested are at most MAX_FAULT_PATH long: two repetitions backtrack at most quadratically.
  if (repeats > MAX_FAULT_REPEATS) return `has more than ${MAX_FAULT_REPEATS} repetitions (*, +, {n,m}); match a shorter, more specific part of the path`;
  return null;
}
