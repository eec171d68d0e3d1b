import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { isDelegatedToken, type PartnerCenterCredentials, tokenSourceFor } from "../../provider/client/auth";
import { BackendError } from "../../provider/domain/errors";
import { startScriptServer, type ScriptServer } from "../http/script-server";
import { RedirectingNetworkClient } from "./redirecting-network-client";

/**
 * Real MSAL against a scripted local token endpoint (the simulator's endpoint is used by the
 * backend tests; here the token endpoint's edge cases are scripted).
 */
const SECRET = "fake-secret-7c1e9a";
const TENANT = "11111111-2222-3333-4444-555555555555";
const APP: PartnerCenterCredentials = { kind: "app", tenantId: TENANT, clientId: "app-1", clientSecret: SECRET };
const USER: PartnerCenterCredentials = { kind: "app+user", tenantId: TENANT, clientId: "app-1", clientSecret: SECRET, refreshToken: "refresh-token-0f9d8c" };

let server: ScriptServer;
beforeAll(async () => {
  server = await startScriptServer();
});
afterAll(async () => {
  await server.close();
});
afterEach(() => {
  server.seen.length = 0;
});

/** A fresh MSAL system per test: the token-source registry is keyed by it, so tests do not share caches. */
function system() {
  return { networkClient: new RedirectingNetworkClient("https://login.microsoftonline.com", server.url) };
}
const tokenPosts = () => server.seen.filter((r) => r.method === "POST" && r.url.startsWith(`/${TENANT}/oauth2/v2.0/token`));
const form = (i: number) => Object.fromEntries(new URLSearchParams(tokenPosts()[i]?.body ?? ""));
const granted = (accessToken: string) => ({ status: 200, body: { token_type: "Bearer", expires_in: 3599, ext_expires_in: 3599, access_token: accessToken } });

describe("Partner Center authentication (MSAL)", () => {
  it("asks the real authority's token endpoint once for many concurrent callers (client credentials)", async () => {
    server.script(granted("at-1"));
    const source = tokenSourceFor(APP, { msalSystem: system() });
    const tokens = await Promise.all([...Array(50).keys()].map(() => source.token()));
    expect(new Set(tokens)).toEqual(new Set(["at-1"]));
    expect(await source.token()).toBe("at-1");
    expect(tokenPosts()).toHaveLength(1);
    expect(form(0)).toMatchObject({ grant_type: "client_credentials", client_id: "app-1", scope: "https://api.partnercenter.microsoft.com/.default" });
    expect(source.delegated).toBe(false);
  });

  it("shares one MSAL application (and its cache) per credential set", async () => {
    server.script(granted("at-1"));
    const msalSystem = system();
    const first = tokenSourceFor(APP, { msalSystem });
    const second = tokenSourceFor({ ...APP }, { msalSystem });
    expect(second).toBe(first);
    await first.token();
    await second.token();
    expect(tokenPosts()).toHaveLength(1);
    expect(tokenSourceFor({ ...APP, clientId: "app-2" }, { msalSystem })).not.toBe(first);
  });

  it("gets a new token on refresh (after a 401), bypassing the cache", async () => {
    server.script(granted("at-1"), granted("at-2"));
    const source = tokenSourceFor(APP, { msalSystem: system() });
    expect(await source.token()).toBe("at-1");
    expect(await source.refresh()).toBe("at-2");
    expect(await source.token()).toBe("at-2");
    expect(tokenPosts()).toHaveLength(2);
  });

  it("uses a refresh token for app+user with the user_impersonation scope, once", async () => {
    server.script(granted("user-at-1"));
    const source = tokenSourceFor(USER, { msalSystem: system() });
    expect(await source.token()).toBe("user-at-1");
    expect(await source.token()).toBe("user-at-1");
    expect(tokenPosts()).toHaveLength(1);
    expect(form(0)).toMatchObject({ grant_type: "refresh_token", client_id: "app-1", refresh_token: "refresh-token-0f9d8c" });
    expect(form(0)["scope"]?.split(" ")).toContain("https://api.partnercenter.microsoft.com/user_impersonation");
    expect(source.delegated).toBe(true);
  });

  it("caches the user's account and renews with the rotated refresh token when the endpoint returns one", async () => {
    const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString("base64url");
    const now = Math.floor(Date.now() / 1000);
    const claims = { tid: TENANT, oid: "user-1", sub: "user-1", preferred_username: "admin@partner.example", iss: `https://login.microsoftonline.com/${TENANT}/v2.0`, aud: "app-1", iat: now, exp: now + 3600 };
    const userGrant = (accessToken: string, refreshToken: string) => ({
      status: 200,
      body: {
        token_type: "Bearer",
        expires_in: 3599,
        scope: "https://api.partnercenter.microsoft.com/user_impersonation",
        access_token: accessToken,
        refresh_token: refreshToken,
        id_token: `${b64({ alg: "none", typ: "JWT" })}.${b64(claims)}.`,
        client_info: b64({ uid: "user-1", utid: TENANT }),
      },
    });
    server.script(userGrant("user-at-1", "rotated-rt-1"), userGrant("user-at-2", "rotated-rt-2"));
    const source = tokenSourceFor(USER, { msalSystem: system() });
    expect(await source.token()).toBe("user-at-1");
    expect(await source.token()).toBe("user-at-1");
    expect(await source.refresh()).toBe("user-at-2");
    expect(tokenPosts()).toHaveLength(2);
    expect(form(1)).toMatchObject({ grant_type: "refresh_token", refresh_token: "rotated-rt-1" });
  });

  it("refuses an empty access token from the token endpoint", async () => {
    server.script({ status: 200, body: { token_type: "Bearer", expires_in: 3599 } });
    const source = tokenSourceFor(APP, { msalSystem: system() });
    const error = await source.token().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BackendError);
    expect(error).toMatchObject({ code: "empty_access_token" });
    expect((error as Error).message).toBe(
      `the token endpoint of https://login.microsoftonline.com/${TENANT} answered without an access token for client app-1; check the app registration's Partner Center API permission and consent`,
    );
  });

  it("says what to do when the secret is refused, without ever showing it", async () => {
    server.script({
      status: 401,
      body: { error: "invalid_client", error_description: `AADSTS7000215: Invalid client secret provided: ${SECRET}`, error_codes: [7000215] },
    });
    const source = tokenSourceFor(APP, { msalSystem: system() });
    const error = await source.token().catch((e: unknown) => e);
    expect(error).toMatchObject({ name: "BackendError", code: "invalid_client", status: 401 });
    const message = (error as Error).message;
    expect(message).toContain(`could not get a Partner Center token from https://login.microsoftonline.com/${TENANT} (invalid_client):`);
    expect(message).toContain("AADSTS7000215: Invalid client secret provided: [REDACTED]");
    expect(message).toMatch(/; check the client id and secret \(SEATPLAN_CLIENT_ID, SEATPLAN_CLIENT_SECRET\) and that the secret has not expired$/);
    expect(JSON.stringify([error, Object.entries(error as object), String(error), (error as Error).stack])).not.toContain(SECRET);
  });

  it("tells the user to renew a refused refresh token", async () => {
    server.script({ status: 400, body: { error: "invalid_grant", error_description: "AADSTS70000: The provided grant is invalid or malformed.", error_codes: [70000] } });
    const error = await tokenSourceFor(USER, { msalSystem: system() }).token().catch((e: unknown) => e);
    expect(error).toMatchObject({ name: "BackendError", code: "invalid_grant" });
    expect((error as Error).message).toMatch(/redo the one-time MFA consent and set the new SEATPLAN_REFRESH_TOKEN$/);
    expect(JSON.stringify([error, (error as Error).message])).not.toContain("refresh-token-0f9d8c");
  });

  it("uses a given access token as is, without MSAL, and cannot renew it", async () => {
    const source = tokenSourceFor({ kind: "token", accessToken: "given-token-123" });
    expect(await source.token()).toBe("given-token-123");
    expect(await source.refresh()).toBeNull();
    expect(server.seen).toHaveLength(0);
  });

  it("never lets MSAL reach a host other than the redirected authority", async () => {
    const client = new RedirectingNetworkClient("https://login.microsoftonline.com", server.url);
    await expect(client.sendGetRequestAsync("https://login.example.org/common/discovery/instance")).rejects.toThrow(
      "RedirectingNetworkClient: refusing GET https://login.example.org/common/discovery/instance; only https://login.microsoftonline.com is redirected in tests",
    );
    expect(server.seen).toHaveLength(0);
  });
});

describe("isDelegatedToken", () => {
  const jwt = (claims: object) => `e30.${Buffer.from(JSON.stringify(claims)).toString("base64url")}.sig`;
  it.each<[string, string, boolean]>([
    ["a user token (scp)", jwt({ scp: "user_impersonation" }), true],
    ["an app token (roles, no scp)", jwt({ roles: ["x"] }), false],
    ["an opaque token", "x", false],
    ["a malformed payload", "a.!!!.b", false],
  ])("%s → %s", (_name, token, expected) => {
    expect(isDelegatedToken(token)).toBe(expected);
  });
});
