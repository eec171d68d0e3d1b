import type { WireScheduledAction, WireSubscription } from "./partner-center";

/**
 * The extended service term (EST) on the wire, in one place on the client side.
 *
 * Since 4 May 2026 a licence subscription whose auto-renew is off moves into a paid extended
 * service term at term end unless it was explicitly cancelled at term end (Microsoft Learn,
 * "Use Extended Service Terms (EST) for CSP subscriptions"). Microsoft publishes no developer
 * page for that explicit cancellation; the best evidence is client code of 2026
 * (pliancy/microsoft-partnercenter-node, `scheduledActions`) and CloudFactory's mapping
 * (cancel = `autoRenewEnabled: false` + `Cancel`). Confidence: low — verify in a sandbox. If the
 * real shape differs, this file is the only one to change (the simulator's twin is
 * `provider/simulator/commerce/est.ts`).
 */

export const CANCEL_AT_TERM_END: WireScheduledAction = { scheduleType: "TermEnd", actionType: "Cancel" };

function key(value: unknown): string {
  return typeof value === "string" ? value.replace(/[\s_]/g, "").toLowerCase() : "";
}

/** True for `{scheduleType: TermEnd, actionType: Cancel}` in any casing. */
export function isCancelAtTermEnd(action: unknown): boolean {
  if (typeof action !== "object" || action === null) return false;
  const a = action as Record<string, unknown>;
  const type = a["scheduleType"] ?? a["ScheduleType"];
  const what = a["actionType"] ?? a["ActionType"];
  return key(type) === "termend" && key(what) === "cancel";
}

function actionsOf(json: unknown): readonly unknown[] {
  if (typeof json !== "object" || json === null) return [];
  const o = json as Record<string, unknown>;
  const actions = o["scheduledActions"] ?? o["ScheduledActions"];
  return Array.isArray(actions) ? actions : [];
}

/** What the subscription will do at term end, as far as the wire says. */
export function endOfTermFromWire(json: WireSubscription): { endsAtTermEnd?: true; extendedServiceTerm?: true } {
  const ends = actionsOf(json).some(isCancelAtTermEnd);
  const raw = json as unknown as Record<string, unknown>;
  // How Partner Center marks a subscription in EST is not documented (it moves to EST SKUs of
  // their own); the simulator says so with `extendedServiceTerm: true`.
  const est = raw["extendedServiceTerm"] === true || raw["ExtendedServiceTerm"] === true;
  return { ...(ends ? { endsAtTermEnd: true } : {}), ...(est ? { extendedServiceTerm: true } : {}) };
}

/** The PATCH body that ends the subscription at term end: auto-renew off and the explicit cancel. */
export function withCancelAtTermEnd(current: WireSubscription): WireSubscription {
  const others = actionsOf(current).filter((a) => !isCancelAtTermEnd(a)) as WireScheduledAction[];
  return { ...current, autoRenewEnabled: false, scheduledActions: [...others, CANCEL_AT_TERM_END] };
}

/** The PATCH body that turns auto-renew on: a scheduled cancel would contradict it, so it goes. */
export function withAutoRenew(current: WireSubscription, enabled: boolean): WireSubscription {
  if (!enabled) return { ...current, autoRenewEnabled: false };
  const actions = actionsOf(current);
  const kept = actions.filter((a) => !isCancelAtTermEnd(a)) as WireScheduledAction[];
  return kept.length === actions.length ? { ...current, autoRenewEnabled: true } : { ...current, autoRenewEnabled: true, scheduledActions: kept };
}
