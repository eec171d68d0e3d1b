/**
 * Builders for small desired-state documents whose line numbers are easy to read off:
 *
 *      1 version: 1
 *      2 customers:
 *      3   rockit:
 *      4     tenantId: ee2337af-1fb7-44c8-b0ef-e6bf5b59baed
 *      5     subscriptions:
 *      6       apps:
 *      7         offer: CFQ7TTC0LH1G:0001
 *      8         term: P1Y
 *      9         billing: annual
 *     10         quantity: 2
 *     11         <extra lines, indented 8 spaces>
 */
export const TENANT = "ee2337af-1fb7-44c8-b0ef-e6bf5b59baed";

const APPS: ReadonlyArray<[string, string]> = [
  ["offer", "CFQ7TTC0LH1G:0001"],
  ["term", "P1Y"],
  ["billing", "annual"],
  ["quantity", "2"],
];

/** The document above; `fields` replaces values of lines 7–10 (null drops the line), `extra`
 *  lines are appended to the `apps` entry. */
export function apps(fields: Readonly<Record<string, string | null>> = {}, extra: readonly string[] = []): string {
  const lines = APPS.flatMap(([key, value]) => {
    const v = key in fields ? fields[key] : value;
    return v === null || v === undefined ? [] : [`        ${key}: ${v}`];
  });
  return [
    "version: 1",
    "customers:",
    "  rockit:",
    `    tenantId: ${TENANT}`,
    "    subscriptions:",
    "      apps:",
    ...lines,
    ...extra.map((l) => `        ${l}`),
    "",
  ].join("\n");
}

/** Lines joined with newlines (and a final one), for documents written out in full. */
export function lines(...text: string[]): string {
  return `${text.join("\n")}\n`;
}
