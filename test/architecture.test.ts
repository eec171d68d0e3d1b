import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";

/**
 * Keeps the dependency direction of design §2 honest: the pure core (domain, desired, rules,
 * plan) never imports a backend, the CLI, Pulumi or the network, and never reads the clock or
 * the environment.
 */
const root = join(__dirname, "..", "provider");

function tsFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) return tsFiles(p);
    return p.endsWith(".ts") && !p.endsWith(".test.ts") ? [p] : [];
  });
}

function imports(file: string): string[] {
  const text = readFileSync(file, "utf8");
  return [...text.matchAll(/(?:from\s+|import\s*\(|require\()\s*["']([^"']+)["']/g)].map((m) => m[1] ?? "");
}

const PURE = ["domain", "desired", "rules", "plan", "insight"];
const FORBIDDEN_IMPORTS = [/\/backends\//, /\/simulator\//, /\/cli\//, /\/pulumi\//, /\/apply\//, /^axios$/, /^@azure\//, /^@pulumi\//, /^node:(fs|http|https|net|child_process)/];
const FORBIDDEN_CODE: Array<[RegExp, string]> = [
  [/process\.env/, "reads the environment"],
  [/Date\.now\(\)/, "reads the clock"],
  [/new Date\(\)/, "reads the clock"],
  [/DateTime\.(now|utc)\(\)/, "reads the clock"],
  [/Math\.random\(\)/, "uses randomness"],
];

describe("architecture", () => {
  for (const area of PURE) {
    const dir = join(root, area);
    let files: string[] = [];
    try {
      files = tsFiles(dir);
    } catch {
      files = [];
    }
    it(`${area}/ imports no backend, CLI, Pulumi or network module`, () => {
      const offenders = files.flatMap((f) =>
        imports(f)
          .filter((i) => FORBIDDEN_IMPORTS.some((re) => re.test(i)))
          .map((i) => `${relative(root, f)} imports ${i}`),
      );
      expect(offenders).toEqual([]);
    });
    it(`${area}/ reads neither the clock nor the environment`, () => {
      const offenders = files.flatMap((f) => {
        const text = readFileSync(f, "utf8");
        return FORBIDDEN_CODE.filter(([re]) => re.test(text)).map(([, why]) => `${relative(root, f)} ${why}`);
      });
      expect(offenders).toEqual([]);
    });
  }

  it("only cli/ and pulumi/ read the environment", () => {
    const offenders = tsFiles(root)
      .filter((f) => !/\/(cli|pulumi)\//.test(f) && !/\/bench\//.test(f))
      .filter((f) => /process\.env/.test(readFileSync(f, "utf8")))
      .map((f) => relative(root, f));
    expect(offenders).toEqual([]);
  });
});
