import type { DesiredSubscription } from "../domain/types";

/** The keys an entry links to: the subscription its upgrade merges into, the one its purchase aligns with. */
export function linksOf(s: DesiredSubscription): string[] {
  return [...(s.upgrade?.into !== undefined ? [s.upgrade.into] : []), ...(typeof s.alignEndDate === "object" ? [s.alignEndDate.subscription] : [])];
}

/**
 * The entries in file order, except that an entry comes after every entry linking to it (so
 * those can be its dependencies). A cycle of links keeps file order for the entries in it.
 */
export function linkOrder(entries: readonly DesiredSubscription[]): DesiredSubscription[] {
  const out: DesiredSubscription[] = [];
  const placed = new Set<string>();
  const visiting = new Set<string>();
  const visit = (e: DesiredSubscription): void => {
    if (placed.has(e.key) || visiting.has(e.key)) return;
    visiting.add(e.key);
    entries.filter((s) => linksOf(s).includes(e.key)).forEach(visit);
    visiting.delete(e.key);
    placed.add(e.key);
    out.push(e);
  };
  entries.forEach(visit);
  return out;
}
