import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type AttemptFailure, backoffMs, decideRetry, DEFAULT_RETRY_POLICY, parseRetryAfterMs, type RetryDecision } from "../../provider/http/retry";

const half = () => 0.5;
const status = (s: number, retryAfter?: string): AttemptFailure => ({ kind: "status", status: s, retryAfter: retryAfter ?? null });
const network = (code: string): AttemptFailure => ({ kind: "network", code });
const retry = (delayMs: number): RetryDecision => ({ retry: true, delayMs });
const stop = (reason: string, exhausted = false): RetryDecision => ({ retry: false, reason, exhausted });

// Default policy, random() = 0.5: backoff steps are 500, 1000, 2000, … ms, and the equal jitter
// makes each delay 3/4 of its step (375, 750, 1500, 3000, …).
describe("decideRetry", () => {
  it.each<[string, number, AttemptFailure, string, boolean, RetryDecision]>([
    ["a read after a 503 backs off", 1, status(503), "GET", false, retry(375)],
    ["the backoff doubles per attempt", 4, status(503), "GET", false, retry(3000)],
    ["transient failures stop at maxAttempts", 5, status(503), "GET", false, stop("status 503 after 5 attempts", true)],
    ["a write with its idempotency key is retried", 1, status(503), "PATCH", true, retry(375)],
    ["a write without an idempotency key is not repeated after a 503", 1, status(503), "PATCH", false, stop("status 503 on a PATCH without an idempotency key: it may have been applied, so it is not repeated")],
    ["a reset POST without a key is not repeated", 1, network("ECONNRESET"), "POST", false, stop("ECONNRESET on a POST without an idempotency key: it may have been applied, so it is not repeated")],
    ["a reset read is retried", 2, network("ECONNRESET"), "GET", false, retry(750)],
    ["a refused connection is retried even for a write (nothing was sent)", 1, network("ECONNREFUSED"), "POST", false, retry(375)],
    ["a timeout is retried", 2, { kind: "timeout" }, "GET", false, retry(750)],
    ["a timed-out write with its key is retried", 1, { kind: "timeout" }, "POST", true, retry(375)],
    ["429 waits Retry-After", 1, status(429, "2"), "GET", false, retry(2000)],
    ["429 backs off when that is longer than Retry-After", 3, status(429, "0"), "GET", false, retry(1500)],
    ["429 caps an absurd Retry-After", 1, status(429, "3600"), "GET", false, retry(120_000)],
    ["429 without Retry-After backs off", 1, status(429), "GET", false, retry(375)],
    ["429 on a write without a key is retried (the request was refused, not applied)", 1, status(429, "1"), "PATCH", false, retry(1000)],
    ["429 keeps going past maxAttempts (slow down, do not fail)", 5, status(429, "1"), "GET", false, retry(6000)],
    ["429 stops at maxThrottledAttempts", 12, status(429, "1"), "GET", false, stop("429 Too Many Requests after 12 attempts", true)],
    ["a business error (400) is never retried", 1, status(400), "PATCH", true, stop("status 400 is an answer, not a transient failure")],
    ["404 is never retried", 1, status(404), "GET", false, stop("status 404 is an answer, not a transient failure")],
    ["409 is never retried", 1, status(409), "POST", true, stop("status 409 is an answer, not a transient failure")],
    ["401 is left to the token refresh hook", 1, status(401), "GET", false, stop("status 401 is an answer, not a transient failure")],
    ["501 is never retried", 1, status(501), "GET", false, stop("status 501 is an answer, not a transient failure")],
    ["408 is retried", 1, status(408), "GET", false, retry(375)],
    ["an unknown host is not retried", 1, network("ENOTFOUND"), "GET", false, stop("network error ENOTFOUND is not transient")],
    ["an unexpected error is never retried", 1, { kind: "unknown" }, "GET", false, stop("an unexpected error is never retried")],
  ])("%s", (_name, attempt, failure, method, hasIdempotencyKey, expected) => {
    expect(decideRetry({ attempt, failure, method, hasIdempotencyKey, policy: DEFAULT_RETRY_POLICY, random: half })).toEqual(expected);
  });

  it("reads an HTTP-date Retry-After against the given instant", () => {
    const nowMs = Date.parse("2026-11-24T10:00:00Z");
    const failure = status(429, "Tue, 24 Nov 2026 10:00:05 GMT");
    expect(decideRetry({ attempt: 1, failure, method: "GET", hasIdempotencyKey: true, policy: DEFAULT_RETRY_POLICY, random: half, nowMs })).toEqual(retry(5000));
  });

  it("keeps every backoff between half and all of its capped step", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 40 }), fc.double({ min: 0, max: 0.999999, noNaN: true }), (attempt, r) => {
        const step = Math.min(DEFAULT_RETRY_POLICY.maxDelayMs, DEFAULT_RETRY_POLICY.baseDelayMs * 2 ** (attempt - 1));
        const delay = backoffMs(attempt, DEFAULT_RETRY_POLICY, () => r);
        return delay >= Math.floor(step / 2) && delay <= step;
      }),
    );
  });
});

describe("parseRetryAfterMs", () => {
  it.each<[string | null, number | undefined, number | null]>([
    ["3", undefined, 3000],
    ["1.5", undefined, 1500],
    [" 0 ", undefined, 0],
    [null, undefined, null],
    ["soon", 0, null],
    ["Tue, 24 Nov 2026 10:00:05 GMT", undefined, null],
    ["Tue, 24 Nov 2026 09:59:00 GMT", Date.parse("2026-11-24T10:00:00Z"), 0],
  ])("%s → %s", (value, nowMs, expected) => {
    expect(parseRetryAfterMs(value, nowMs)).toBe(expected);
  });
});
