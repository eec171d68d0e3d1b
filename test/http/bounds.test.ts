import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { tokenSourceFor } from "../../provider/backends/partner-center/auth";
import { PartnerCenterBackend } from "../../provider/backends/partner-center/backend";
import { MAX_PAGES, pageGuard } from "../../provider/http/paging";
import { redact, REDACTED, rememberSecret } from "../../provider/http/redact";
import { RedirectingNetworkClient } from "../partner-center/redirecting-network-client";
import { type Reply, startScriptServer, type ScriptServer } from "./script-server";

/** Issue #9: every loop over remote data has a bound, every call (token included) a deadline,
 *  every credential the process obtains is redacted from then on. */

let server: ScriptServer;
const backends: PartnerCenterBackend[] = [];
beforeAll(async () => {
  server = await startScriptServer();
});
afterAll(async () => {
  await server.close();
});
afterEach(async () => {
  await Promise.all(backends.splice(0).map((b) => b.close()));
  server.seen.length = 0;
});

function backend(): PartnerCenterBackend {
  const b = new PartnerCenterBackend({ endpoint: server.url, credentials: { kind: "token", accessToken: "given-token-bounds" }, sleep: () => Promise.resolve(), timeoutMs: 2_000 });
  backends.push(b);
  return b;
}

const customer = (id: string) => ({ id, companyProfile: { tenantId: id, domain: `${id}.example`, companyName: id }, attributes: { objectType: "Customer" } });
function page(items: unknown[], next: string | null): Reply {
  return {
    status: 200,
    body: { totalCount: items.length, items, ...(next === null ? {} : { links: { next: { uri: "/v1/customers?size=500", method: "GET", headers: [{ key: "MS-ContinuationToken", value: next }] } } }), attributes: { objectType: "Collection" } },
  };
}

describe("paging", () => {
  it.each<[string, (n: number) => [number, string | null], string]>([
    ["a link seen before", (n) => [1, n < 3 ? `t${n}` : "t1"], "PagingLoop"],
    ["an empty page that links to another", (n) => [n < 2 ? 1 : 0, `t${n}`], "EmptyPageWithNext"],
    ["always one more page", (n) => [1, `t${n}`], "TooManyPages"],
  ])("the guard stops at %s", (_name, pageAt, code) => {
    const guard = pageGuard("/v1/customers", 50);
    for (let n = 1; n <= 100; n++) {
      const [items, link] = pageAt(n);
      const verdict = guard.next(items, link);
      if (verdict.follow) continue;
      expect(verdict).toMatchObject({ done: false, code });
      return;
    }
    throw new Error("the guard followed 100 pages");
  });

  it("the last page ends the list", () => {
    expect(pageGuard("x").next(3, null)).toEqual({ follow: false, done: true });
  });

  it(`a server that always offers a new next page is read ${MAX_PAGES} times, then refused`, async () => {
    let n = 0;
    server.route(() => {
      n++;
      return page([customer(`c${n}`)], `token-${n}`);
    });
    await expect(backend().listCustomers()).rejects.toMatchObject({ code: "TooManyPages", status: 502 });
    expect(server.seen).toHaveLength(MAX_PAGES);
  });

  it("an empty page with a next link is an error, not the end of the list (a missing subscription would be bought again)", async () => {
    server.script(page([customer("c1")], "t1"), page([], "t2"), page([customer("c3")], null));
    await expect(backend().listCustomers()).rejects.toMatchObject({ code: "EmptyPageWithNext" });
    expect(server.seen).toHaveLength(2);
  });
});

describe("token requests", () => {
  it("a token endpoint that never answers fails at the deadline with what to check", { timeout: 10_000 }, async () => {
    server.script({ hang: true });
    const source = tokenSourceFor(
      { kind: "app", tenantId: "11111111-2222-3333-4444-555555555555", clientId: "app-bounds", clientSecret: "fake-secret-bounds-1" },
      { msalSystem: { networkClient: new RedirectingNetworkClient("https://login.microsoftonline.com", server.url) }, timeoutMs: 300 },
    );
    const error = await source.token().then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(error?.message).toMatch(/could not get a Partner Center token from https:\/\/login\.microsoftonline\.com\/11111111-2222-3333-4444-555555555555/);
    expect(error?.message).toContain("(network_error)");
    expect(error?.message).toContain("is reachable");
  });

  it("a token MSAL obtains is redacted from every message built afterwards, by any redactor", async () => {
    const issued = "canary-access-token-Qz81xv";
    server.script({ status: 200, body: { token_type: "Bearer", expires_in: 3599, access_token: issued, refresh_token: "canary-refresh-token-Pp02" } });
    expect(redact(`the API said: ${issued}`)).toContain(issued);
    const source = tokenSourceFor(
      { kind: "app", tenantId: "11111111-2222-3333-4444-555555555555", clientId: "app-redact", clientSecret: "fake-secret-bounds-2" },
      { msalSystem: { networkClient: new RedirectingNetworkClient("https://login.microsoftonline.com", server.url) } },
    );
    expect(await source.token()).toBe(issued);
    expect(redact(`the API said: ${issued}; rotated canary-refresh-token-Pp02`)).toBe(`the API said: ${REDACTED}; rotated ${REDACTED}`);
  });
});

describe("redaction by key", () => {
  it.each([
    ["token= in a query string", "GET /x?token=abc.def-123&a=1", `GET /x?token=${REDACTED}&a=1`],
    ["assertion= in a form", "grant=jwt&assertion=eyJabc.def", `grant=jwt&assertion=${REDACTED}`],
    ["a token property in JSON", '{"token":"abc123xyz"}', `{"token":"${REDACTED}"}`],
  ])("blanks %s", (_name, input, expected) => {
    expect(redact(input)).toBe(expected);
  });

  it("ignores values too short to be credentials", () => {
    rememberSecret("abc");
    expect(redact("abc")).toBe("abc");
  });
});
