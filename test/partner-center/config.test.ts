import { describe, expect, it } from "vitest";
import { partnerCenterConfig, type PartnerCenterSettings } from "../../provider/config/partner-center";
import { ConfigError } from "../../provider/domain/errors";

const APP = { SEATPLAN_TENANT_ID: "t-1", SEATPLAN_CLIENT_ID: "c-1", SEATPLAN_CLIENT_SECRET: "fake-secret-7c1e9a" };
const HOW =
  "set SEATPLAN_TENANT_ID, SEATPLAN_CLIENT_ID and SEATPLAN_CLIENT_SECRET (app-only), add SEATPLAN_REFRESH_TOKEN for app+user, or give a bearer token in SEATPLAN_ACCESS_TOKEN";

describe("partner-center configuration", () => {
  it.each<[string, PartnerCenterSettings, object]>([
    ["a given access token wins and needs nothing else", { ...APP, SEATPLAN_ACCESS_TOKEN: "x" }, { endpoint: "https://api.partnercenter.microsoft.com", credentials: { kind: "token", accessToken: "x" } }],
    ["client credentials", APP, { endpoint: "https://api.partnercenter.microsoft.com", credentials: { kind: "app", tenantId: "t-1", clientId: "c-1", clientSecret: "fake-secret-7c1e9a" } }],
    [
      "a refresh token selects app+user",
      { ...APP, SEATPLAN_REFRESH_TOKEN: "rt" },
      { endpoint: "https://api.partnercenter.microsoft.com", credentials: { kind: "app+user", tenantId: "t-1", clientId: "c-1", clientSecret: "fake-secret-7c1e9a", refreshToken: "rt" } },
    ],
    [
      "endpoint and authority, trailing slashes dropped",
      { ...APP, SEATPLAN_ENDPOINT: "http://127.0.0.1:4010/", SEATPLAN_AUTHORITY: "https://login.microsoftonline.us/t-1/" },
      { endpoint: "http://127.0.0.1:4010", authority: "https://login.microsoftonline.us/t-1", credentials: { kind: "app" } },
    ],
    ["plain http to localhost (a local simulator)", { ...APP, SEATPLAN_ENDPOINT: "http://localhost:4010" }, { endpoint: "http://localhost:4010" }],
    ["plain http to the IPv6 loopback", { ...APP, SEATPLAN_ENDPOINT: "http://[::1]:4010" }, { endpoint: "http://[::1]:4010" }],
    ["empty values count as unset", { ...APP, SEATPLAN_ACCESS_TOKEN: "", SEATPLAN_REFRESH_TOKEN: " " }, { credentials: { kind: "app" } }],
  ])("%s", (_name, settings, expected) => {
    expect(partnerCenterConfig(settings)).toMatchObject(expected);
  });

  it.each<[string, PartnerCenterSettings, string]>([
    ["nothing set", {}, `SEATPLAN_TENANT_ID, SEATPLAN_CLIENT_ID and SEATPLAN_CLIENT_SECRET are not set, needed for the partner-center backend; ${HOW}`],
    ["the secret missing", { SEATPLAN_TENANT_ID: "t", SEATPLAN_CLIENT_ID: "c" }, `SEATPLAN_CLIENT_SECRET is not set, needed for the partner-center backend; ${HOW}`],
    [
      "a refresh token without the app's credentials",
      { SEATPLAN_REFRESH_TOKEN: "rt", SEATPLAN_TENANT_ID: "t" },
      `SEATPLAN_CLIENT_ID and SEATPLAN_CLIENT_SECRET are not set, needed for app+user access (SEATPLAN_REFRESH_TOKEN is set); ${HOW}`,
    ],
    ["an endpoint that is no URL", { SEATPLAN_ACCESS_TOKEN: "x", SEATPLAN_ENDPOINT: "api.partnercenter" }, 'SEATPLAN_ENDPOINT is not a URL: "api.partnercenter"; expected e.g. https://api.partnercenter.microsoft.com'],
    [
      "a plain-http endpoint off this machine (the token would travel unencrypted)",
      { SEATPLAN_ACCESS_TOKEN: "x", SEATPLAN_ENDPOINT: "http://api.partnercenter.microsoft.com" },
      'SEATPLAN_ENDPOINT must use https for api.partnercenter.microsoft.com (plain http would send the access token unencrypted; http is accepted only for a local simulator on 127.0.0.1, ::1 or localhost): "http://api.partnercenter.microsoft.com"',
    ],
    ["a plain-http authority (MSAL refuses it)", { ...APP, SEATPLAN_AUTHORITY: "http://127.0.0.1:1/t" }, 'SEATPLAN_AUTHORITY must use https: "http://127.0.0.1:1/t"'],
  ])("refuses %s with a ConfigError naming the variable", (_name, settings, message) => {
    const error = (() => {
      try {
        partnerCenterConfig(settings);
        return null;
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toBe(message);
  });
});
