import { createHash } from "node:crypto";
import type * as Msal from "@azure/msal-node";
import type { AccountInfo, AuthenticationResult, ConfidentialClientApplication, NodeSystemOptions } from "@azure/msal-node";
import { BackendError } from "../domain/errors";
import type { AccessTokenSource } from "../http/client";
import { type Redactor, redactorFor, rememberSecret } from "../http/redact";
import { guardedNetworkClient } from "./token-network";

/** Client credentials flow (app-only). */
export const APP_SCOPE = "https://api.partnercenter.microsoft.com/.default";
/** Delegated (app+user) flow through a refresh token from the one-time MFA consent. */
export const USER_SCOPE = "https://api.partnercenter.microsoft.com/user_impersonation";
export const DEFAULT_AUTHORITY_HOST = "https://login.microsoftonline.com";

/** How seatplan authenticates to Partner Center (design §5). */
export type PartnerCenterCredentials =
  /** App-only: `SEATPLAN_TENANT_ID`, `SEATPLAN_CLIENT_ID`, `SEATPLAN_CLIENT_SECRET`. */
  | { readonly kind: "app"; readonly tenantId: string; readonly clientId: string; readonly clientSecret: string }
  /** App+user: the app's credentials plus `SEATPLAN_REFRESH_TOKEN`. */
  | {
      readonly kind: "app+user";
      readonly tenantId: string;
      readonly clientId: string;
      readonly clientSecret: string;
      readonly refreshToken: string;
    }
  /** `SEATPLAN_ACCESS_TOKEN`: a bearer token obtained elsewhere, used as is (no MSAL). */
  | { readonly kind: "token"; readonly accessToken: string };

export interface AuthOptions {
  /** Token authority. @default `https://login.microsoftonline.com/<tenantId>` */
  readonly authority?: string;
  /**
   * MSAL system options. Tests pass a `networkClient` that sends the real authority to a local
   * token endpoint (reference/msal-testing.md, option 3); production leaves this unset.
   */
  readonly msalSystem?: NodeSystemOptions;
  /** @default Date.now */
  readonly now?: () => number;
  /** Deadline of one token request. @default 30000 */
  readonly timeoutMs?: number;
}

/** A token source plus what it can tell the backend about itself. */
export interface PartnerCenterTokenSource extends AccessTokenSource {
  /** Acts for a user (app+user): only then may `subscribedskus` be called. */
  readonly delegated: boolean;
  /** Values to blank in every error and log line. */
  readonly secrets: readonly string[];
}

/** The values of a credential set that must never be printed. */
export function secretsOf(credentials: PartnerCenterCredentials): string[] {
  switch (credentials.kind) {
    case "app":
      return [credentials.clientSecret];
    case "app+user":
      return [credentials.clientSecret, credentials.refreshToken];
    case "token":
      return [credentials.accessToken];
  }
}

/** True when a JWT carries a delegated scope (`scp`); an opaque or app-only token is not delegated. */
export function isDelegatedToken(token: string): boolean {
  const payload = token.split(".")[1];
  if (payload === undefined) return false;
  try {
    const claims = JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as { scp?: unknown };
    return typeof claims.scp === "string" && claims.scp.length > 0;
  } catch {
    return false;
  }
}

// MSAL renews a cached token this long before it expires; the memo of the refresh-token flow
// (below) follows the same rule.
const RENEWAL_OFFSET_MS = 300_000;

/** One per credential set and MSAL system: MSAL's token cache lives in the application instance. */
class MsalTokenSource implements PartnerCenterTokenSource {
  readonly delegated: boolean;
  readonly secrets: readonly string[];
  private readonly app: ConfidentialClientApplication;
  private readonly redact: Redactor;
  private readonly now: () => number;
  private readonly inFlight = new Map<"token" | "refresh", Promise<string>>();
  private account: AccountInfo | null = null;
  /** Refresh-token flow only, when the token endpoint returned no account to cache under. */
  private memo: { readonly token: string; readonly expiresOn: number } | null = null;

  constructor(
    private readonly credentials: Extract<PartnerCenterCredentials, { kind: "app" | "app+user" }>,
    private readonly authority: string,
    msalSystem: NodeSystemOptions | undefined,
    now: (() => number) | undefined,
    timeoutMs: number,
  ) {
    this.delegated = credentials.kind === "app+user";
    this.secrets = secretsOf(credentials);
    this.secrets.forEach(rememberSecret);
    this.redact = redactorFor(this.secrets);
    this.now = now ?? Date.now;
    // MSAL is loaded with the first credential that needs it (~14 MB the embedded simulator never uses).
    const { ConfidentialClientApplication } = require("@azure/msal-node") as typeof Msal;
    this.app = new ConfidentialClientApplication({
      auth: { clientId: credentials.clientId, clientSecret: credentials.clientSecret, authority },
      system: { ...msalSystem, networkClient: guardedNetworkClient(msalSystem?.networkClient, timeoutMs) },
    });
  }

  token(): Promise<string> {
    return this.once("token", () => this.acquire(false));
  }

  refresh(): Promise<string | null> {
    return this.once("refresh", () => this.acquire(true));
  }

  /** MSAL does not coalesce concurrent first calls (50 customers would mean 50 POSTs): this does. */
  private once(kind: "token" | "refresh", run: () => Promise<string>): Promise<string> {
    const pending = this.inFlight.get(kind);
    if (pending) return pending;
    const started = run().finally(() => this.inFlight.delete(kind));
    this.inFlight.set(kind, started);
    return started;
  }

  private async acquire(force: boolean): Promise<string> {
    if (!force && this.memo && this.memo.expiresOn - RENEWAL_OFFSET_MS > this.now()) return this.memo.token;
    let result: AuthenticationResult | null;
    try {
      result = await this.request(force);
    } catch (e) {
      throw this.authError(e);
    }
    if (!result || !result.accessToken) {
      throw new BackendError(
        this.redact(
          `the token endpoint of ${this.authority} answered without an access token for client ${this.credentials.clientId}; check the app registration's Partner Center API permission and consent`,
        ),
        0,
        "empty_access_token",
      );
    }
    rememberSecret(result.accessToken);
    if (this.credentials.kind === "app+user") {
      this.account = result.account ?? this.account;
      this.memo = result.account ? null : { token: result.accessToken, expiresOn: result.expiresOn?.getTime() ?? 0 };
    }
    return result.accessToken;
  }

  private async request(force: boolean): Promise<AuthenticationResult | null> {
    const c = this.credentials;
    if (c.kind === "app") return this.app.acquireTokenByClientCredential({ scopes: [APP_SCOPE], ...(force ? { skipCache: true } : {}) });
    if (this.account) return this.app.acquireTokenSilent({ account: this.account, scopes: [USER_SCOPE], forceRefresh: force });
    // forceCache stores the account and the rotated refresh token, so later calls are cache hits.
    return this.app.acquireTokenByRefreshToken({ refreshToken: c.refreshToken, scopes: [USER_SCOPE], forceCache: true });
  }

  private authError(e: unknown): BackendError {
    const err = e as { errorCode?: unknown; errorMessage?: unknown; status?: unknown; message?: unknown };
    const code = typeof err.errorCode === "string" && err.errorCode !== "" ? err.errorCode : "token_error";
    const detail = typeof err.errorMessage === "string" && err.errorMessage !== "" ? err.errorMessage : typeof err.message === "string" ? err.message : String(e);
    const status = typeof err.status === "number" ? err.status : 0;
    const advice: Record<string, string> = {
      invalid_client: "check the client id and secret (SEATPLAN_CLIENT_ID, SEATPLAN_CLIENT_SECRET) and that the secret has not expired",
      unauthorized_client: "check the client id (SEATPLAN_CLIENT_ID) and the tenant (SEATPLAN_TENANT_ID)",
      invalid_grant: "the refresh token was refused: redo the one-time MFA consent and set the new SEATPLAN_REFRESH_TOKEN",
      invalid_request: "check the tenant (SEATPLAN_TENANT_ID) and the authority (SEATPLAN_AUTHORITY)",
      endpoints_resolution_error: `check that ${this.authority} is reachable (network, proxy, SEATPLAN_AUTHORITY)`,
      network_error: `check that ${this.authority} is reachable (network, proxy, SEATPLAN_AUTHORITY), then run again`,
    };
    const what = advice[code] ?? "check the credentials and the authority";
    // MSAL's own error object is not kept as `cause`: the message is all a user needs, and it is
    // the only part that has been through redaction.
    return new BackendError(this.redact(`could not get a Partner Center token from ${this.authority} (${code}): ${detail.trim()}; ${what}`), status, code);
  }
}

/** A token given as is: nothing to renew. */
class StaticTokenSource implements PartnerCenterTokenSource {
  readonly delegated: boolean;
  readonly secrets: readonly string[];
  constructor(private readonly accessToken: string) {
    this.delegated = isDelegatedToken(accessToken);
    this.secrets = [accessToken];
    rememberSecret(accessToken);
  }
  token(): Promise<string> {
    return Promise.resolve(this.accessToken);
  }
  refresh(): Promise<string | null> {
    return Promise.resolve(null);
  }
}

const DEFAULT_TOKEN_TIMEOUT_MS = 30_000;

const shared = new Map<string, MsalTokenSource>();
const sharedPerSystem = new WeakMap<NodeSystemOptions, Map<string, MsalTokenSource>>();

/**
 * The token source for a credential set. MSAL sources are shared per credential set (and MSAL
 * system options): every backend built from the same credentials uses one
 * `ConfidentialClientApplication`, so its token cache serves them all.
 */
export function tokenSourceFor(credentials: PartnerCenterCredentials, options: AuthOptions = {}): PartnerCenterTokenSource {
  if (credentials.kind === "token") return new StaticTokenSource(credentials.accessToken);
  const authority = (options.authority ?? `${DEFAULT_AUTHORITY_HOST}/${credentials.tenantId}`).replace(/\/+$/, "");
  // The key is a digest: the registry must not become one more place that holds the secret in clear.
  const key = createHash("sha256")
    .update(JSON.stringify([credentials.kind, authority, credentials.clientId, options.timeoutMs ?? null, ...secretsOf(credentials)]))
    .digest("hex");
  let registry = shared;
  if (options.msalSystem) {
    registry = sharedPerSystem.get(options.msalSystem) ?? new Map<string, MsalTokenSource>();
    sharedPerSystem.set(options.msalSystem, registry);
  }
  let source = registry.get(key);
  if (!source) {
    source = new MsalTokenSource(credentials, authority, options.msalSystem, options.now, options.timeoutMs ?? DEFAULT_TOKEN_TIMEOUT_MS);
    registry.set(key, source);
  }
  return source;
}
