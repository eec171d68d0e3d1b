import type { DesiredCustomer, DesiredSubscription, ObservedSubscription } from "../domain/types";

/** How an entry of the YAML found its live subscription (design §3). */
export type Match =
  | { readonly kind: "id" | "friendlyName"; readonly observed: ObservedSubscription }
  | { readonly kind: "none" }
  | { readonly kind: "unknown-id"; readonly id: string }
  | { readonly kind: "ambiguous"; readonly candidates: readonly ObservedSubscription[] };

/** An entry with its match and, when it declares one, its upgrade as far as the tenant shows it. */
export interface ResolvedEntry {
  readonly desired: DesiredSubscription;
  readonly match: Match;
  readonly upgrade?: {
    readonly seats: number;
    readonly state: "pending" | "done";
    readonly into: { readonly key: string; readonly observed: ObservedSubscription | null } | undefined;
  };
  /** The seat count the matched subscription should end up with (see `Subject.quantity`). */
  readonly quantity: number;
}

/**
 * Identity resolution (design §3): an entry matches by `id` when given, otherwise by
 * `friendlyName` among the customer's non-deleted subscriptions that no `id` claimed. Two
 * name matches are ambiguous; none means a purchase.
 */
export function resolveCustomer(customer: DesiredCustomer, live: readonly ObservedSubscription[]): readonly ResolvedEntry[] {
  const entries = [...customer.subscriptions].sort((a, b) => compare(a.key, b.key));
  // A YAML `id:` may also name Partner Center's id of a subscription a backend knows by its own id (CloudCockpit).
  const byId = new Map([...live.flatMap((s) => (s.providerSubscriptionId === undefined ? [] : [[s.providerSubscriptionId, s] as const])), ...live.map((s) => [s.id, s] as const)]);
  const claimed = new Set(entries.flatMap((e) => (e.id === undefined ? [] : (byId.get(e.id)?.id ?? []))));
  const matches = new Map<string, Match>();
  for (const e of entries) {
    if (e.id !== undefined) {
      const s = byId.get(e.id);
      matches.set(e.key, s === undefined ? { kind: "unknown-id", id: e.id } : { kind: "id", observed: s });
      continue;
    }
    const named = live.filter((s) => s.status !== "deleted" && !claimed.has(s.id) && s.friendlyName === e.friendlyName);
    const [only] = named;
    matches.set(
      e.key,
      named.length > 1
        ? { kind: "ambiguous", candidates: [...named].sort((a, b) => compare(a.id, b.id)) }
        : only === undefined
          ? { kind: "none" }
          : { kind: "friendlyName", observed: only },
    );
  }
  const observedOf = (key: string): ObservedSubscription | null => {
    const m = matches.get(key);
    return m !== undefined && (m.kind === "id" || m.kind === "friendlyName") ? m.observed : null;
  };
  const upgrades = new Map<string, NonNullable<ResolvedEntry["upgrade"]>>();
  const incoming = new Map<string, number>();
  for (const e of entries) {
    const source = observedOf(e.key);
    if (e.upgrade === undefined || source === null) continue;
    const seats = e.upgrade.quantity ?? e.quantity;
    // The tenant keeps no history: seats already gone from the source mean a previous apply upgraded it.
    const state = source.offer === e.offer && source.quantity === e.quantity - seats ? "done" : "pending";
    const into = e.upgrade.into === undefined ? undefined : { key: e.upgrade.into, observed: observedOf(e.upgrade.into) };
    upgrades.set(e.key, { seats, state, into });
    if (state === "done" && into !== undefined) incoming.set(into.key, (incoming.get(into.key) ?? 0) + seats);
  }
  return entries.map((e) => {
    const upgrade = upgrades.get(e.key);
    const moved = upgrade?.state === "done" ? upgrade.seats : 0;
    return {
      desired: e,
      match: matches.get(e.key) ?? { kind: "none" },
      ...(upgrade === undefined ? {} : { upgrade }),
      quantity: e.quantity - moved + (incoming.get(e.key) ?? 0),
    };
  });
}

/** Code-point order: the same on every machine and locale. */
export function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
