import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";

let cached: string | undefined;

/**
 * The installed seatplan version (package.json `version`), found by walking up from this file:
 * the same lookup works from `provider/pulumi` (sources) and `dist/provider/pulumi` (build).
 */
export function packageVersion(): string {
  if (cached !== undefined) return cached;
  for (let dir = __dirname; ; dir = dirname(dir)) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as { name?: unknown; version?: unknown };
      if (pkg.name === "seatplan" && typeof pkg.version === "string") return (cached = pkg.version);
    } catch {
      // No package.json here (or not ours): keep walking up.
    }
    if (dirname(dir) === dir) throw new Error(`seatplan: no package.json of seatplan above ${__dirname}`);
  }
}
