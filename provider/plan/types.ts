import type {
  BackendCapabilities,
  Catalog,
  CustomTermEndDate,
  LicenceUsage,
  ObservedSubscription,
  TransitionEligibility,
} from "../domain/types";

/** What the planner knows about one declared customer's tenant (read by `provider/observe`). */
export interface ObservedCustomer {
  /** Every subscription of the customer, deleted ones included (one list call). */
  readonly subscriptions: readonly ObservedSubscription[];
  /** Seats assigned to users per offer; absent when not read (no reduction planned, or the backend cannot). */
  readonly usage?: LicenceUsage;
  /** Transition eligibilities by source subscription id; read only for upgrades not done yet. */
  readonly eligibilities?: Readonly<Record<string, readonly TransitionEligibility[]>>;
  /** End dates offered for aligned purchases, by subscription key of the YAML. */
  readonly customTermEndDates?: Readonly<Record<string, readonly CustomTermEndDate[]>>;
}

/** The tenant side of a plan. */
export interface Observation {
  readonly catalog: Catalog;
  /** By customer key of the YAML. */
  readonly customers: Readonly<Record<string, ObservedCustomer>>;
}

export interface PlanContext {
  /** The instant the plan is computed for (windows are judged against it). */
  readonly now: Date;
  /** The backend's name, printed in every plan. */
  readonly backend: string;
  /** What the backend can do; absent: everything (a missing capability downgrades the plan, and the plan says so). */
  readonly capabilities?: BackendCapabilities;
}
