/**
 * Text layout for terminal renderings: tables and paragraphs that fit a width (80 columns when
 * the terminal's is unknown). Pure; widths count code points, which is right for the text
 * seatplan prints (no wide glyphs).
 */

/** The width used when stdout is not a terminal or does not say. */
export const DEFAULT_WIDTH = 80;
/** Below this, layouts stop shrinking and let lines run long rather than become unreadable. */
const MIN_WIDTH = 40;

const len = (s: string): number => [...s].length;

/**
 * Breaks `text` into lines of at most `width` code points: at spaces, else after `/` or `,`, and
 * a word longer than the width is cut (an id must stay whole where it can, but never overflow).
 */
export function wrap(text: string, width: number): string[] {
  const w = Math.max(1, width);
  const lines: string[] = [];
  let line = "";
  // Tokens keep their trailing break character, so joining them restores the text.
  const tokens = text.split(/(?<=[ /,])/);
  for (const token of tokens) {
    if (len(line) + len(token.trimEnd()) <= w) {
      line += token;
      continue;
    }
    if (line.trim() !== "") lines.push(line.trimEnd());
    line = "";
    let rest = token.trimStart();
    while (len(rest.trimEnd()) > w) {
      const chars = [...rest];
      lines.push(chars.slice(0, w).join(""));
      rest = chars.slice(w).join("");
    }
    line = rest;
  }
  if (line.trim() !== "" || lines.length === 0) lines.push(line.trimEnd());
  return lines;
}

/** `text` as a paragraph starting at `indent`, continued at `hang` (default: the same). */
export function paragraph(text: string, width: number, indent: string, hang: string = indent): string[] {
  const first = wrap(text, Math.max(MIN_WIDTH, width) - len(indent));
  const [head = "", ...tail] = first;
  if (tail.length === 0 || len(hang) === len(indent)) return [indent + head, ...tail.map((l) => indent + l)];
  // A deeper hang: re-wrap the rest to the narrower measure.
  const rest = wrap(tail.join(" "), Math.max(MIN_WIDTH, width) - len(hang));
  return [indent + head, ...rest.map((l) => hang + l)];
}

/**
 * Rows (the first is the header) as aligned columns two spaces apart, starting at `indent`.
 * When they do not fit `width`, the widest columns give way first (never below their header or
 * 8 characters) and their cells wrap onto further lines of the same row.
 */
export function fitTable(rows: readonly (readonly string[])[], width: number, indent = ""): string[] {
  return fitTableRows(rows, width, indent).flat();
}

/** {@link fitTable}, the lines of each row apart (to print notes under a row). */
export function fitTableRows(rows: readonly (readonly string[])[], width: number, indent = ""): string[][] {
  const columns = rows[0]?.length ?? 0;
  if (columns === 0) return [];
  const natural = Array.from({ length: columns }, (_, i) => Math.max(...rows.map((r) => len(r[i] ?? ""))));
  const floor = Array.from({ length: columns }, (_, i) => Math.min(natural[i] ?? 0, Math.max(8, len(rows[0]?.[i] ?? ""))));
  const widths = [...natural];
  const room = Math.max(MIN_WIDTH, width) - len(indent) - 2 * (columns - 1);
  const total = (): number => widths.reduce((a, b) => a + b, 0);
  while (total() > room) {
    // Shrink the widest column that can still give way, one character at a time.
    let widest = -1;
    for (let i = 0; i < columns; i += 1) {
      if ((widths[i] ?? 0) > (floor[i] ?? 0) && (widest < 0 || (widths[i] ?? 0) > (widths[widest] ?? 0))) widest = i;
    }
    if (widest < 0) break;
    widths[widest] = (widths[widest] ?? 0) - 1;
  }
  const out: string[][] = [];
  for (const row of rows) {
    const cells = row.map((c, i) => wrap(c, widths[i] ?? len(c)));
    const height = Math.max(...cells.map((c) => c.length));
    const lines: string[] = [];
    out.push(lines);
    for (let line = 0; line < height; line += 1) {
      const text = cells
        .map((c, i) => {
          const s = c[line] ?? "";
          return i === columns - 1 ? s : s + " ".repeat(Math.max(0, (widths[i] ?? 0) - len(s)));
        })
        .join("  ");
      lines.push((indent + text).trimEnd());
    }
  }
  return out;
}
