import pLimit from "p-limit";
import { Duration } from "luxon";
import type { Backend } from "../backends/backend";
import { ConfigError, isBackendError } from "../domain/errors";
import type { Catalog, DesiredState, LicenceUsage } from "../domain/types";
import type { TenantCustomer } from "../insight";
import { keyedCustomers } from "./commands/export";

/**
 * What the insight commands (`renewals`, `usage`) read from a backend: the catalog once, each
 * customer's subscriptions in one list call and, when asked, its licence usage in one call.
 * With a YAML file the customers are the file's; without one, the partner's (one list call).
 */

/** Which credentials give licence usage (Partner Center `subscribedskus` is app+user only). */
export const USAGE_ACCESS =
  "licence usage (Partner Center subscribedskus) needs app+user access: set SEATPLAN_CLIENT_ID, SEATPLAN_CLIENT_SECRET and " +
  "SEATPLAN_REFRESH_TOKEN from the one-time MFA consent, or a delegated SEATPLAN_ACCESS_TOKEN; the user needs delegated admin (GDAP) " +
  "on the customer with Directory Readers, Global Reader, User Administrator or License Administrator";

export interface TenantRead {
  readonly customers: readonly TenantCustomer[];
  readonly catalog: Catalog;
  /** Why usage is missing for some customer and how to get it; null when read for all (or not asked). */
  readonly access: string | null;
}

export interface TenantReadOptions {
  /** The YAML's customers (already narrowed by `--customer`), or undefined for the partner's. */
  readonly desired?: DesiredState;
  /** `--customer KEY` without a YAML: a key as `export` derives it, or a tenant id. */
  readonly customer?: string;
  readonly usage: boolean;
}

export async function readTenant(backend: Backend, options: TenantReadOptions): Promise<TenantRead> {
  const targets = options.desired
    ? options.desired.customers.map((c) => ({ key: c.key, name: c.name ?? c.key, tenantId: c.tenantId, desired: c }))
    : keyedCustomers(await backend.listCustomers(), options.customer, backend.name).map(({ key, customer }) => ({
        key,
        name: customer.companyName || customer.domain || key,
        tenantId: customer.id,
        desired: undefined,
      }));
  let access: string | null = options.usage && !backend.capabilities.licenceUsage ? USAGE_ACCESS : null;
  const limit = pLimit(8);
  const [catalog, customers] = await Promise.all([
    backend.getCatalog(),
    Promise.all(
      targets.map((c) =>
        limit(async (): Promise<TenantCustomer> => {
          const [subscriptions, usage] = await Promise.all([backend.listSubscriptions(c.tenantId), options.usage ? usageOf(backend, c.tenantId) : null]);
          if (options.usage && usage === null) access = USAGE_ACCESS;
          return { key: c.key, name: c.name, tenantId: c.tenantId, subscriptions, usage, ...(c.desired ? { desired: c.desired } : {}) };
        }),
      ),
    ),
  ]);
  return { customers, catalog, access };
}

/** The customer's usage, or null when the credentials may not read it (the rest of the report still stands). */
async function usageOf(backend: Backend, tenantId: string): Promise<LicenceUsage | null> {
  if (!backend.capabilities.licenceUsage) return null;
  try {
    return await backend.getLicenceUsage(tenantId);
  } catch (e) {
    if (isBackendError(e) && (e.status === 401 || e.status === 403 || e.code === "AppUserRequired")) return null;
    throw e;
  }
}

/** `--within 30d` | `2w` | `12h` | `P30D` … as milliseconds. */
export function durationOption(text: string): number {
  const simple = /^(\d{1,4})\s*([hdw])$/i.exec(text.trim());
  if (simple !== null) {
    const unit = (simple[2] ?? "d").toLowerCase();
    return Number(simple[1]) * (unit === "h" ? 3_600_000 : unit === "d" ? 86_400_000 : 7 * 86_400_000);
  }
  const iso = Duration.fromISO(text.trim().toUpperCase());
  if (iso.isValid && iso.toMillis() > 0) return iso.toMillis();
  throw new ConfigError(`--within must be a duration such as 30d, 2w, 12h or P30D (got "${text}")`);
}
