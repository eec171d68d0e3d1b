import type { CostSummary, PlanStep } from "../domain/types";
import { compare } from "./resolve";

const cents = (n: number): number => Math.round(n * 100) / 100;

/**
 * `summary.cost`: the yearly cost the plan changes, overall and per customer. Blocked steps do
 * not run, so they do not count; a step without a price is counted apart, never as zero.
 */
export function costSummary(steps: readonly PlanStep[], currency: string): CostSummary {
  const customers: Record<string, { annualDelta: number; unpriced: number }> = {};
  let total = 0;
  let unpriced = 0;
  for (const s of steps) {
    if (s.timing === "blocked") continue;
    const c = (customers[s.customer] ??= { annualDelta: 0, unpriced: 0 });
    if (s.cost === null) {
      c.unpriced += 1;
      unpriced += 1;
      continue;
    }
    c.annualDelta += s.cost.annualDelta;
    total += s.cost.annualDelta;
  }
  const sorted = Object.keys(customers)
    .sort(compare)
    .map((k) => [k, { annualDelta: cents(customers[k]?.annualDelta ?? 0), unpriced: customers[k]?.unpriced ?? 0 }] as const);
  return { currency, annualDelta: cents(total), unpriced, customers: Object.fromEntries(sorted) };
}
