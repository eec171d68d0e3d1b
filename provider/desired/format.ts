import { terminalText } from "../domain/escape";
import type { Issue } from "../domain/types";

/**
 * Issues as a terminal shows them, one problem per line plus its hint:
 *
 *     licences.yaml:14:19 customers.rockit.subscriptions.apps.quantity: must be an integer ≥ 1
 *       hint: found 0; to end the subscription, set "status: cancelled" instead
 */
export function formatIssues(issues: readonly Issue[]): string {
  // Keys and values quoted in messages are the YAML's: control characters are shown, not obeyed.
  const t = terminalText;
  return issues
    .map((i) => `${t(i.file)}:${i.line}:${i.column} ${i.path === "" ? "" : `${t(i.path)}: `}${t(i.message)}\n  hint: ${t(i.hint)}\n`)
    .join("");
}
