import type * as Msal from "@azure/msal-node";
import type { AuthenticationResult, ConfidentialClientApplication, NodeSystemOptions } from "@azure/msal-node";
import { BackendError } from "../../domain/errors";
import type { AccessTokenSource } from "../../http/client";
import { type Redactor, redactorFor, rememberSecret } from "../../http/redact";
import { guardedNetworkClient } from "../token-network";

/** Deadline of one token request (MSAL's own network client has none). */
const TOKEN_TIMEOUT_MS = 30_000;

/** CloudCockpit's Entra tenant and API scope (reference: cloudcockpit.md, Auth). */
export const DEFAULT_AUTHORITY = "https://login.microsoftonline.com/4e806121-ff28-4286-ab4e-3be0a08f9ce0";
export const DEFAULT_SCOPE = "api://b92a36a4-feb8-4f47-a69c-29a180aa6d0a/.default";

/** How seatplan authenticates to CloudCockpit: an API Access (client id + secret), or a token got elsewhere. */
export type CloudCockpitCredentials =
  | { readonly kind: "app"; readonly clientId: string; readonly clientSecret: string }
  | { readonly kind: "token"; readonly accessToken: string };

export interface CloudCockpitTokenSource extends AccessTokenSource {
  /** Values to blank in every error and log line. */
  readonly secrets: readonly string[];
}

/** Client credentials through MSAL (its cache renews the ~1 h token); concurrent first calls share one request. */
class MsalClientCredentials implements CloudCockpitTokenSource {
  readonly secrets: readonly string[];
  private readonly app: ConfidentialClientApplication;
  private readonly redact: Redactor;
  private inFlight: Promise<string> | null = null;

  constructor(
    private readonly clientId: string,
    clientSecret: string,
    private readonly authority: string,
    private readonly scope: string,
    msalSystem: NodeSystemOptions | undefined,
  ) {
    this.secrets = [clientSecret];
    this.secrets.forEach(rememberSecret);
    this.redact = redactorFor(this.secrets);
    // Loaded with the first credential that needs it: a plan on another backend never does.
    const { ConfidentialClientApplication } = require("@azure/msal-node") as typeof Msal;
    this.app = new ConfidentialClientApplication({
      auth: { clientId, clientSecret, authority },
      // Every token request under a deadline, every token joining the process-wide redaction set.
      system: { ...msalSystem, networkClient: guardedNetworkClient(msalSystem?.networkClient, TOKEN_TIMEOUT_MS) },
    });
  }

  token(): Promise<string> {
    return this.once(false);
  }

  refresh(): Promise<string | null> {
    return this.once(true);
  }

  private once(force: boolean): Promise<string> {
    if (this.inFlight && !force) return this.inFlight;
    const started = this.acquire(force).finally(() => {
      if (this.inFlight === started) this.inFlight = null;
    });
    this.inFlight = started;
    return started;
  }

  private async acquire(force: boolean): Promise<string> {
    let result: AuthenticationResult | null;
    try {
      result = await this.app.acquireTokenByClientCredential({ scopes: [this.scope], ...(force ? { skipCache: true } : {}) });
    } catch (e) {
      const err = e as { errorCode?: unknown; errorMessage?: unknown; status?: unknown; message?: unknown };
      const code = typeof err.errorCode === "string" && err.errorCode !== "" ? err.errorCode : "token_error";
      const detail = typeof err.errorMessage === "string" && err.errorMessage !== "" ? err.errorMessage : typeof err.message === "string" ? err.message : String(e);
      const advice =
        code === "invalid_client"
          ? "check the API Access's client id and secret (SEATPLAN_CLIENT_ID, SEATPLAN_CLIENT_SECRET) in the portal's Settings"
          : code === "invalid_scope"
            ? "check SEATPLAN_CLOUDCOCKPIT_SCOPE"
            : "check SEATPLAN_AUTHORITY and the network";
      throw new BackendError(
        this.redact(`could not get a CloudCockpit token from ${this.authority} (${code}): ${detail.trim()}; ${advice}`),
        typeof err.status === "number" ? err.status : 0,
        code,
      );
    }
    rememberSecret(result?.accessToken);
    if (!result?.accessToken) {
      throw new BackendError(`the token endpoint of ${this.authority} answered without an access token for client ${this.clientId}`, 0, "empty_access_token");
    }
    return result.accessToken;
  }
}

class StaticToken implements CloudCockpitTokenSource {
  readonly secrets: readonly string[];
  constructor(private readonly accessToken: string) {
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

export function cloudCockpitTokenSource(
  credentials: CloudCockpitCredentials,
  options: { readonly authority?: string; readonly scope?: string; readonly msalSystem?: NodeSystemOptions } = {},
): CloudCockpitTokenSource {
  if (credentials.kind === "token") return new StaticToken(credentials.accessToken);
  return new MsalClientCredentials(
    credentials.clientId,
    credentials.clientSecret,
    (options.authority ?? DEFAULT_AUTHORITY).replace(/\/+$/, ""),
    options.scope ?? DEFAULT_SCOPE,
    options.msalSystem,
  );
}
