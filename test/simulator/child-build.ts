import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative, resolve } from "node:path";
import ts from "typescript";

/**
 * Child processes (a second writer of a state file, the CLI itself) cannot run TypeScript on
 * Node 20, and `dist/` may be stale while the sources change. This compiles the import closure
 * of some source files into a temp directory laid out like the package (`dist/…`, `bin/`,
 * `package.json`, `node_modules` linked), so a child runs exactly the code under test.
 * Type-stripping only (`transpileModule`): the type check is `npm run typecheck`'s job.
 */

export const ROOT = resolve(__dirname, "..", "..");

export function buildForChildren(entries: readonly string[]): string {
  const out = mkdtempSync(join(tmpdir(), "seatplan-child-"));
  const seen = new Set<string>();
  const queue = entries.map((e) => resolve(ROOT, e));
  while (queue.length > 0) {
    const file = queue.pop() as string;
    if (seen.has(file)) continue;
    seen.add(file);
    const target = join(out, "dist", relative(ROOT, file));
    mkdirSync(dirname(target), { recursive: true });
    if (file.endsWith(".json")) {
      copyFileSync(file, target);
      continue;
    }
    const source = readFileSync(file, "utf8");
    const { outputText } = ts.transpileModule(source, {
      fileName: file,
      compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true, resolveJsonModule: true },
    });
    writeFileSync(target.replace(/\.ts$/, ".js"), outputText);
    for (const match of source.matchAll(/(?:from\s+|import\s*\(\s*|require\(\s*)["'](\.[^"']+)["']/g)) {
      const base = resolve(dirname(file), match[1] ?? "");
      // `import("./x.js")` (dynamic imports keep their extension under node16) is the source x.ts.
      const found = [`${base}.ts`, ...(base.endsWith(".js") ? [base.replace(/\.js$/, ".ts")] : []), join(base, "index.ts"), base].find((p) => existsSync(p));
      if (found && !seen.has(found)) queue.push(found);
    }
  }
  mkdirSync(join(out, "bin"));
  copyFileSync(join(ROOT, "bin", "seatplan.js"), join(out, "bin", "seatplan.js"));
  copyFileSync(join(ROOT, "package.json"), join(out, "package.json"));
  symlinkSync(join(ROOT, "node_modules"), join(out, "node_modules"), "dir");
  return out;
}
