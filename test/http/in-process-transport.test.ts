import { describe, expect, it } from "vitest";
import { HttpClient } from "../../provider/http/client";
import { InProcessTransport, type InProcessRequest } from "../../provider/http/in-process-transport";

const auth = { token: () => Promise.resolve("t"), refresh: () => Promise.resolve(null) };
const noSleep = (): Promise<void> => Promise.resolve();

describe("the in-process transport", () => {
  it("hands the handler what a server would receive: method, path, query, lower-case headers, body text", async () => {
    const seen: InProcessRequest[] = [];
    const http = new HttpClient({
      baseUrl: "http://simulator.invalid",
      auth,
      sleep: noSleep,
      transport: new InProcessTransport((request) => {
        seen.push(request);
        return Promise.resolve({ status: 200, headers: { "x-answer": "1" }, body: "\uFEFF{\"ok\":true}" });
      }),
    });
    const res = await http.request<{ ok: boolean }>({ method: "PATCH", path: "/v1/customers/c?x=1", query: { size: 5, skip: undefined }, body: { Quantity: 3 }, requestId: "rid-1" });
    expect(res.body).toEqual({ ok: true });
    expect(res.headers["x-answer"]).toBe("1");
    expect(seen).toHaveLength(1);
    expect(seen[0]?.method).toBe("PATCH");
    expect(seen[0]?.path).toBe("/v1/customers/c");
    expect(seen[0]?.query.toString()).toBe("x=1&size=5");
    expect(seen[0]?.headers["ms-requestid"]).toBe("rid-1");
    expect(seen[0]?.headers["authorization"]).toBe("Bearer t");
    expect(seen[0]?.body).toBe('{"Quantity":3}');
  });

  it("retries like the network: a 503 then the answer, under one request id", async () => {
    const ids: string[] = [];
    let n = 0;
    const http = new HttpClient({
      baseUrl: "http://simulator.invalid",
      auth,
      sleep: noSleep,
      transport: new InProcessTransport((request) => {
        ids.push(request.headers["ms-requestid"] ?? "");
        return Promise.resolve(++n === 1 ? { status: 503, headers: {}, body: '{"code":"503","description":"busy"}' } : { status: 200, headers: {}, body: "{}" });
      }),
    });
    await http.request({ method: "POST", path: "/v1/x", body: {}, requestId: "rid-2" });
    expect(ids).toEqual(["rid-2", "rid-2"]);
  });

  it("answers a handler that throws with a 500, and one that never answers with the attempt's deadline", async () => {
    const failing = new HttpClient({
      baseUrl: "http://simulator.invalid",
      auth,
      sleep: noSleep,
      policy: { maxAttempts: 1, maxThrottledAttempts: 1, baseDelayMs: 1, maxDelayMs: 1, maxRetryAfterMs: 1 },
      transport: new InProcessTransport(() => Promise.reject(new Error("state file unreadable"))),
    });
    await expect(failing.request({ method: "GET", path: "/v1/x" })).rejects.toMatchObject({ name: "RetryExhausted", cause: { status: 500, code: "InternalError" } });
    const silent = new HttpClient({
      baseUrl: "http://simulator.invalid",
      auth,
      sleep: noSleep,
      timeoutMs: 30,
      policy: { maxAttempts: 1, maxThrottledAttempts: 1, baseDelayMs: 1, maxDelayMs: 1, maxRetryAfterMs: 1 },
      transport: new InProcessTransport(() => new Promise(() => undefined)),
    });
    await expect(silent.request({ method: "GET", path: "/v1/x" })).rejects.toMatchObject({ name: "RetryExhausted", cause: { code: "ETIMEDOUT" } });
  });
});
