import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { type AreaRules, areaEdges, folderCycles, forbiddenImports, importsOf, tsFiles } from "./architecture";

/**
 * Keeps the dependency direction of design §2 honest: the pure core (domain, desired, rules,
 * plan) never imports a backend, the CLI, Pulumi or the network, and never reads the clock or
 * the environment.
 */
const root = join(__dirname, "..", "provider");

function imports(file: string): string[] {
  return importsOf(readFileSync(file, "utf8"));
}

/**
 * Which folder may import which (docs/architecture.md): the pure core first, then the protocol
 * (wire, http, client), the simulator beside it, configuration that wires them, and the two
 * entry points. `index` is the package's public API (provider/index.ts).
 */
const CORE = ["domain", "desired", "rules", "plan", "insight", "backends", "observe", "apply", "audit", "wire", "http", "client", "simulator", "config"];
const RULES: AreaRules = {
  domain: [],
  desired: ["domain"],
  rules: ["domain"],
  plan: ["domain", "rules"],
  // Renewal radar, usage, catalog: pure like plan/, and reusing its identity resolution.
  insight: ["domain", "rules", "plan"],
  backends: ["domain"],
  observe: ["domain", "plan", "backends"],
  audit: ["domain", "http"],
  apply: ["domain", "rules", "plan", "backends", "audit"],
  wire: ["domain"],
  http: ["domain"],
  client: ["domain", "backends", "wire", "http"],
  simulator: ["domain", "wire"],
  config: ["domain", "backends", "client", "http", "simulator"],
  // The entry points: everything but each other.
  cli: CORE,
  pulumi: CORE,
  index: [...CORE, "pulumi"],
};

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

  it("every folder imports only the folders it may (folder-index imports such as \"../cli\" included)", () => {
    expect(forbiddenImports(root, RULES)).toEqual([]);
  });

  it("has no folder cycle", () => {
    expect(folderCycles(root)).toEqual([]);
  });

  it("pulumi/ imports nothing from cli/", () => {
    expect(areaEdges(root).filter((e) => e.from === "pulumi" && e.to === "cli")).toEqual([]);
  });

  it("catches a planted violation: a folder-index import, a forbidden folder and a cycle", () => {
    const tree = mkdtempSync(join(tmpdir(), "seatplan-architecture-"));
    const put = (file: string, text: string): void => {
      mkdirSync(dirname(join(tree, file)), { recursive: true });
      writeFileSync(join(tree, file), text);
    };
    try {
      put("cli/index.ts", 'export const DEFAULT = "x";\n');
      put("cli/main.ts", 'import { x } from "../config/defaults";\nexport const main = x;\n');
      put("config/defaults.ts", 'export const x = 1;\n');
      // pulumi/ reaching into cli/ by the folder's index: the import has no "/cli/" in it.
      put("pulumi/runtime.ts", 'import { DEFAULT } from "../cli";\nexport const d = DEFAULT;\n');
      // wire/ and client/ import each other.
      put("wire/format.ts", 'import type { C } from "../client/client";\nexport type W = C;\n');
      put("client/client.ts", 'import type { W } from "../wire/format";\nexport type C = { w?: W };\n');
      expect(forbiddenImports(tree, RULES)).toEqual([
        "pulumi/runtime.ts imports ../cli (pulumi/ → cli/ is not allowed)",
        "wire/format.ts imports ../client/client (wire/ → client/ is not allowed)",
      ]);
      expect(folderCycles(tree)).toEqual(["client → wire → client"]);
      // The tree fixed, nothing is reported.
      put("pulumi/runtime.ts", 'import { x } from "../config/defaults";\nexport const d = x;\n');
      put("wire/format.ts", "export type W = string;\n");
      expect([...forbiddenImports(tree, RULES), ...folderCycles(tree)]).toEqual([]);
    } finally {
      rmSync(tree, { recursive: true, force: true });
    }
  });

  it("only cli/ and pulumi/ read the environment", () => {
    const offenders = tsFiles(root)
      .filter((f) => !/\/(cli|pulumi)\//.test(f) && !/\/bench\//.test(f))
      .filter((f) => /process\.env/.test(readFileSync(f, "utf8")))
      .map((f) => relative(root, f));
    expect(offenders).toEqual([]);
  });
});
