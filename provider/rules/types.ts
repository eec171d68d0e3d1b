import type {
  BackendCapabilities,
  Catalog,
  DesiredSubscription,
  ObservedSubscription,
  PlanStep,
  PlanWarning,
  Policy,
  TransitionEligibility,
} from "../domain/types";
import type { SeatPool } from "./seat-limits";

/**
 * Everything a rule may look at for one YAML entry matched to one live subscription. Built by
 * the planner; rules never read anything else (no clock, no backend).
 */
export interface Subject {
  /** Customer key of the YAML. */
  readonly customer: string;
  readonly desired: DesiredSubscription;
  readonly observed: ObservedSubscription;
  readonly catalog: Catalog;
  readonly now: Date;
  readonly policy: Policy;
  /**
   * The seat count to reach, in the subscription's own terms: the YAML `quantity`, minus the
   * seats an already completed upgrade moved away, plus the seats an upgrade merged into it.
   */
  readonly quantity: number;
  /** Seats assigned to users for this offer in the tenant; undefined when the backend does not say. */
  readonly assignedSeats: number | undefined;
  /** The customer's other seats, for the pooled SKU maximum and the Business family cap; undefined: not known (no pooled checks). */
  readonly pool?: SeatPool;
  /** The entry's `upgrade:`, resolved against the tenant; undefined without one. */
  readonly upgrade: UpgradeSubject | undefined;
  /** The backend's name (named in a downgrade's reason); absent in rule tests. */
  readonly backend?: string;
  /** What the backend can do; undefined: everything. */
  readonly capabilities?: BackendCapabilities | undefined;
}

export interface UpgradeSubject {
  /** Seats the upgrade moves (`upgrade.quantity`, default all). */
  readonly seats: number;
  /** `done`: the source already lost those seats (a previous apply upgraded it). */
  readonly state: "pending" | "done";
  /** The backend's transition eligibilities for the source; undefined when not read. */
  readonly eligibilities: readonly TransitionEligibility[] | undefined;
  /** `upgrade.into`, resolved: the key and the live subscription it matched (null: none yet). */
  readonly into: { readonly key: string; readonly observed: ObservedSubscription | null } | undefined;
}

export interface RuleResult {
  readonly steps: readonly PlanStep[];
  readonly warnings: readonly PlanWarning[];
}

/**
 * One commerce rule: a pure function of the subject and the steps already planned for the same
 * subscription (rules further down the order depend on what runs before them, e.g. an immediate
 * change wipes the scheduled renewal).
 */
export interface Rule {
  readonly id: string;
  /** One line: why the rule exists (shown by docs and tests). */
  readonly rationale: string;
  evaluate(subject: Subject, earlier: readonly PlanStep[]): RuleResult;
}

export const NOTHING: RuleResult = { steps: [], warnings: [] };
