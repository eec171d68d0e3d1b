import type { DesiredState, Issue } from "../domain/types";
import { normalise } from "./normalise";
import { type Finding, schemaFindings } from "./schema-issues";
import { semanticFindings } from "./semantic";
import { readYaml } from "./yaml-source";

export { decodeText, type DecodedText } from "./decode";
export { formatIssues } from "./format";
export { SCHEMA } from "./schema";

/** What {@link parseDesired} found: the normalised state when the file is valid, and every problem. */
export interface DesiredResult {
  /** Present exactly when `issues` is empty. */
  readonly state?: DesiredState;
  /** Every problem, ordered by line and column. */
  readonly issues: readonly Issue[];
}

/**
 * Reads the desired-state YAML (design §3): YAML syntax, duplicate keys, the JSON Schema, then
 * the checks a schema cannot express. Every problem is collected and mapped to its line and
 * column in `text`; `file` is only used to label them. Pure: no I/O, never throws.
 */
export function parseDesired(text: string, file: string): DesiredResult {
  const source = readYaml(text);
  const line = (path: readonly string[]): number => source.locate(path).line;
  const issue = (f: Finding): Issue => ({ file, ...source.locate(f.path, f.at), path: f.path.join("."), message: f.message, hint: f.hint });

  const issues: Issue[] = source.problems.map((p) => ({ file, line: p.line, column: p.column, path: p.path.join("."), message: p.message, hint: p.hint }));
  if (source.broken) {
    // Syntax errors only: checking a half-read document would mostly report their consequences.
  } else if (source.value === undefined) {
    issues.push(issue({ path: [], message: "the file holds no YAML document", hint: 'start it with "version: 1" and a "customers:" mapping' }));
  } else {
    // A loop, not push(...all): a spread of 100,000 findings overflows the call stack.
    for (const f of [...schemaFindings(source.value), ...semanticFindings(source.value, line)]) {
      if (source.reported?.(f.path) !== true) issues.push(issue(f));
    }
  }
  issues.sort(byPosition);
  if (issues.length > MAX_ISSUES) return { issues: capped(issues) };
  if (issues.length > 0) return { issues };
  return { state: normalise(source.value, file, (path) => source.locate(path, "key")), issues };
}

/** More problems than this are the same mistake repeated (or not a licence file): the rest are counted. */
export const MAX_ISSUES = 100;

/** The first {@link MAX_ISSUES} issues, then one that counts the rest, at the first one left out. */
function capped(issues: readonly Issue[]): Issue[] {
  const rest = issues.length - MAX_ISSUES;
  const next = issues[MAX_ISSUES];
  const kept = issues.slice(0, MAX_ISSUES);
  if (next === undefined) return kept;
  kept.push({
    file: next.file,
    line: next.line,
    column: next.column,
    path: "",
    message: `… and ${rest} more problem${rest === 1 ? "" : "s"}`,
    hint: "fix the problems above and validate again to see the rest",
  });
  return kept;
}

function byPosition(a: Issue, b: Issue): number {
  return a.line - b.line || a.column - b.column || compare(a.path, b.path) || compare(a.message, b.message);
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
