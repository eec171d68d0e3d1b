import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";

/**
 * The import rules of docs/architecture.md, as a function of a source tree so a test can plant
 * a violation in a temporary tree and see it caught. Every relative import is resolved to the
 * file it loads — `"../cli"` is `cli/index.ts`, so importing a folder by its index is caught like
 * any other import of that folder — and mapped to its top-level folder (its "area").
 */

/** Which areas each area may import (itself always). An area missing here may import nothing. */
export type AreaRules = Readonly<Record<string, readonly string[]>>;

export interface ImportEdge {
  /** File relative to the root. */
  readonly file: string;
  readonly specifier: string;
  readonly from: string;
  readonly to: string;
}

/** The `.ts` files under `dir` (tests excluded). */
export function tsFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) return tsFiles(p);
    return p.endsWith(".ts") && !p.endsWith(".test.ts") && !p.endsWith(".d.ts") ? [p] : [];
  });
}

/** Module specifiers a file imports, exports from, requires or loads dynamically. */
export function importsOf(text: string): string[] {
  return [...text.matchAll(/(?:from\s+|import\s*\(\s*|require\(\s*|^\s*import\s+)["']([^"']+)["']/gm)].map((m) => m[1] ?? "");
}

/** The area of a file: its top-level folder under the root, or `index` for a file at the root. */
export function areaOf(root: string, file: string): string {
  const parts = relative(root, file).split(sep);
  return parts.length === 1 ? (parts[0] ?? "").replace(/\.ts$/, "") : (parts[0] ?? "");
}

/** The file a relative specifier loads (`x.ts`, `x/index.ts`, a `.json`), or null when outside the root or missing. */
export function resolveImport(root: string, file: string, specifier: string): string | null {
  if (!specifier.startsWith(".")) return null;
  const base = resolve(dirname(file), specifier);
  const candidates = [base, `${base}.ts`, join(base, "index.ts")];
  const hit = candidates.find((c) => existsSync(c) && statSync(c).isFile());
  if (hit === undefined) return null;
  return relative(root, hit).startsWith("..") ? null : hit;
}

/** Every import from one area to another. */
export function areaEdges(root: string): ImportEdge[] {
  return tsFiles(root).flatMap((file) =>
    importsOf(readFileSync(file, "utf8")).flatMap((specifier) => {
      const target = resolveImport(root, file, specifier);
      if (target === null) return [];
      const from = areaOf(root, file);
      const to = areaOf(root, target);
      return from === to ? [] : [{ file: relative(root, file), specifier, from, to }];
    }),
  );
}

/** Imports the rules do not allow, one line each. */
export function forbiddenImports(root: string, rules: AreaRules): string[] {
  return areaEdges(root)
    .filter((e) => !(rules[e.from] ?? []).includes(e.to))
    .map((e) => `${e.file} imports ${e.specifier} (${e.from}/ → ${e.to}/ is not allowed)`);
}

/** Folder cycles (areas that reach each other through imports), each as `a → b → a`. */
export function folderCycles(root: string): string[] {
  const graph = new Map<string, Set<string>>();
  for (const e of areaEdges(root)) {
    if (!graph.has(e.from)) graph.set(e.from, new Set());
    graph.get(e.from)?.add(e.to);
  }
  const cycles = new Set<string>();
  const visit = (node: string, path: string[]): void => {
    const at = path.indexOf(node);
    if (at >= 0) {
      const cycle = path.slice(at);
      // One rotation per cycle: start at its smallest name.
      const start = cycle.indexOf([...cycle].sort()[0] ?? "");
      const rotated = [...cycle.slice(start), ...cycle.slice(0, start)];
      cycles.add([...rotated, rotated[0]].join(" → "));
      return;
    }
    for (const next of graph.get(node) ?? []) visit(next, [...path, node]);
  };
  for (const node of graph.keys()) visit(node, []);
  return [...cycles].sort();
}
