import type { CloudCockpitCredentials } from "../client/cloudcockpit/auth";
import { CloudCockpitBackend, type CloudCockpitBackendOptions, DEFAULT_ENDPOINT } from "../client/cloudcockpit/backend";
import { ConfigError } from "../domain/errors";
import { builtInCatalogData } from "../simulator/catalog";

/** The configuration values of the cloudcockpit backend, by environment variable name (design §8). */
export interface CloudCockpitSettings {
  readonly SEATPLAN_ENDPOINT?: string | undefined;
  readonly SEATPLAN_AUTHORITY?: string | undefined;
  readonly SEATPLAN_CLIENT_ID?: string | undefined;
  readonly SEATPLAN_CLIENT_SECRET?: string | undefined;
  readonly SEATPLAN_ACCESS_TOKEN?: string | undefined;
  readonly SEATPLAN_CLOUDCOCKPIT_TENANT?: string | undefined;
  readonly SEATPLAN_CLOUDCOCKPIT_SCOPE?: string | undefined;
}

export interface CloudCockpitConfig {
  readonly endpoint: string;
  readonly tenant: string;
  readonly authority?: string;
  readonly scope?: string;
  readonly credentials: CloudCockpitCredentials;
}

function value(settings: CloudCockpitSettings, name: keyof CloudCockpitSettings): string | undefined {
  const v = settings[name]?.trim();
  return v === "" ? undefined : v;
}

function isLoopback(hostname: string): boolean {
  return hostname === "localhost" || hostname === "[::1]" || /^127(\.\d{1,3}){3}$/.test(hostname);
}

function url(settings: CloudCockpitSettings, name: "SEATPLAN_ENDPOINT" | "SEATPLAN_AUTHORITY", allowHttp: boolean): string | undefined {
  const v = value(settings, name);
  if (v === undefined) return undefined;
  let parsed: URL;
  try {
    parsed = new URL(v);
  } catch {
    throw new ConfigError(`${name} is not a URL: ${JSON.stringify(v)}; expected e.g. ${name === "SEATPLAN_ENDPOINT" ? DEFAULT_ENDPOINT : "https://login.microsoftonline.com/<tenant>"}`);
  }
  const httpOk = allowHttp && parsed.protocol === "http:" && isLoopback(parsed.hostname);
  if (parsed.protocol !== "https:" && !httpOk) {
    throw new ConfigError(
      `${name} must use https (plain http is accepted only for a local simulator on 127.0.0.1, ::1 or localhost, and never for the authority): ${JSON.stringify(v)}`,
    );
  }
  return v.replace(/\/+$/, "");
}

/**
 * Reads the cloudcockpit configuration: the portal domain (`X-Tenant`), and an API Access's
 * client id and secret (or a bearer token given as is). Pure: the caller passes the environment.
 */
export function cloudCockpitConfig(settings: CloudCockpitSettings): CloudCockpitConfig {
  const endpoint = url(settings, "SEATPLAN_ENDPOINT", true) ?? DEFAULT_ENDPOINT;
  const authority = url(settings, "SEATPLAN_AUTHORITY", false);
  const scope = value(settings, "SEATPLAN_CLOUDCOCKPIT_SCOPE");
  const tenant = value(settings, "SEATPLAN_CLOUDCOCKPIT_TENANT");
  if (tenant === undefined) {
    throw new ConfigError(
      "SEATPLAN_CLOUDCOCKPIT_TENANT is not set, needed for the cloudcockpit backend: set it to the domain you open the CloudCockpit portal on (sent as the X-Tenant header), e.g. portal.example.com",
    );
  }
  if (/[\s/:]/.test(tenant)) throw new ConfigError(`SEATPLAN_CLOUDCOCKPIT_TENANT must be a bare domain such as portal.example.com (no scheme, path or spaces): ${JSON.stringify(tenant)}`);
  const base = { endpoint, tenant, ...(authority !== undefined ? { authority } : {}), ...(scope !== undefined ? { scope } : {}) };
  const accessToken = value(settings, "SEATPLAN_ACCESS_TOKEN");
  if (accessToken !== undefined) return { ...base, credentials: { kind: "token", accessToken } };
  const missing = (["SEATPLAN_CLIENT_ID", "SEATPLAN_CLIENT_SECRET"] as const).filter((n) => value(settings, n) === undefined);
  if (missing.length > 0) {
    throw new ConfigError(
      `${missing.join(" and ")} ${missing.length === 1 ? "is" : "are"} not set, needed for the cloudcockpit backend: create an API Access in the portal's Settings and set SEATPLAN_CLIENT_ID and SEATPLAN_CLIENT_SECRET to its client id and secret, or give a bearer token in SEATPLAN_ACCESS_TOKEN`,
    );
  }
  return { ...base, credentials: { kind: "app", clientId: value(settings, "SEATPLAN_CLIENT_ID") ?? "", clientSecret: value(settings, "SEATPLAN_CLIENT_SECRET") ?? "" } };
}

/** The cloudcockpit backend from configuration values (what the CLI and the Pulumi provider call). */
export function createCloudCockpitBackend(
  settings: CloudCockpitSettings,
  options: Omit<Partial<CloudCockpitBackendOptions>, "credentials" | "endpoint" | "authority" | "tenant" | "scope"> = {},
): CloudCockpitBackend {
  const config = cloudCockpitConfig(settings);
  // The portal's offers carry no families, ranks or upgrade paths: the built-in catalog data has them.
  return new CloudCockpitBackend({ priceList: builtInCatalogData(), ...options, ...config });
}
