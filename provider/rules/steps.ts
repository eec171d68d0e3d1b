import { isoOf, renewalAt } from "../domain/time";
import type { DesiredRenewal, DesiredSubscription, ObservedSubscription, PlanStep, PlanWarning, StepCall, StepCost, StepValue, Timing, YamlEdit } from "../domain/types";
import type { Subject } from "./types";

/** Building a rule's output: steps, hints with their YAML edits, warnings. */

export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

/** True for calls that take effect immediately (and so wipe scheduled renewal changes). */
export function isImmediate(step: PlanStep): boolean {
  return step.timing !== "blocked" && (step.call?.kind === "set-quantity" || step.call?.kind === "transition" || step.call?.kind === "change-term");
}

/** The seat count the subscription has once the earlier steps ran. */
export function quantityAfter(observed: ObservedSubscription, earlier: readonly PlanStep[]): number {
  let q = observed.quantity;
  for (const s of earlier) {
    if (s.timing === "blocked" || s.call === undefined) continue;
    if (s.call.kind === "set-quantity") q = s.call.quantity;
    if (s.call.kind === "transition") q -= s.call.request.quantity;
  }
  return q;
}

function yamlScalar(v: string | number | boolean): string {
  if (typeof v !== "string") return String(v);
  return /^[\s'"{[&*!|>%@`#,?-]|: |\s#|\s$|^$/.test(v) ? JSON.stringify(v) : v;
}

/** `set quantity: 3 and renewal.quantity: 1` / `remove upgrade.into`. */
export function describeEdits(edits: readonly YamlEdit[]): string {
  const removed = edits.filter((e) => e.value === null).map((e) => (e.path === "" ? "this entry" : e.path));
  const set = edits.flatMap((e) => (e.value === null ? [] : [`${e.path}: ${yamlScalar(e.value)}`]));
  return [removed.length ? `remove ${removed.join(" and ")}` : "", set.length ? `set ${set.join(" and ")}` : ""]
    .filter(Boolean)
    .join(" and ");
}

/** Edits removing `fields` from `renewal:`; the whole block when nothing would be left (an empty one is invalid). */
export function withoutRenewal(desired: DesiredSubscription, fields: readonly (keyof DesiredRenewal)[]): YamlEdit[] {
  const left = Object.keys(desired.renewal ?? {}).filter((k) => !fields.includes(k as keyof DesiredRenewal));
  if (left.length === 0) return [{ path: "renewal", value: null }];
  return fields.filter((f) => desired.renewal?.[f] !== undefined).map((f) => ({ path: `renewal.${f}`, value: null }));
}

/** A hint is always the YAML edits spelled out plus what they achieve, so it can be applied and re-planned. */
export function withFix(edits: readonly YamlEdit[], purpose: string): { readonly hint: string; readonly fix: readonly YamlEdit[] } {
  return { hint: `${describeEdits(edits)} ${purpose}`, fix: edits };
}

export interface StepFields {
  readonly action: PlanStep["action"];
  readonly timing: Timing;
  readonly from: StepValue;
  readonly to: StepValue;
  readonly rule: string;
  readonly reason?: string | null;
  readonly cost: StepCost | null;
  readonly call?: StepCall;
  readonly hint?: string;
  readonly fix?: readonly YamlEdit[];
}

/** A step of `subject`'s subscription; `effectiveAt` follows from the timing (design §4). */
export function makeStep(subject: Pick<Subject, "customer" | "desired" | "observed" | "now">, f: StepFields): PlanStep {
  const effectiveAt =
    f.timing === "blocked" ? null : f.timing === "at-renewal" ? renewalAt(subject.observed.endDate) : isoOf(subject.now);
  return {
    customer: subject.customer,
    subscription: subject.desired.key,
    subscriptionId: subject.observed.id === "" ? null : subject.observed.id,
    action: f.action,
    timing: f.timing,
    from: f.from,
    to: f.to,
    effectiveAt,
    rule: f.rule,
    reason: f.reason ?? null,
    hint: f.timing === "blocked" ? (f.hint ?? null) : null,
    cost: f.cost,
    // Blocked steps keep the call they would make: the executor never runs them, but it says what was refused.
    ...(f.call !== undefined ? { call: f.call } : {}),
    ...(f.timing === "blocked" && f.fix !== undefined ? { fix: f.fix } : {}),
  };
}

export function warning(subject: Pick<Subject, "customer" | "desired">, code: string, message: string): PlanWarning {
  return { customer: subject.customer, subscription: subject.desired.key, code, message };
}
