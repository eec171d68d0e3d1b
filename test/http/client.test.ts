import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { BackendError, RetryExhausted } from "../../provider/domain/errors";
import { type AccessTokenSource, HttpClient, type HttpClientOptions } from "../../provider/http/client";
import { DEFAULT_RETRY_POLICY } from "../../provider/http/retry";
import { startScriptServer, type ScriptServer } from "./script-server";

const SECRET = "fake-secret-7c1e9a";

let server: ScriptServer;
let clients: HttpClient[] = [];
beforeAll(async () => {
  server = await startScriptServer();
});
afterAll(async () => {
  await server.close();
});
afterEach(() => {
  for (const c of clients) c.close();
  clients = [];
  server.seen.length = 0;
  server.maxInFlight.clear();
});

/** A token source that hands out `token-1`, `token-2`, … and counts refreshes. */
function tokens(renewable = true): AccessTokenSource & { refreshes: number } {
  let n = 1;
  return {
    refreshes: 0,
    token: () => Promise.resolve(`token-${n}`),
    refresh() {
      this.refreshes += 1;
      if (!renewable) return Promise.resolve(null);
      n += 1;
      return Promise.resolve(`token-${n}`);
    },
  };
}

function client(overrides: Partial<HttpClientOptions> = {}): { http: HttpClient; delays: number[]; log: string[] } {
  const delays: number[] = [];
  const log: string[] = [];
  let id = 0;
  const http = new HttpClient({
    baseUrl: server.url,
    auth: tokens(),
    sleep: (ms) => {
      delays.push(ms);
      return Promise.resolve();
    },
    random: () => 0.5,
    newId: () => `id-${++id}`,
    log: (line) => log.push(line),
    ...overrides,
  });
  clients.push(http);
  return { http, delays, log };
}

describe("HttpClient", () => {
  it("sends the bearer token, one MS-RequestId across retries and a fresh MS-CorrelationId per attempt", async () => {
    server.script({ status: 503 }, { status: 200, body: { ok: true } });
    const { http, delays } = client();
    const res = await http.request<{ ok: boolean }>({ method: "GET", path: "/v1/customers" });
    expect(res.body).toEqual({ ok: true });
    expect(delays).toEqual([375]);
    expect(server.seen.map((r) => [r.headers["authorization"], r.headers["ms-requestid"], r.headers["ms-correlationid"], r.headers["accept"]])).toEqual([
      ["Bearer token-1", "id-1", "id-2", "application/json"],
      ["Bearer token-1", "id-1", "id-3", "application/json"],
    ]);
  });

  it("waits the server's Retry-After on 429", async () => {
    server.script({ status: 429, headers: { "retry-after": "2" } }, { status: 429, headers: { "retry-after": "1" } }, { status: 200, body: {} });
    const { http, delays } = client();
    await http.request({ method: "GET", path: "/v1/customers" });
    expect(delays).toEqual([2000, 1000]);
  });

  it("repeats a write after a connection reset with the same MS-RequestId and body", async () => {
    server.script({ reset: true }, { status: 200, body: { quantity: 4 } });
    const { http } = client();
    await http.request({ method: "PATCH", path: "/v1/customers/c/subscriptions/s", body: { quantity: 4 }, requestId: "write-1" });
    expect(server.seen.map((r) => [r.method, r.headers["ms-requestid"], r.body])).toEqual([
      ["PATCH", "write-1", '{"quantity":4}'],
      ["PATCH", "write-1", '{"quantity":4}'],
    ]);
  });

  it("does not repeat a non-idempotent write after a reset (it may have been applied)", async () => {
    server.script({ reset: true }, { status: 201, body: {} });
    const { http } = client();
    const error = await http.request({ method: "POST", path: "/v1/customers/c/carts", body: {}, idempotent: false, requestId: "cart-1" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BackendError);
    expect((error as BackendError).message).toBe("no answer (ECONNRESET) (POST /v1/customers/c/carts, MS-RequestId cart-1)");
    expect(server.seen).toHaveLength(1);
  });

  it("times out a silent attempt and tries again", async () => {
    server.script({ hang: true }, { status: 200, body: { ok: 1 } });
    const { http, delays } = client({ timeoutMs: 100 });
    const res = await http.request({ method: "GET", path: "/v1/customers" });
    expect(res.body).toEqual({ ok: 1 });
    expect(delays).toEqual([375]);
    expect(server.seen).toHaveLength(2);
  });

  it("gives an attempt the timeout as a deadline, not as the longest silence", async () => {
    // Ten characters 60 ms apart: never 100 ms silent, but 600 ms in all.
    server.script({ status: 200, body: { n: 12345 }, trickleMs: 60 }, { status: 200, body: { ok: 2 } });
    const { http, delays, log } = client({ timeoutMs: 100 });
    const res = await http.request({ method: "GET", path: "/v1/customers" });
    expect(res.body).toEqual({ ok: 2 });
    expect(delays).toEqual([375]);
    expect(log[0]).toMatch(/^GET \/v1\/customers → timeout \(\d+ ms, attempt 1, MS-RequestId id-1, MS-CorrelationId id-2\); retrying in 375 ms$/);
  });

  it("starts an attempt's deadline when a socket is free, not while it queues for one", async () => {
    // One socket, five requests of 120 ms: the fifth waits 480 ms for the socket, longer than
    // the 400 ms deadline, yet is itself quick.
    server.script({ status: 200, body: {}, delayMs: 120 });
    const { http, delays } = client({ timeoutMs: 400, maxSockets: 1, concurrencyPerScope: 5 });
    await Promise.all([...Array(5).keys()].map(() => http.request({ method: "GET", path: "/v1/customers" })));
    expect(delays).toEqual([]);
    expect(server.seen).toHaveLength(5);
  });

  it("turns a business error into a BackendError at once, with the request id in the message", async () => {
    server.script({ status: 400, body: { code: "800090", description: "Subscription quantity cannot be decreased" } });
    const { http, delays } = client();
    const error = await http.request({ method: "PATCH", path: "/v1/x", body: {}, requestId: "rid-1" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BackendError);
    expect(error).toMatchObject({ status: 400, code: "800090", requestId: "rid-1" });
    expect((error as Error).message).toBe("400 800090: Subscription quantity cannot be decreased (PATCH /v1/x, MS-RequestId rid-1)");
    expect(delays).toEqual([]);
    expect(server.seen).toHaveLength(1);
  });

  it("gives up after the policy's attempts with RetryExhausted carrying the last failure", async () => {
    server.script({ status: 503, body: { code: "503", description: "Service Unavailable" } });
    const { http, delays } = client({ policy: { ...DEFAULT_RETRY_POLICY, maxAttempts: 3 } });
    const error = await http.request({ method: "GET", path: "/v1/customers", requestId: "rid-2" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RetryExhausted);
    expect(error).toMatchObject({ attempts: 3 });
    expect((error as Error).message).toBe(
      "gave up after 3 attempts: 503 503: Service Unavailable (GET /v1/customers, MS-RequestId rid-2); the service is throttling or unavailable: run again later, or lower the concurrency",
    );
    expect((error as RetryExhausted).cause).toMatchObject({ name: "BackendError", status: 503, code: "503" });
    expect(delays).toEqual([375, 750]);
  });

  it("renews the token once after a 401 and repeats the request with it", async () => {
    server.script({ status: 401 }, { status: 200, body: {} });
    const auth = tokens();
    const { http, delays } = client({ auth });
    await http.request({ method: "GET", path: "/v1/customers" });
    expect(auth.refreshes).toBe(1);
    expect(delays).toEqual([]);
    expect(server.seen.map((r) => r.headers["authorization"])).toEqual(["Bearer token-1", "Bearer token-2"]);
  });

  it("repeats the request after a 401 with the very token the renewal returned", async () => {
    server.script({ status: 401 }, { status: 200, body: {} });
    // A source whose token() still answers from a cache the renewal has not reached yet.
    const auth = { token: () => Promise.resolve("cached-1"), refresh: () => Promise.resolve("renewed-2") };
    const { http } = client({ auth });
    await http.request({ method: "GET", path: "/v1/customers" });
    expect(server.seen.map((r) => r.headers["authorization"])).toEqual(["Bearer cached-1", "Bearer renewed-2"]);
  });

  it("gives up on a second 401 after one renewal", async () => {
    server.script({ status: 401, body: { code: "401", description: "Unauthorized" } });
    const auth = tokens();
    const { http } = client({ auth });
    const error = await http.request({ method: "GET", path: "/v1/customers", requestId: "rid-3" }).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: "BackendError", status: 401 });
    expect(auth.refreshes).toBe(1);
    expect(server.seen).toHaveLength(2);
  });

  it("does not repeat a 401 when the token cannot be renewed (a given access token)", async () => {
    server.script({ status: 401 });
    const auth = tokens(false);
    const { http } = client({ auth });
    await expect(http.request({ method: "GET", path: "/v1/customers" })).rejects.toMatchObject({ status: 401 });
    expect(server.seen).toHaveLength(1);
  });

  it("bounds the requests in flight per scope, not across scopes", async () => {
    server.script({ status: 200, body: {}, delayMs: 20 });
    const { http } = client({ concurrencyPerScope: 2 });
    const send = (scope: string) => http.request({ method: "GET", path: "/v1/x", scope, headers: { "x-scope": scope } });
    await Promise.all([...Array(6).keys()].flatMap(() => [send("a"), send("b")]));
    expect(server.maxInFlight.get("a")).toBe(2);
    expect(server.maxInFlight.get("b")).toBe(2);
    expect(server.seen).toHaveLength(12);
  });

  it("follows an absolute link on its own origin and refuses one to another host", async () => {
    server.script({ status: 200, body: { page: 2 } });
    const { http } = client();
    await expect(http.request({ method: "GET", path: `${server.url}/v1/customers?seek=2` })).resolves.toMatchObject({ body: { page: 2 } });
    await expect(http.request({ method: "GET", path: "https://elsewhere.example/v1/customers" })).rejects.toThrow(
      `refusing to follow a link to another host (https://elsewhere.example); expected ${server.url}`,
    );
    expect(server.seen).toHaveLength(1);
  });

  it("returns no body for 204", async () => {
    server.script({ status: 204 });
    const { http } = client();
    await expect(http.request({ method: "DELETE", path: "/v1/x" })).resolves.toMatchObject({ status: 204, body: undefined });
  });

  it("never puts a token or a configured secret in errors or log lines", async () => {
    server.script(
      { status: 503, body: { code: "503", description: `echo client_secret=${SECRET}` } },
      { status: 400, body: { code: "0", description: `bad request with Authorization: Bearer token-1 and ${SECRET}` } },
    );
    const { http, log } = client({ secrets: [SECRET] });
    const error = await http.request({ method: "GET", path: "/v1/customers" }).catch((e: unknown) => e);
    const everything = JSON.stringify([log, (error as Error).message, error, Object.entries(error as object)]);
    expect(everything).not.toContain(SECRET);
    expect(everything).not.toContain("token-1");
    expect((error as Error).message).toBe("400 0: bad request with Authorization: [REDACTED] and [REDACTED] (GET /v1/customers, MS-RequestId id-1)");
    expect(log).toHaveLength(2);
  });
});
