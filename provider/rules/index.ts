/**
 * The commerce rules, in the order they are evaluated for one subscription. The order matters:
 * later rules see the steps of earlier ones (an immediate change wipes the scheduled renewal, a
 * blocked reduction is not deferred, …). Steps are then sorted into the order of design §4.
 */
import { addSeats } from "./add-seats";
import { assignedSeats } from "./assigned-seats";
import { autoRenew } from "./auto-renew";
import { cancellationWindow } from "./cancellation-window";
import { extendedServiceTerm } from "./extended-service-term";
import { midTermChange } from "./mid-term-change";
import { reapplyRenewal } from "./reapply-renewal";
import { reductionWindow } from "./reduction-window";
import { renewalNeedsAutoRenew } from "./renewal-needs-auto-renew";
import { renewalOverdue } from "./renewal-overdue";
import { renewalSchedule } from "./renewal-schedule";
import { rename } from "./rename";
import { businessSeatCap, seatLimits } from "./seat-limits";
import { trialLocked } from "./trial";
import { trialConversion } from "./trial-conversion";
import type { Rule } from "./types";
import { upgrade } from "./upgrade";

export const SUBSCRIPTION_RULES: readonly Rule[] = [
  midTermChange,
  upgrade,
  seatLimits,
  businessSeatCap,
  assignedSeats,
  addSeats,
  reductionWindow,
  autoRenew,
  renewalNeedsAutoRenew,
  renewalSchedule,
  reapplyRenewal,
  cancellationWindow,
  rename,
  trialConversion,
  extendedServiceTerm,
  renewalOverdue,
];

/**
 * A trial: its seats, status and term are locked; it converts now (upgrade), at its end (auto-renew,
 * renewal schedule), or lapses (Microsoft Learn, "Manage trials for new commerce").
 */
export const TRIAL_RULES: readonly Rule[] = [
  trialLocked,
  upgrade,
  autoRenew,
  renewalNeedsAutoRenew,
  renewalSchedule,
  rename,
  trialConversion,
  renewalOverdue,
];

/** A subscription in the extended service term: it can be cancelled (any time, prorated) or renamed; nothing else is documented. */
export const EXTENDED_TERM_RULES: readonly Rule[] = [cancellationWindow, rename, extendedServiceTerm, renewalOverdue];

/** An upgrade of every seat leaves the source empty: nothing but the upgrade applies to it. */
export const FULL_UPGRADE_RULES: readonly Rule[] = [midTermChange, upgrade];

/** The rules that still apply to a subscription the plan is about to buy. */
export const AFTER_PURCHASE_RULES: readonly Rule[] = [autoRenew, renewalNeedsAutoRenew, renewalSchedule, extendedServiceTerm];

export { purchase, type PurchaseSubject } from "./purchase";
export { subscriptionStatus } from "./subscription-status";
export { EST_START } from "./extended-service-term";
export { businessOver, businessWarning, inBusinessFamily, type SeatPool } from "./seat-limits";
export type { Rule, RuleResult, Subject, UpgradeSubject } from "./types";
