import { randomUUID } from "node:crypto";
import { BackendError, RetryExhausted } from "../domain/errors";
import { AxiosTransport } from "./axios-transport";
import { type Redactor, redactorFor } from "./redact";
import { type AttemptFailure, DEFAULT_RETRY_POLICY, decideRetry, type RetryPolicy } from "./retry";
import { ScopeLimit } from "./scope-limit";
import type { Transport, TransportResponse } from "./transport";

/** Where bearer tokens come from. Implementations cache; the client asks once per attempt. */
export interface AccessTokenSource {
  /** A currently valid access token. */
  token(): Promise<string>;
  /**
   * Called once per request after a 401: returns a new token, or null when this source cannot
   * renew (a token given as is). The client retries the request once with the new token.
   */
  refresh(): Promise<string | null>;
}

export type HttpMethod = "GET" | "POST" | "PATCH" | "PUT" | "DELETE";

export interface HttpRequest {
  readonly method: HttpMethod;
  /** A path under the base URL (`/v1/customers`) or an absolute URL on the base URL's origin (paging links). */
  readonly path: string;
  readonly query?: Readonly<Record<string, string | number | undefined>>;
  readonly body?: unknown;
  /** Extra headers (`If-Match`, `MS-ContinuationToken`, …). */
  readonly headers?: Readonly<Record<string, string>>;
  /** Concurrency scope, normally the customer id: requests of one scope share a bound. @default "partner" */
  readonly scope?: string;
  /**
   * `MS-RequestId` of the logical operation, resent unchanged on every retry. Pass a stable id to
   * make a write idempotent across calls (a replay returns the first answer). @default a new GUID
   */
  readonly requestId?: string;
  /**
   * False for a write the server does not deduplicate by `MS-RequestId`: such a write is not
   * retried after an ambiguous failure (reset, timeout, 5xx). @default true
   */
  readonly idempotent?: boolean;
}

export interface HttpResponse<T> {
  readonly status: number;
  /** Header names in lower case. */
  readonly headers: Readonly<Record<string, string>>;
  /** Parsed JSON body (not validated: the caller maps it), undefined when empty. */
  readonly body: T;
  readonly requestId: string;
}

/** A request that failed for good, as handed to {@link HttpClientOptions.describe}. */
export interface HttpFailure {
  readonly method: HttpMethod;
  readonly path: string;
  /** The HTTP status, or null when no answer arrived. */
  readonly status: number | null;
  /** The parsed error body, when there was one. */
  readonly body: unknown;
  /** `ECONNRESET`, `ETIMEDOUT`, … when no answer arrived. */
  readonly networkCode: string | null;
}

/** A failure in the caller's terms: an error code and a message that says what to do. */
export interface FailureDescription {
  readonly code: string;
  readonly message: string;
}

export interface HttpClientOptions {
  /** Scheme, host and port; paths are appended (`https://api.partnercenter.microsoft.com`). */
  readonly baseUrl: string;
  readonly auth: AccessTokenSource;
  /** @default DEFAULT_RETRY_POLICY */
  readonly policy?: RetryPolicy;
  /** Per-attempt timeout. @default 30000 */
  readonly timeoutMs?: number;
  /** Requests in flight per scope (customer). @default 4 */
  readonly concurrencyPerScope?: number;
  /** Attempts in flight (one socket each) across all scopes; more wait for a free one. @default 64 */
  readonly maxSockets?: number;
  /** What carries each attempt. @default an {@link AxiosTransport} on `baseUrl` with `maxSockets` */
  readonly transport?: Transport;
  /** @default a setTimeout promise */
  readonly sleep?: (ms: number) => Promise<void>;
  /** @default Date.now */
  readonly now?: () => number;
  /** @default Math.random */
  readonly random?: () => number;
  /** Source of MS-RequestId / MS-CorrelationId values. @default crypto.randomUUID */
  readonly newId?: () => string;
  /** Strings to blank in every error and log line (client secret, refresh token, a given access token). */
  readonly secrets?: readonly (string | undefined)[];
  /** One line per attempt; already redacted. */
  readonly log?: (line: string) => void;
  /** Turns a final failure into a code and a message that says what to do. @default a generic description */
  readonly describe?: (failure: HttpFailure) => FailureDescription;
  /** Headers sent on every request (e.g. `MS-PartnerCenter-Application`). */
  readonly headers?: Readonly<Record<string, string>>;
  /** Sees every answer (any status) before the client acts on it: headers a caller keeps (a server's clock). */
  readonly observe?: (response: { readonly status: number; readonly headers: Readonly<Record<string, string>> }) => void;
}

const defaultSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Describes a failure from the `{code, description}` body most REST APIs of Microsoft return. */
export function describeGenerically(f: HttpFailure): FailureDescription {
  if (f.status === null) return { code: f.networkCode ?? "NETWORK", message: `no answer (${f.networkCode ?? "network error"})` };
  const body = f.body as { code?: unknown; description?: unknown } | undefined;
  if (body !== null && typeof body === "object" && body.code !== undefined) {
    const code = String(body.code as string | number);
    return { code, message: `${f.status} ${code}: ${typeof body.description === "string" ? body.description : "no description"}` };
  }
  return { code: `HTTP_${f.status}`, message: `HTTP ${f.status}` };
}

/**
 * A body as JSON: a leading UTF-8 byte order mark is dropped (Partner Center's bodies sometimes
 * carry one); text that is not JSON stays text (an HTML error page), "" is undefined.
 */
export function parseBody(text: string): unknown {
  const t = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  if (t.trim() === "") return undefined;
  try {
    return JSON.parse(t) as unknown;
  } catch {
    return t;
  }
}

/**
 * The REST client shared by REST backends: bearer auth with one refresh after a 401, a fresh
 * `MS-CorrelationId` per attempt, one `MS-RequestId` per logical request (kept across retries),
 * retries decided by {@link decideRetry}, a per-attempt timeout and a concurrency bound per scope.
 * Errors are `BackendError` / `RetryExhausted`, redacted when built. Each attempt goes through a
 * {@link Transport}: the network, or a server in this process.
 */
export class HttpClient {
  private readonly transport: Transport;
  private readonly origin: string;
  private readonly policy: RetryPolicy;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly now: () => number;
  private readonly random: () => number;
  private readonly newId: () => string;
  private readonly redact: Redactor;
  private readonly describe: (failure: HttpFailure) => FailureDescription;
  private readonly limits: ScopeLimit;
  private readonly timeoutMs: number;

  constructor(private readonly options: HttpClientOptions) {
    const base = new URL(options.baseUrl);
    this.origin = base.origin;
    this.policy = options.policy ?? DEFAULT_RETRY_POLICY;
    this.sleep = options.sleep ?? defaultSleep;
    this.now = options.now ?? Date.now;
    this.random = options.random ?? Math.random;
    this.newId = options.newId ?? randomUUID;
    this.redact = redactorFor(options.secrets ?? []);
    this.describe = options.describe ?? describeGenerically;
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.limits = new ScopeLimit(options.concurrencyPerScope ?? 4);
    this.transport = options.transport ?? new AxiosTransport({ baseUrl: options.baseUrl, ...(options.maxSockets !== undefined ? { maxSockets: options.maxSockets } : {}) });
  }

  /** Sends one logical request (with its retries). Resolves with any 2xx answer. */
  request<T>(req: HttpRequest): Promise<HttpResponse<T>> {
    return this.limits.run(req.scope ?? "partner", () => this.run<T>(req));
  }

  /** Releases the transport's sockets. */
  close(): void {
    this.transport.close();
  }

  private url(path: string): string {
    if (!/^https?:\/\//i.test(path)) return path;
    // A paging link is followed only on the API's own origin: the bearer token goes nowhere else.
    if (new URL(path).origin !== this.origin) {
      throw new BackendError(this.redact(`refusing to follow a link to another host (${new URL(path).origin}); expected ${this.origin}`), 0, "FOREIGN_LINK");
    }
    return path;
  }

  private async run<T>(req: HttpRequest): Promise<HttpResponse<T>> {
    const requestId = req.requestId ?? this.newId();
    const url = this.url(req.path);
    let refreshed = false;
    // Set once after a 401: the renewed token itself, since token() may still answer from a
    // cache (or a call in flight) that holds the refused one.
    let renewed: string | null = null;
    let attempt = 1;
    for (;;) {
      const correlationId = this.newId();
      const token = renewed ?? (await this.options.auth.token());
      const started = this.now();
      const sent = await this.transport.send({
        method: req.method,
        url,
        ...(req.query === undefined ? {} : { query: definedQuery(req.query) }),
        ...(req.body === undefined ? {} : { body: JSON.stringify(req.body) }),
        headers: {
          ...this.options.headers,
          ...req.headers,
          Accept: "application/json",
          ...(req.body === undefined ? {} : { "Content-Type": "application/json" }),
          Authorization: `Bearer ${token}`,
          "MS-RequestId": requestId,
          "MS-CorrelationId": correlationId,
        },
        timeoutMs: this.timeoutMs,
      });
      const response = sent.response;
      if (response) this.options.observe?.({ status: response.status, headers: response.headers });
      let failure = sent.failure;
      const ids = `MS-RequestId ${requestId}, MS-CorrelationId ${correlationId}`;
      const elapsed = this.now() - started;
      if (response) {
        const status = response.status;
        if (status >= 200 && status < 300) {
          this.logLine(`${req.method} ${req.path} → ${status} (${elapsed} ms, attempt ${attempt}, ${ids})`);
          return { status, headers: response.headers, body: parseBody(response.body) as T, requestId };
        }
        if (status === 401 && !refreshed) {
          refreshed = true;
          this.logLine(`${req.method} ${req.path} → 401 (${elapsed} ms, ${ids}); renewing the access token once`);
          renewed = await this.options.auth.refresh();
          if (renewed !== null) continue;
        }
        failure = { kind: "status", status, retryAfter: response.headers["retry-after"] ?? null };
      }
      failure ??= { kind: "unknown" };
      const decision = decideRetry({
        attempt,
        failure,
        method: req.method,
        hasIdempotencyKey: req.idempotent ?? true,
        policy: this.policy,
        random: this.random,
        nowMs: this.now(),
      });
      const outcome = response ? String(response.status) : failure.kind === "network" ? failure.code : failure.kind;
      if (decision.retry) {
        this.logLine(`${req.method} ${req.path} → ${outcome} (${elapsed} ms, attempt ${attempt}, ${ids}); retrying in ${decision.delayMs} ms`);
        await this.sleep(decision.delayMs);
        attempt += 1;
        continue;
      }
      this.logLine(`${req.method} ${req.path} → ${outcome} (${elapsed} ms, attempt ${attempt}, ${ids}); giving up: ${decision.reason}`);
      throw this.buildError(req, requestId, attempt, decision.exhausted, response, failure);
    }
  }

  private buildError(
    req: HttpRequest,
    requestId: string,
    attempts: number,
    exhausted: boolean,
    response: TransportResponse | undefined,
    failure: AttemptFailure,
  ): Error {
    const described = this.describe({
      method: req.method,
      path: req.path,
      status: response ? response.status : null,
      body: response === undefined ? undefined : parseBody(response.body),
      networkCode: response ? null : failure.kind === "network" ? failure.code : failure.kind === "timeout" ? "ETIMEDOUT" : "UNKNOWN",
    });
    const where = `${req.method} ${req.path}, MS-RequestId ${requestId}`;
    const error = new BackendError(this.redact(`${described.message} (${where})`), response?.status ?? 0, described.code, requestId);
    if (!exhausted) return error;
    return new RetryExhausted(
      this.redact(
        `gave up after ${attempts} attempts: ${described.message} (${where}); the service is throttling or unavailable: run again later, or lower the concurrency`,
      ),
      attempts,
      { cause: error },
    );
  }

  private logLine(line: string): void {
    this.options.log?.(this.redact(line));
  }
}

/** Query values as sent: an undefined value is left out. */
function definedQuery(query: Readonly<Record<string, string | number | undefined>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(query)) if (v !== undefined) out[k] = String(v);
  return out;
}
