import { createHmac, randomUUID, timingSafeEqual } from "node:crypto";
import type { SimPartner } from "./state";

/**
 * The simulator's OAuth token endpoint (`POST /{tenant}/oauth2/v2.0/token`), shaped as Entra ID
 * answers and as @azure/msal-node accepts (reference/msal-testing.md §2): client credentials
 * and refresh-token grants.
 *
 * Tokens are HMAC-signed with the partner's client secret, so any process serving the same state
 * file can check them without a token store. When the state has no `partner.clientId` /
 * `clientSecret`, every client is accepted and the API takes any bearer token.
 */

export const PARTNER_CENTER_AUDIENCE = "https://api.partnercenter.microsoft.com";
const ACCESS_TOKEN_SECONDS = 3599;
/** Signs tokens when the state names no client secret (nothing is checked then). */
const OPEN_SECRET = "seatplan-simulator";

export interface TokenResponse {
  readonly status: number;
  readonly body: Record<string, unknown>;
}

interface TokenPayload {
  /** `at` access token, `rt` refresh token. */
  readonly k: "at" | "rt";
  readonly tid: string;
  readonly cid: string;
  /** Expiry, real-time seconds since the epoch (access tokens only). */
  readonly exp?: number;
  readonly n: string;
}

function checksTokens(partner: SimPartner | undefined): partner is SimPartner & { clientId: string; clientSecret: string } {
  return Boolean(partner?.clientId && partner.clientSecret);
}

function sign(payload: TokenPayload, secret: string): string {
  const body = Buffer.from(JSON.stringify(payload)).toString("base64url");
  const mac = createHmac("sha256", secret).update(body).digest("base64url");
  return `sim.${body}.${mac}`;
}

function verify(token: string, secret: string): TokenPayload | null {
  const [prefix, body, mac] = token.split(".");
  if (prefix !== "sim" || !body || !mac) return null;
  const expected = createHmac("sha256", secret).update(body).digest();
  const given = Buffer.from(mac, "base64url");
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
  try {
    return JSON.parse(Buffer.from(body, "base64url").toString("utf8")) as TokenPayload;
  } catch {
    return null;
  }
}

function aadError(status: number, error: string, code: number, description: string): TokenResponse {
  return {
    status,
    body: { error, error_description: `AADSTS${code}: ${description}`, error_codes: [code], timestamp: "", trace_id: "", correlation_id: "" },
  };
}

function base64url(json: unknown): string {
  return Buffer.from(JSON.stringify(json)).toString("base64url");
}

/** Answer one token request (`form` = the x-www-form-urlencoded body). */
export function tokenResponse(tenant: string, form: URLSearchParams, partner: SimPartner | undefined, realNowMs: number): TokenResponse {
  const grant = form.get("grant_type");
  const clientId = form.get("client_id") ?? "";
  const secret = checksTokens(partner) ? partner.clientSecret : OPEN_SECRET;
  if (checksTokens(partner) && (clientId !== partner.clientId || form.get("client_secret") !== partner.clientSecret)) {
    return aadError(401, "invalid_client", 7000215, "Invalid client secret provided. Ensure the secret being sent in the request is the client secret value.");
  }
  const now = Math.floor(realNowMs / 1000);
  const access = sign({ k: "at", tid: tenant, cid: clientId, exp: now + ACCESS_TOKEN_SECONDS, n: randomUUID() }, secret);
  if (grant === "client_credentials") {
    return { status: 200, body: { token_type: "Bearer", expires_in: ACCESS_TOKEN_SECONDS, ext_expires_in: ACCESS_TOKEN_SECONDS, access_token: access } };
  }
  if (grant === "refresh_token") {
    const presented = form.get("refresh_token") ?? "";
    const configured = partner?.refreshToken;
    const issued = verify(presented, secret)?.k === "rt";
    const accepted = configured ? presented === configured || issued : presented !== "" && (issued || !checksTokens(partner));
    if (!accepted) return aadError(400, "invalid_grant", 70000, "The provided grant is invalid or malformed (refresh token unknown, revoked or expired).");
    const oid = "00000000-0000-4000-8000-00000000a11c";
    const idToken = `${base64url({ alg: "none", typ: "JWT" })}.${base64url({
      tid: tenant,
      oid,
      sub: oid,
      preferred_username: "admin@partner.onmicrosoft.com",
      iss: `https://login.microsoftonline.com/${tenant}/v2.0`,
      aud: clientId,
      iat: now,
      exp: now + ACCESS_TOKEN_SECONDS,
    })}.`;
    return {
      status: 200,
      body: {
        token_type: "Bearer",
        scope: form.get("scope") ?? `${PARTNER_CENTER_AUDIENCE}/user_impersonation`,
        expires_in: ACCESS_TOKEN_SECONDS,
        ext_expires_in: ACCESS_TOKEN_SECONDS,
        access_token: access,
        refresh_token: sign({ k: "rt", tid: tenant, cid: clientId, n: randomUUID() }, secret),
        id_token: idToken,
        client_info: base64url({ uid: oid, utid: tenant }),
      },
    };
  }
  return aadError(400, "unsupported_grant_type", 70003, `The app requested an unsupported grant type '${grant ?? ""}'; use client_credentials or refresh_token.`);
}

/**
 * Whether an `Authorization` header may call the API: with token checking on, a bearer token
 * this simulator issued and not expired; otherwise anything (or nothing) goes.
 */
export function authorize(header: string | undefined, partner: SimPartner | undefined, realNowMs: number): string | null {
  if (!checksTokens(partner)) return null;
  const token = /^Bearer\s+(.+)$/i.exec(header ?? "")?.[1];
  if (!token) return "A bearer token is required (Authorization: Bearer <token> from the token endpoint)";
  const payload = verify(token, partner.clientSecret);
  if (!payload || payload.k !== "at") return "The bearer token was not issued by this simulator for its partner application";
  if ((payload.exp ?? 0) * 1000 <= realNowMs) return "The bearer token has expired; request a new one";
  return null;
}
