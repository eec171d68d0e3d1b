/**
 * Retry policy as data plus one pure decision function (conventions #4). No clock, no timers, no
 * randomness of its own: the caller passes `random` (and `nowMs` to read an HTTP-date
 * `Retry-After`), so every decision is reproducible in a table test.
 */

/** How hard a REST client tries before it gives up. */
export interface RetryPolicy {
  /** Attempts in total (the first one included) for transient failures: 5xx, resets, timeouts. @default 5 */
  readonly maxAttempts: number;
  /**
   * Attempts in total while the service only throttles (429). Higher than `maxAttempts` because a
   * throttled 200-customer run must slow down, not fail. @default 12
   */
  readonly maxThrottledAttempts: number;
  /** First backoff step; doubles on each further attempt. @default 500 */
  readonly baseDelayMs: number;
  /** Upper bound of one backoff step. @default 30000 */
  readonly maxDelayMs: number;
  /** Upper bound on a server's `Retry-After` (a broken header must not park a run for an hour). @default 120000 */
  readonly maxRetryAfterMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxAttempts: 5,
  maxThrottledAttempts: 12,
  baseDelayMs: 500,
  maxDelayMs: 30_000,
  maxRetryAfterMs: 120_000,
};

/** What went wrong with one attempt. */
export type AttemptFailure =
  /** The server answered with a non-success status. `retryAfter` is the raw header value. */
  | { readonly kind: "status"; readonly status: number; readonly retryAfter?: string | null }
  /** The socket failed; `code` is the Node error code (`ECONNRESET`, `ECONNREFUSED`, …). */
  | { readonly kind: "network"; readonly code: string }
  /** No answer within the per-request timeout. */
  | { readonly kind: "timeout" }
  /** Anything else (a bug, an unexpected exception): never retried. */
  | { readonly kind: "unknown" };

export interface RetryInput {
  /** 1-based number of the attempt that just failed. */
  readonly attempt: number;
  readonly failure: AttemptFailure;
  readonly method: string;
  /** The request carries an idempotency key (`MS-RequestId`) that is resent unchanged on a retry. */
  readonly hasIdempotencyKey: boolean;
  readonly policy: RetryPolicy;
  /** A number in [0, 1) for jitter. */
  readonly random: () => number;
  /** The current instant (ms since epoch), only needed when `Retry-After` is an HTTP date. */
  readonly nowMs?: number;
}

export type RetryDecision =
  | { readonly retry: true; readonly delayMs: number }
  /** `exhausted`: the failure was retryable but the attempts ran out. */
  | { readonly retry: false; readonly reason: string; readonly exhausted: boolean };

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/** The request never reached the server: retrying cannot apply a write twice. */
const NOT_SENT_CODES = new Set(["ECONNREFUSED", "EAI_AGAIN", "ENETUNREACH", "EHOSTUNREACH"]);
/** The request may or may not have been processed. */
const AMBIGUOUS_CODES = new Set(["ECONNRESET", "EPIPE", "ETIMEDOUT", "ECONNABORTED", "ESOCKETTIMEDOUT", "UND_ERR_SOCKET"]);
/** Statuses that describe the server's state, not the request: worth another try. */
const TRANSIENT_STATUSES = new Set([408, 500, 502, 503, 504]);

type Classified = { readonly class: "throttled" | "not-sent" | "ambiguous"; readonly label: string } | { readonly class: "final"; readonly reason: string };

function classify(failure: AttemptFailure): Classified {
  switch (failure.kind) {
    case "status":
      if (failure.status === 429) return { class: "throttled", label: "429 Too Many Requests" };
      if (TRANSIENT_STATUSES.has(failure.status)) return { class: "ambiguous", label: `status ${failure.status}` };
      return { class: "final", reason: `status ${failure.status} is an answer, not a transient failure` };
    case "network":
      if (NOT_SENT_CODES.has(failure.code)) return { class: "not-sent", label: failure.code };
      if (AMBIGUOUS_CODES.has(failure.code)) return { class: "ambiguous", label: failure.code };
      return { class: "final", reason: `network error ${failure.code} is not transient` };
    case "timeout":
      return { class: "ambiguous", label: "timeout" };
    case "unknown":
      return { class: "final", reason: "an unexpected error is never retried" };
  }
}

/** Exponential backoff with "equal jitter": half fixed, half random, so a delay never collapses to 0. */
export function backoffMs(attempt: number, policy: RetryPolicy, random: () => number): number {
  const step = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(step / 2 + random() * (step / 2));
}

/**
 * Reads `Retry-After`: delta-seconds or an HTTP date (RFC 9110 §10.2.3). Returns null when
 * absent or unreadable.
 */
export function parseRetryAfterMs(value: string | null | undefined, nowMs?: number): number | null {
  if (value == null) return null;
  const text = value.trim();
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
  if (nowMs === undefined) return null;
  const at = Date.parse(text);
  return Number.isNaN(at) ? null : Math.max(0, at - nowMs);
}

/**
 * Decides whether to try a failed request again, and after how long.
 *
 * - 429: waits `Retry-After` (capped by `maxRetryAfterMs`), or the backoff when that is longer,
 *   so repeated throttling backs off exponentially; bounded by `maxThrottledAttempts`.
 * - 408/5xx gateway statuses, resets, timeouts: backoff with jitter; bounded by `maxAttempts`.
 *   A write is retried only when it carries an idempotency key (the same `MS-RequestId`), because
 *   the first attempt may have been applied.
 * - Connection refused and DNS hiccups: retried even for writes (nothing was sent).
 * - Other 4xx (business errors), other network errors, unknown errors: never retried.
 */
export function decideRetry(input: RetryInput): RetryDecision {
  const { attempt, failure, method, hasIdempotencyKey, policy, random } = input;
  const c = classify(failure);
  if (c.class === "final") return { retry: false, reason: c.reason, exhausted: false };

  const isWrite = !SAFE_METHODS.has(method.toUpperCase());
  if (c.class === "ambiguous" && isWrite && !hasIdempotencyKey) {
    return {
      retry: false,
      reason: `${c.label} on a ${method.toUpperCase()} without an idempotency key: it may have been applied, so it is not repeated`,
      exhausted: false,
    };
  }

  const limit = c.class === "throttled" ? policy.maxThrottledAttempts : policy.maxAttempts;
  if (attempt >= limit) {
    return { retry: false, reason: `${c.label} after ${attempt} attempt${attempt === 1 ? "" : "s"}`, exhausted: true };
  }

  const backoff = backoffMs(attempt, policy, random);
  if (c.class === "throttled" && failure.kind === "status") {
    const retryAfter = parseRetryAfterMs(failure.retryAfter, input.nowMs);
    if (retryAfter !== null) return { retry: true, delayMs: Math.max(Math.min(retryAfter, policy.maxRetryAfterMs), backoff) };
  }
  return { retry: true, delayMs: backoff };
}
