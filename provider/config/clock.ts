import { DateTime } from "luxon";
import type { Backend } from "../backends/backend";
import { ConfigError } from "../domain/errors";

/**
 * A fixed planning instant from configuration (`--now`, `SEATPLAN_NOW`, `seatplan:now`): an ISO
 * 8601 instant with at least a full date, read as UTC when it has no zone. Undefined for an unset
 * or empty value; anything else is a `ConfigError` naming `name` and an example.
 */
export function parseInstantSetting(value: string | undefined, name: string): Date | undefined {
  if (value === undefined || value === "") return undefined;
  const parsed = DateTime.fromISO(value, { zone: "utc" });
  if (!parsed.isValid || !/^\d{4}-\d{2}-\d{2}/.test(value)) {
    throw new ConfigError(`${name} must be an ISO 8601 instant such as 2026-11-23T10:00:00Z (got "${value}")`);
  }
  return parsed.toJSDate();
}

/**
 * The instant to plan at: the fixed one when configured, else the backend's clock (a
 * simulator's explicit clock; Partner Center's is the real one), else `realNow`.
 */
export async function planningInstant(fixed: Date | undefined, backend: Backend | undefined, realNow: () => Date): Promise<Date> {
  if (fixed !== undefined) return fixed;
  if (backend?.now !== undefined) return new Date(await backend.now());
  return realNow();
}
