import { stringify } from "yaml";

/** Small text helpers for messages: did-you-mean, and how to show a value a user wrote. */

/** The candidate closest to `word` when it is close enough to be a likely typo. Candidates whose
 *  length alone rules them out are skipped, and each distance is computed only as far as it can
 *  still qualify: a long word or thousands of candidates stay linear. */
export function didYouMean(word: string, candidates: readonly string[]): string | undefined {
  const lower = word.toLowerCase();
  let best: { candidate: string; distance: number } | undefined;
  for (const candidate of candidates) {
    const limit = Math.min(Math.max(1, Math.round(candidate.length / 3)), best === undefined ? Infinity : best.distance - 1);
    if (limit < 0 || Math.abs(candidate.length - lower.length) > limit) continue;
    const distance = boundedEditDistance(lower, candidate.toLowerCase(), limit);
    if (distance !== undefined && (best === undefined || distance < best.distance)) best = { candidate, distance };
  }
  return best?.candidate;
}

/** Levenshtein distance (insert, delete, substitute: cost 1 each) when it is at most `limit`;
 *  undefined as soon as every path exceeds it. */
function boundedEditDistance(a: string, b: string, limit: number): number | undefined {
  if (a === b) return 0;
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    let smallest = i;
    for (let j = 1; j <= b.length; j++) {
      const substitute = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      const value = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitute);
      current[j] = value;
      if (value < smallest) smallest = value;
    }
    if (smallest > limit) return undefined;
    previous = current;
  }
  const distance = previous[b.length] ?? 0;
  return distance <= limit ? distance : undefined;
}

/** How a value appears in a message: `"text"`, `2`, `true`, `an empty value`, `a list`, `a mapping`. */
export function shown(value: unknown): string {
  if (value === null || value === undefined) return "an empty value";
  if (typeof value === "string") return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "a mapping";
  return String(value as number | boolean | bigint);
}

/** A value as one line of YAML (flow style for mappings), for hints like `add "quantity: 2"`. */
export function inline(value: unknown): string {
  if (value === undefined) return "…";
  return stringify(value, { collectionStyle: "flow", lineWidth: 0 }).trim();
}

/** `a, b and c`. */
export function listed(items: readonly string[], conjunction = "and"): string {
  if (items.length <= 1) return items.join("");
  return `${items.slice(0, -1).join(", ")} ${conjunction} ${items[items.length - 1] ?? ""}`;
}

/** A key that passes `[a-z0-9][a-z0-9-]*`, made from whatever the user wrote. */
export function slug(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "");
}

export function isRecord(value: unknown): value is Readonly<Record<string, unknown>> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
