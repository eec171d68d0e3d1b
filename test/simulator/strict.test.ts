import { connect } from "node:net";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { unsafePattern } from "../../provider/simulator/service";
import { customer, fault, patch, state, startTestSimulator, subPath, subscription, type TestSimulator } from "./helpers";

/**
 * The simulator is as strict as the service, so a client bug shows here instead of in
 * production: a request id reused for another body, a stale If-Match, a PATCH without etag (in
 * rules.test.ts), malformed URLs, fault patterns that would block the server, clock values that
 * are absurd or go backwards.
 */

const NOW = "2026-06-01T00:00:00Z";
const BASE = state(NOW, [customer([subscription({ start: "2026-01-10T10:00:00Z", end: "2027-01-09T00:00:00Z", quantity: 5 })])]);

let sim: TestSimulator;
beforeAll(async () => {
  sim = await startTestSimulator(BASE);
});
afterAll(async () => {
  await sim.close();
});
beforeEach(() => sim.load(BASE));

/** One request with a raw request target (fetch normalises what these tests need to send). */
function rawRequest(port: number, target: string): Promise<{ status: number; body: unknown }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1", () => {
      socket.write(`GET ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`);
    });
    let text = "";
    socket.on("data", (d: Buffer) => (text += d.toString("utf8")));
    socket.on("error", reject);
    socket.on("end", () => {
      const status = Number(/^HTTP\/1\.1 (\d+)/.exec(text)?.[1]);
      resolve({ status, body: JSON.parse(text.slice(text.indexOf("\r\n\r\n") + 4)) as unknown });
    });
  });
}

describe("MS-RequestId reused with a different body", () => {
  it("is refused with RequestIdReused; the same operation retried is replayed", async () => {
    const first = await patch(sim, { quantity: 7 }, undefined, { "MS-RequestId": "req-1" });
    expect(first.status).toBe(200);
    // A retry re-reads (new etag, new seat batches) but asks the same: the first answer again.
    const retry = await patch(sim, { quantity: 7 }, undefined, { "MS-RequestId": "req-1" });
    expect([retry.status, retry.body["quantity"]]).toEqual([200, 7]);
    const reused = await patch(sim, { quantity: 9 }, undefined, { "MS-RequestId": "req-1" });
    expect(reused.status).toBe(400);
    expect(reused.body).toEqual(
      fault("RequestIdReused", `MS-RequestId req-1 was already used for PATCH ${subPath()} with a different body; a retry must send the same body, a new operation a new request id`),
    );
    expect((await sim.call("GET", subPath())).body["quantity"]).toBe(7);
  });

  it("a cart posted again under its request id with other lines is refused, not answered with the first cart", async () => {
    const cart = (quantity: number) => ({ lineItems: [{ catalogItemId: "CFQ7TTC0LH18:0001:SIMAV0000001", quantity, billingCycle: "monthly", termDuration: "P1M" }] });
    const path = `/v1/customers/${BASE.customers[0]!.id}/carts`;
    expect((await sim.call("POST", path, cart(1), { "MS-RequestId": "cart-1" })).status).toBe(201);
    expect((await sim.call("POST", path, cart(1), { "MS-RequestId": "cart-1" })).status).toBe(201);
    expect((await sim.call("POST", path, cart(2), { "MS-RequestId": "cart-1" })).body).toMatchObject({ code: "RequestIdReused" });
  });
});

describe("malformed URLs answer 400, not 500", () => {
  it.each(["//[", "http://[::1", "//other-host/v1/customers", "/v1/customers/%E0%A4%A", "/v1/customers/%ZZ/subscriptions"])("%s", async (target) => {
    const answer = await rawRequest(sim.server.port, target);
    expect(answer.status).toBe(400);
    expect(answer.body).toMatchObject({ code: 800002, description: expect.stringMatching(/^Invalid request input: malformed URL/) as unknown });
  });
});

describe("fault patterns that could block the server are refused", () => {
  it.each`
    path                              | why
    ${"(a+)+$"}                       | ${/repeats a group that itself repeats/}
    ${"^(/|[a-z]|a)*x$"}              | ${/repeats a group that itself repeats or alternates/}
    ${"(.*)\\1"}                      | ${/backreference/}
    ${"(?=a)"}                        | ${/lookaround/}
    ${"a*b*c*d"}                      | ${/more than 2 repetitions/}
    ${"x".repeat(301)}                | ${/longer than 300 characters/}
    ${"(["}                           | ${/is not a regular expression/}
  `("$path", async ({ path, why }) => {
    const answer = await sim.call("POST", "/_sim/faults", { path, status: 500 });
    expect(answer.status).toBe(400);
    expect(answer.body["description"]).toMatch(why);
  });

  it("ordinary patterns stay accepted", () => {
    for (const ok of ["/subscriptions/", "^/v1/customers/[^/]+/subscriptions$", "checkout$", "/carts/.*/checkout", "(subscriptions|carts)/", "[a-z]{3}"]) {
      expect(unsafePattern(ok)).toBeNull();
    }
  });

  it("a catastrophic pattern written into the state file by hand matches as plain text and answers at once", async () => {
    sim.load({ ...BASE, faults: [{ path: "(a+)+$", status: 500, count: 1 }] });
    const answer = await sim.call("GET", `/v1/customers/${"a".repeat(40)}!`);
    expect(answer.status).toBe(403);
  });
});

describe("the clock is bounded and never goes backwards", () => {
  it.each`
    body                                   | message
    ${{ now: "2026-05-31T00:00:00Z" }}     | ${"Invalid request input: the clock never goes backwards (it is 2026-06-01T00:00:00Z, asked for 2026-05-31T00:00:00Z); to start over, write a new state file"}
    ${{ advance: "-P1D" }}                 | ${"Invalid request input: the clock never goes backwards (it is 2026-06-01T00:00:00Z, asked for 2026-05-31T00:00:00Z); to start over, write a new state file"}
    ${{ advance: "P11Y" }}                 | ${"Invalid request input: the clock moves at most 10 years per request (it is 2026-06-01T00:00:00Z); advance in steps"}
    ${{ now: "+275760-09-13T00:00:00Z" }}  | ${"Invalid request input: the clock moves at most 10 years per request (it is 2026-06-01T00:00:00Z); advance in steps"}
    ${{ advance: "P99999999999Y" }}        | ${"Invalid request input: the clock never goes backwards (it is 2026-06-01T00:00:00Z, asked for an invalid instant); to start over, write a new state file"}
  `("$body is refused and the clock stays", async ({ body, message }) => {
    const answer = await sim.call("POST", "/_sim/clock", body);
    expect([answer.status, answer.body["description"]]).toEqual([400, message]);
    expect((await sim.call("GET", "/_sim/clock")).body).toEqual({ now: "2026-06-01T00:00:00.000Z" });
  });
});
