import { ConfidentialClientApplication, type INetworkModule, type NetworkRequestOptions, type NetworkResponse } from "@azure/msal-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  CUSTOMER,
  customer,
  fault,
  startTestSimulator,
  state,
  type TestSimulator,
  wireCode,
} from "./helpers";

/**
 * The token endpoint, checked with the real @azure/msal-node (reference/msal-testing.md,
 * option 3: the real authority, a network client that sends login.microsoftonline.com to the
 * simulator and refuses anything else), and the API's token check.
 */

const TENANT = "aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa";
const PARTNER = { tenantId: TENANT, clientId: "seatplan-app", clientSecret: "s3cret-value", refreshToken: "consented-refresh-token" };
const SCOPE = "https://api.partnercenter.microsoft.com/.default";

class RedirectingNetworkClient implements INetworkModule {
  constructor(private readonly base: string) {}

  private target(url: string): string {
    const prefix = "https://login.microsoftonline.com";
    if (!url.startsWith(prefix)) throw new Error(`test network client refuses ${url}`);
    return `${this.base}${url.slice(prefix.length)}`;
  }

  private async send<T>(url: string, method: string, options?: NetworkRequestOptions): Promise<NetworkResponse<T>> {
    const res = await fetch(this.target(url), { method, headers: options?.headers ?? {}, ...(options?.body ? { body: options.body } : {}) });
    return { headers: Object.fromEntries(res.headers.entries()), body: (await res.json()) as T, status: res.status };
  }

  sendGetRequestAsync<T>(url: string, options?: NetworkRequestOptions): Promise<NetworkResponse<T>> {
    return this.send(url, "GET", options);
  }

  sendPostRequestAsync<T>(url: string, options?: NetworkRequestOptions): Promise<NetworkResponse<T>> {
    return this.send(url, "POST", options);
  }
}

let sim: TestSimulator;
beforeAll(async () => {
  sim = await startTestSimulator(state("2026-06-01T00:00:00Z", [customer([])], { partner: PARTNER }));
});
afterAll(async () => {
  await sim.close();
});

function msal(clientSecret = PARTNER.clientSecret): ConfidentialClientApplication {
  return new ConfidentialClientApplication({
    auth: { clientId: PARTNER.clientId, clientSecret, authority: `https://login.microsoftonline.com/${TENANT}` },
    system: { networkClient: new RedirectingNetworkClient(sim.url) },
  });
}

const subscriptions = (token?: string) =>
  sim.call("GET", `/v1/customers/${CUSTOMER}/subscriptions`, undefined, token ? { Authorization: `Bearer ${token}` } : {});

describe("token endpoint with MSAL", () => {
  it("client credentials: the token calls the API", async () => {
    const result = await msal().acquireTokenByClientCredential({ scopes: [SCOPE] });
    expect(result?.accessToken).toMatch(/^sim\./);
    expect((await subscriptions(result?.accessToken)).status).toBe(200);
  });

  it("refresh token: the consented refresh token gives an API token", async () => {
    const result = await msal().acquireTokenByRefreshToken({
      refreshToken: PARTNER.refreshToken,
      scopes: ["https://api.partnercenter.microsoft.com/user_impersonation"],
    });
    expect(result?.accessToken).toMatch(/^sim\./);
    expect((await subscriptions(result?.accessToken)).status).toBe(200);
  });

  it("a wrong client secret is refused as Entra ID does (invalid_client)", async () => {
    await expect(msal("wrong").acquireTokenByClientCredential({ scopes: [SCOPE] })).rejects.toMatchObject({ errorCode: "invalid_client" });
  });

  it("an unknown refresh token is refused (invalid_grant)", async () => {
    await expect(msal().acquireTokenByRefreshToken({ refreshToken: "revoked", scopes: [SCOPE] })).rejects.toMatchObject({ errorCode: "invalid_grant" });
  });
});

describe("API token check when the state names a partner application", () => {
  it.each`
    token                          | status
    ${undefined}                   | ${401}
    ${"made-up"}                   | ${401}
    ${"sim.eyJrIjoiYXQifQ.forged"} | ${401}
  `("a request with token $token answers $status", async ({ token, status }) => {
    const res = await subscriptions(token);
    expect(res.status).toBe(status);
    expect(res.headers.get("www-authenticate")).toBe("Bearer");
    expect(res.body["code"]).toBe(wireCode("Unauthorized"));
  });

  it("an issued token expires after its expires_in (real time)", async () => {
    let realNow = Date.parse("2026-06-01T00:00:00Z");
    const timed = await startTestSimulator(state("2026-06-01T00:00:00Z", [customer([])], { partner: PARTNER }), { realNow: () => realNow });
    try {
      const form = new URLSearchParams({ grant_type: "client_credentials", client_id: PARTNER.clientId, client_secret: PARTNER.clientSecret, scope: SCOPE });
      const res = await fetch(`${timed.url}/${TENANT}/oauth2/v2.0/token`, { method: "POST", body: form });
      const body = (await res.json()) as { access_token: string; expires_in: number; token_type: string };
      expect(body).toMatchObject({ token_type: "Bearer", expires_in: 3599 });
      const call = () => timed.call("GET", "/v1/customers", undefined, { Authorization: `Bearer ${body.access_token}` });
      realNow += 3598_000;
      expect((await call()).status).toBe(200);
      realNow += 1_000;
      expect((await call()).body).toEqual(fault("Unauthorized", "The bearer token has expired; request a new one"));
    } finally {
      await timed.close();
    }
  });

  it("without a partner application any request is accepted", async () => {
    const open = await startTestSimulator(state("2026-06-01T00:00:00Z", [customer([])]));
    try {
      expect((await open.call("GET", "/v1/customers")).status).toBe(200);
      const token = await open.call("POST", `/${TENANT}/oauth2/v2.0/token`);
      expect(token.status).toBe(400);
      expect(token.body["error"]).toBe("unsupported_grant_type");
    } finally {
      await open.close();
    }
  });
});
