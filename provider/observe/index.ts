import pLimit from "p-limit";
import type { Backend } from "../backends/backend";
import { BackendError, isBackendError } from "../domain/errors";
import type { DesiredCustomer, DesiredState } from "../domain/types";
import { readsFor } from "../plan/reads";
import type { Observation, ObservedCustomer } from "../plan/types";

export interface ObserveOptions {
  /** Customers read at the same time. @default 8 */
  readonly concurrency?: number;
}

/**
 * Reads what the planner needs for `desired` through a backend: the catalog once, each declared
 * customer's subscriptions in one list call, and only then what the plan will use — transition
 * eligibilities for upgrades not done yet, licence usage where a reduction is planned (and the
 * backend knows usage), end dates for aligned purchases. A plan without upgrades therefore costs
 * one call per customer plus the catalog.
 */
export async function observe(desired: DesiredState, backend: Backend, options: ObserveOptions = {}): Promise<Observation> {
  const limit = pLimit(options.concurrency ?? 8);
  const [catalog, customers] = await Promise.all([
    backend.getCatalog(),
    Promise.all(desired.customers.map((c) => limit(() => observeCustomer(c, backend)))),
  ]);
  return { catalog, customers: Object.fromEntries(customers) };
}

async function observeCustomer(customer: DesiredCustomer, backend: Backend): Promise<[string, ObservedCustomer]> {
  const tenant = customer.tenantId;
  try {
    const listed = await backend.listSubscriptions(tenant);
    // Ids of the YAML the list does not show: a backend with ids of its own looks them up as Partner Center ids.
    const unknown = customer.subscriptions.flatMap((s) => (s.id !== undefined && !listed.some((l) => l.id === s.id || l.providerSubscriptionId === s.id) ? [s.id] : []));
    const subscriptions = unknown.length > 0 && backend.withProviderIds ? await backend.withProviderIds(tenant, listed, unknown) : listed;
    const reads = readsFor(customer, subscriptions);
    const { capabilities } = backend;
    const [usage, eligibilities, customTermEndDates] = await Promise.all([
      reads.usage && capabilities.licenceUsage ? backend.getLicenceUsage(tenant) : undefined,
      capabilities.transitions && reads.eligibilities.length > 0
        ? Promise.all(reads.eligibilities.map(async (id) => [id, await backend.getTransitionEligibilities(tenant, id)] as const))
        : undefined,
      capabilities.customTermEndDates && reads.termEndDates.length > 0
        ? Promise.all(
            reads.termEndDates.map(
              async (q) =>
                [
                  q.key,
                  await backend.getCustomTermEndDates(tenant, {
                    term: q.term,
                    ...(q.cotermSubscriptionId === undefined ? {} : { cotermSubscriptionId: q.cotermSubscriptionId }),
                  }),
                ] as const,
            ),
          )
        : undefined,
    ]);
    const observed: ObservedCustomer = {
      subscriptions,
      ...(usage === undefined ? {} : { usage }),
      ...(eligibilities === undefined ? {} : { eligibilities: Object.fromEntries(eligibilities) }),
      ...(customTermEndDates === undefined ? {} : { customTermEndDates: Object.fromEntries(customTermEndDates) }),
    };
    return [customer.key, observed];
  } catch (e) {
    // Name the customer of the YAML: a tenant id alone does not tell the reader which entry is wrong.
    if (isBackendError(e)) {
      throw new BackendError(`customer ${customer.key} (tenant ${tenant}): ${e.message}`, e.status, e.code, e.requestId, { cause: e });
    }
    throw e;
  }
}
