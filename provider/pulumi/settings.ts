import { DateTime } from "luxon";
import { ConfigError } from "../domain/errors";

/**
 * The configuration of design §5 as the Pulumi provider reads it: each setting has an
 * environment variable and a stack config key (`pulumi config set seatplan:backend …`).
 * Precedence: environment > Pulumi config > default (the defaults are the backends' own).
 */
export const SETTINGS = {
  SEATPLAN_BACKEND: "seatplan:backend",
  SEATPLAN_SIMULATOR_STATE: "seatplan:simulatorState",
  SEATPLAN_ENDPOINT: "seatplan:endpoint",
  SEATPLAN_AUTHORITY: "seatplan:authority",
  SEATPLAN_TENANT_ID: "seatplan:tenantId",
  SEATPLAN_CLIENT_ID: "seatplan:clientId",
  SEATPLAN_CLIENT_SECRET: "seatplan:clientSecret",
  SEATPLAN_REFRESH_TOKEN: "seatplan:refreshToken",
  SEATPLAN_ACCESS_TOKEN: "seatplan:accessToken",
  SEATPLAN_NOW: "seatplan:now",
  SEATPLAN_AUDIT_LOG: "seatplan:auditLog",
} as const;

export type SettingName = keyof typeof SETTINGS;
export type Settings = Readonly<Partial<Record<SettingName, string>>>;

/** What `configure()` receives (`pulumi.dynamic.Config`): keys with a `:` are read as they are. */
export interface ConfigSource {
  get(key: string): string | undefined;
}

/** The stack config values of every setting (secrets arrive unwrapped; they stay in memory). */
export function fromConfig(config: ConfigSource): Settings {
  const values: Partial<Record<SettingName, string>> = {};
  for (const [name, key] of Object.entries(SETTINGS) as [SettingName, string][]) {
    const v = config.get(key);
    if (v !== undefined && v !== "") values[name] = v;
  }
  return values;
}

/** Environment over Pulumi config, setting by setting (an empty variable counts as unset). */
export function mergeSettings(env: Readonly<Record<string, string | undefined>>, config: Settings): Settings {
  const values: Partial<Record<SettingName, string>> = {};
  for (const name of Object.keys(SETTINGS) as SettingName[]) {
    const v = env[name] || config[name];
    if (v !== undefined && v !== "") values[name] = v;
  }
  return values;
}

/**
 * The fixed planning instant (`SEATPLAN_NOW` / `seatplan:now`), if one is set. Without it the
 * provider plans at the backend's clock where it may call the backend (create, update, delete);
 * `diff`, which must not call it, reads the embedded simulator's clock from its state file and
 * otherwise plans at the real clock.
 */
export function fixedNow(settings: Settings): Date | undefined {
  const value = settings.SEATPLAN_NOW;
  if (value === undefined) return undefined;
  const parsed = DateTime.fromISO(value, { zone: "utc" });
  if (!parsed.isValid || !/^\d{4}-\d{2}-\d{2}/.test(value)) {
    throw new ConfigError(`SEATPLAN_NOW (or seatplan:now) must be an ISO 8601 instant such as 2026-11-23T10:00:00Z (got "${value}")`);
  }
  return parsed.toJSDate();
}

/** A configuration error reworded for a Pulumi stack: each variable it names also has a config key. */
export function inPulumiTerms(e: ConfigError): ConfigError {
  const keys = (Object.entries(SETTINGS) as [SettingName, string][]).filter(([name]) => e.message.includes(name)).map(([, key]) => key);
  if (keys.length === 0) return e;
  const secret = keys.filter((k) => /Secret|Token/.test(k));
  const how = `in a Pulumi stack, \`pulumi config set ${keys.join("`, `pulumi config set ")}\`${secret.length > 0 ? ` (add --secret for ${secret.join(", ")})` : ""} work as well`;
  return new ConfigError(`${e.message}; ${how}`, { cause: e });
}
