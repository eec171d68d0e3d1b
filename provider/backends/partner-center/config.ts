import { ConfigError } from "../../domain/errors";
import type { PartnerCenterCredentials } from "./auth";
import { DEFAULT_ENDPOINT, PartnerCenterBackend, type PartnerCenterBackendOptions } from "./backend";

/** The configuration values of the partner-center backend (design §5), by environment variable name. */
export interface PartnerCenterSettings {
  readonly SEATPLAN_ENDPOINT?: string | undefined;
  readonly SEATPLAN_AUTHORITY?: string | undefined;
  readonly SEATPLAN_TENANT_ID?: string | undefined;
  readonly SEATPLAN_CLIENT_ID?: string | undefined;
  readonly SEATPLAN_CLIENT_SECRET?: string | undefined;
  readonly SEATPLAN_REFRESH_TOKEN?: string | undefined;
  readonly SEATPLAN_ACCESS_TOKEN?: string | undefined;
}

export interface PartnerCenterConfig {
  readonly endpoint: string;
  /** Absent: `https://login.microsoftonline.com/<tenant>`. */
  readonly authority?: string;
  readonly credentials: PartnerCenterCredentials;
}

const HOW =
  "set SEATPLAN_TENANT_ID, SEATPLAN_CLIENT_ID and SEATPLAN_CLIENT_SECRET (app-only), add SEATPLAN_REFRESH_TOKEN for app+user, or give a bearer token in SEATPLAN_ACCESS_TOKEN";

function value(settings: PartnerCenterSettings, name: keyof PartnerCenterSettings): string | undefined {
  const v = settings[name]?.trim();
  return v === "" ? undefined : v;
}

function url(settings: PartnerCenterSettings, name: "SEATPLAN_ENDPOINT" | "SEATPLAN_AUTHORITY", protocols: readonly string[]): string | undefined {
  const v = value(settings, name);
  if (v === undefined) {
    // Set but blank (a shell snippet whose variable did not expand): not a quiet "use the default".
    if (settings[name] !== undefined) {
      const example = name === "SEATPLAN_ENDPOINT" ? "the simulator's URL (printed by `seatplan simulator`)" : "https://login.microsoftonline.com/<tenant>";
      throw new ConfigError(`${name} is set but empty: set it to ${example}, or unset it to use ${name === "SEATPLAN_ENDPOINT" ? DEFAULT_ENDPOINT : "the default authority"}`);
    }
    return undefined;
  }
  let parsed: URL;
  try {
    parsed = new URL(v);
  } catch {
    throw new ConfigError(`${name} is not a URL: ${JSON.stringify(v)}; expected e.g. ${name === "SEATPLAN_ENDPOINT" ? DEFAULT_ENDPOINT : "https://login.microsoftonline.com/<tenant>"}`);
  }
  if (!protocols.includes(parsed.protocol)) {
    throw new ConfigError(`${name} must use ${protocols.map((p) => p.replace(":", "")).join(" or ")}: ${JSON.stringify(v)}`);
  }
  // The bearer token travels with every call: plain http only to this machine (a local simulator).
  if (parsed.protocol === "http:" && !isLoopback(parsed.hostname)) {
    throw new ConfigError(`${name} must use https for ${parsed.hostname} (plain http would send the access token unencrypted; http is accepted only for a local simulator on 127.0.0.1, ::1 or localhost): ${JSON.stringify(v)}`);
  }
  return v.replace(/\/+$/, "");
}

function isLoopback(hostname: string): boolean {
  return hostname === "localhost" || hostname === "[::1]" || /^127(\.\d{1,3}){3}$/.test(hostname);
}

/**
 * Reads the partner-center configuration. A given access token wins (used as is); otherwise a
 * refresh token selects app+user, else client credentials. A missing value is a `ConfigError`
 * naming every variable still needed. Pure: the caller passes the environment (and flags merged
 * over it).
 */
export function partnerCenterConfig(settings: PartnerCenterSettings): PartnerCenterConfig {
  const endpoint = url(settings, "SEATPLAN_ENDPOINT", ["https:", "http:"]) ?? DEFAULT_ENDPOINT;
  // MSAL refuses a plain-http authority (reference/msal-testing.md §1).
  const authority = url(settings, "SEATPLAN_AUTHORITY", ["https:"]);
  const base = { endpoint, ...(authority !== undefined ? { authority } : {}) };

  const accessToken = value(settings, "SEATPLAN_ACCESS_TOKEN");
  if (accessToken !== undefined) return { ...base, credentials: { kind: "token", accessToken } };

  const refreshToken = value(settings, "SEATPLAN_REFRESH_TOKEN");
  const needed = ["SEATPLAN_TENANT_ID", "SEATPLAN_CLIENT_ID", "SEATPLAN_CLIENT_SECRET"] as const;
  const missing = needed.filter((name) => value(settings, name) === undefined);
  if (missing.length > 0) {
    const list = missing.length === 1 ? `${missing[0]} is` : `${missing.slice(0, -1).join(", ")} and ${missing.at(-1)} are`;
    const flow = refreshToken !== undefined ? "app+user access (SEATPLAN_REFRESH_TOKEN is set)" : "the partner-center backend";
    throw new ConfigError(`${list} not set, needed for ${flow}; ${HOW}`);
  }
  const app = {
    tenantId: value(settings, "SEATPLAN_TENANT_ID") ?? "",
    clientId: value(settings, "SEATPLAN_CLIENT_ID") ?? "",
    clientSecret: value(settings, "SEATPLAN_CLIENT_SECRET") ?? "",
  };
  return { ...base, credentials: refreshToken !== undefined ? { kind: "app+user", ...app, refreshToken } : { kind: "app", ...app } };
}

/**
 * The partner-center backend built from configuration values (what the CLI and the Pulumi
 * provider call). `options` adds what configuration does not carry (clock, sleep, log, MSAL
 * system options for tests).
 */
export function createPartnerCenterBackend(
  settings: PartnerCenterSettings,
  options: Omit<Partial<PartnerCenterBackendOptions>, "credentials" | "endpoint" | "authority"> = {},
): PartnerCenterBackend {
  const config = partnerCenterConfig(settings);
  return new PartnerCenterBackend({
    ...options,
    endpoint: config.endpoint,
    credentials: config.credentials,
    ...(config.authority !== undefined ? { authority: config.authority } : {}),
  });
}
