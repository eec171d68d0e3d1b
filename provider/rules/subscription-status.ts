import type { PlanStep, YamlEdit } from "../domain/types";
import { dayText } from "../domain/time";
import { meaningfulSchedule } from "./renewal";
import { withFix } from "./steps";
import type { RuleResult, Subject } from "./types";

const WAITING: Readonly<Record<string, string>> = {
  pending: "the subscription is still being provisioned (status pending); Partner Center refuses changes until it is active",
  suspended: "the subscription is suspended (non-payment or fraud); Partner Center refuses changes until it is active again",
  disabled: "the subscription is disabled; Partner Center refuses changes until it is active again",
};

/**
 * Only active subscriptions can change. Applied to what the other rules planned: on a pending,
 * suspended or disabled subscription each change becomes blocked, with the YAML that keeps the
 * live value; a deleted or expired one cannot come back at all.
 */
export const subscriptionStatus = {
  id: "subscription-status",
  rationale: "Partner Center refuses changes to subscriptions that are pending, suspended, disabled, expired or deleted.",
  apply(subject: Subject, planned: RuleResult): RuleResult {
    const { observed, desired } = subject;
    if (observed.status === "active") return planned;
    const warnings = planned.warnings.filter((w) => w.code !== "renewal-wiped");
    if (observed.status === "deleted" || observed.status === "expired") {
      if (desired.status === "cancelled") return { steps: [], warnings: [] };
      const ended =
        observed.status === "deleted"
          ? {
              reason: `subscription ${observed.id} was cancelled (status deleted) and cannot be reactivated`,
              ...withFix([{ path: "id", value: null }], "to buy a new subscription"),
            }
          : {
              reason: `the subscription expired on ${dayText(observed.endDate)} and cannot be changed`,
              ...withFix([{ path: "status", value: "cancelled" }], "to record that it ended (add a new entry to buy it again)"),
            };
      const step: PlanStep = {
        customer: subject.customer,
        subscription: desired.key,
        subscriptionId: observed.id,
        action: "adopt",
        timing: "blocked",
        from: observed.status,
        to: "active",
        effectiveAt: null,
        rule: subscriptionStatus.id,
        cost: null,
        ...ended,
      };
      return { steps: [step], warnings: [] };
    }
    const reason = WAITING[observed.status] ?? `the subscription is ${observed.status}`;
    const steps = planned.steps
      // Re-applying a schedule only follows an immediate change, which is blocked too.
      .filter((s) => s.action !== "reapply-renewal")
      .map((s): PlanStep => {
        const { fix: _fix, ...rest } = s;
        return { ...rest, timing: "blocked", effectiveAt: null, rule: subscriptionStatus.id, reason, ...withFix(keepLive(subject, s), "until it is active again") };
      });
    return { steps, warnings };
  },
};

/** The YAML edits that ask for the live value again instead of the change `step` makes. */
function keepLive(subject: Subject, step: PlanStep): YamlEdit[] {
  const { observed, desired } = subject;
  switch (step.rule) {
    case "add-seats":
    case "reduction-window":
    case "assigned-seats":
    case "seat-limits":
    case "business-seat-cap":
    case "trial-locked":
    case "extended-service-term":
      return [{ path: "quantity", value: observed.quantity - (subject.quantity - desired.quantity) }];
    case "auto-renew":
      return [{ path: "autoRenew", value: observed.autoRenew }];
    case "renewal-schedule":
    case "renewal-needs-auto-renew": {
      const s = meaningfulSchedule(observed);
      if (s === null) return [{ path: "renewal", value: null }];
      return [
        { path: "renewal.offer", value: s.offer },
        { path: "renewal.term", value: s.term },
        { path: "renewal.billing", value: s.billing },
        { path: "renewal.quantity", value: s.quantity },
      ];
    }
    case "mid-term-change":
      return (["offer", "term", "billing"] as const).filter((f) => desired[f] !== observed[f]).map((f) => ({ path: f, value: observed[f] }));
    case "upgrade":
      return [{ path: "upgrade", value: null }];
    case "cancellation-window":
      return [{ path: "status", value: "active" }];
    case "rename":
      return [{ path: "friendlyName", value: observed.friendlyName }];
    default:
      throw new Error(`subscription-status: no way to keep the live value for a ${step.rule} step`);
  }
}
