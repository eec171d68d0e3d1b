import type { Issue } from "../domain/types";

/**
 * Issues as a terminal shows them, one problem per line plus its hint:
 *
 *     licences.yaml:14:19 customers.rockit.subscriptions.apps.quantity: must be an integer ≥ 1
 *       hint: found 0; to end the subscription, set "status: cancelled" instead
 */
export function formatIssues(issues: readonly Issue[]): string {
  return issues
    .map((i) => `${i.file}:${i.line}:${i.column} ${i.path === "" ? "" : `${i.path}: `}${i.message}\n  hint: ${i.hint}\n`)
    .join("");
}
