import type { DesiredCustomer, LicenceUsage, ObservedSubscription } from "../domain/types";

/**
 * One customer as the insight commands see it: what the tenant holds (one list call), the seats
 * assigned to users where the backend may read them (one usage call), and, when a YAML file was
 * given, its entry for the customer.
 */
export interface TenantCustomer {
  /** The YAML key, or one derived from the company name when no YAML was given. */
  readonly key: string;
  /** What people call the customer (YAML `name`, else the company name, else the key). */
  readonly name: string;
  readonly tenantId: string;
  readonly subscriptions: readonly ObservedSubscription[];
  /** Seats assigned per offer; null when the backend cannot say (no usage access). */
  readonly usage: LicenceUsage | null;
  readonly desired?: DesiredCustomer;
}

/** An amount of money; `annual` is the yearly figure (monthly prices × 12, triennial ÷ 3). */
export interface Money {
  readonly currency: string;
  readonly annual: number;
}

export function round2(n: number): number {
  return Math.round(n * 100) / 100;
}
