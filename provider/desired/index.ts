import type { DesiredState, Issue } from "../domain/types";
import { normalise } from "./normalise";
import { explainSchemaFinding, type Finding, type SchemaFinding, schemaFindings } from "./schema-issues";
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

  const found: Pending[] = source.problems.map((p) => ({ offset: p.offset, path: p.path, words: p, position: p }));
  if (source.broken) {
    // Syntax errors only: checking a half-read document would mostly report their consequences.
  } else if (source.value === undefined) {
    const f: Finding = { path: [], message: "the file holds no YAML document", hint: 'start it with "version: 1" and a "customers:" mapping' };
    found.push({ offset: source.offsetOf(f.path), path: f.path, words: f });
  } else {
    const shown = (path: readonly string[]): boolean => source.reported?.(path) !== true;
    // Loops, not push(...all): a spread of 100,000 findings overflows the call stack.
    for (const f of schemaFindings(source.value, (path, at) => (shown(path) ? source.offsetOf(path, at) : undefined))) found.push(f);
    for (const f of semanticFindings(source.value, line)) {
      if (!shown(f.path)) continue;
      found.push({ offset: source.offsetOf(f.path, f.at), path: f.path, words: f });
    }
  }
  const issues = ordered(found, (p) => {
    const words = "words" in p ? p.words : explainSchemaFinding(p, source.value);
    const { line, column } = ("position" in p ? p.position : undefined) ?? source.positionAt(p.offset);
    return { file, line, column, path: p.path.join("."), message: words.message, hint: words.hint };
  });
  if (issues.length > 0) return { issues };
  return { state: normalise(source.value, file, (path) => source.locate(path, "key")), issues };
}

/** More problems than this are the same mistake repeated (or not a licence file): the rest are counted. */
export const MAX_ISSUES = 100;

/** A problem placed in the text: its words, or the schema finding to explain if it is shown. */
type Pending = (Placed & { readonly words: Words; readonly kind?: undefined; readonly position?: Position }) | SchemaFinding;

/** Where a problem is: an offset in the text (ordered as line and column are, and cheaper:
 *  the line and column are worked out for the problems shown). */
interface Placed {
  readonly offset: number;
  readonly path: readonly string[];
}

interface Position {
  readonly line: number;
  readonly column: number;
}

interface Words {
  readonly message: string;
  readonly hint: string;
}

/**
 * The issues in order of position (then path, then message), the same schema problem at one path
 * once; past {@link MAX_ISSUES}, one issue counts the rest, at the first one left out. Only the
 * issues shown are put into words: a 2 MB file of 130,000 problems explains 101 of them.
 */
function ordered(found: Pending[], issueOf: (p: Pending) => Issue): Issue[] {
  const joined = new Map<Pending, string>();
  const pathText = (p: Pending): string => {
    let text = joined.get(p);
    if (text === undefined) joined.set(p, (text = p.path.join(".")));
    return text;
  };
  // Paths are compared only between problems at one position (rare): no join for the others.
  found.sort((a, b) => a.offset - b.offset || compare(pathText(a), pathText(b)));

  const kept: Issue[] = [];
  let more = 0;
  for (let i = 0; i < found.length; ) {
    const first = found[i] as Pending;
    let end = i + 1;
    while (end < found.length && samePlace(first, found[end] as Pending, pathText)) end++;
    const group = found.slice(i, end);
    i = end;
    if (kept.length > MAX_ISSUES) {
      // Beyond the cap only the number matters: repeats are told apart by kind, not by words.
      const kinds = new Set<string>();
      for (const p of group) {
        if (p.kind === undefined) more++;
        else if (!kinds.has(p.kind)) {
          kinds.add(p.kind);
          more++;
        }
      }
      continue;
    }
    const messages = new Set<string>();
    const issues: Issue[] = [];
    for (const p of group) {
      const issue = issueOf(p);
      if (p.kind !== undefined) {
        if (messages.has(issue.message)) continue;
        messages.add(issue.message);
      }
      issues.push(issue);
    }
    issues.sort((a, b) => compare(a.message, b.message));
    kept.push(...issues);
  }
  if (kept.length + more <= MAX_ISSUES) return kept;
  const next = kept[MAX_ISSUES] as Issue;
  const rest = kept.length + more - MAX_ISSUES;
  const shown = kept.slice(0, MAX_ISSUES);
  shown.push({
    file: next.file,
    line: next.line,
    column: next.column,
    path: "",
    message: `… and ${rest} more problem${rest === 1 ? "" : "s"}`,
    hint: "fix the problems above and validate again to see the rest",
  });
  return shown;
}

function samePlace(a: Pending, b: Pending, pathText: (p: Pending) => string): boolean {
  return a.offset === b.offset && pathText(a) === pathText(b);
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
