import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import type { CliIO } from "../../provider/cli/io";
import { main } from "../../provider/cli/main";
import { decodeText, formatIssues, parseDesired } from "../../provider/desired";
import { isRecord } from "../../provider/desired/words";

/**
 * Whatever the input, validation answers with issues (or a valid state): it never throws and
 * never shows a stack trace. Generated documents: random YAML values, random text, and
 * mutations of the quickstart file (deleted, duplicated or re-indented lines, replaced values,
 * truncation, inserted bytes, and structural edits: deleted keys, wrong types, renamed keys).
 */
const VALID = readFileSync(join(__dirname, "..", "..", "examples", "quickstart", "licences.yaml"), "utf8");
const STACK_LINE = /^\s+at /m;

function checkAnswer(text: string): void {
  const { state, issues } = parseDesired(text, "fuzz.yaml");
  expect(state === undefined).toBe(issues.length > 0);
  const lineCount = text.split("\n").length;
  for (const issue of issues) {
    expect(issue.file).toBe("fuzz.yaml");
    expect(issue.line).toBeGreaterThanOrEqual(1);
    expect(issue.line).toBeLessThanOrEqual(lineCount);
    expect(issue.column).toBeGreaterThanOrEqual(1);
    expect(issue.message).not.toBe("");
    expect(issue.hint).not.toBe("");
  }
  const order = issues.map((i) => i.line * 1e6 + i.column);
  expect(order).toEqual([...order].sort((a, b) => a - b));
  expect(formatIssues(issues)).not.toMatch(STACK_LINE);
}

type LineEdit =
  | { kind: "delete"; line: number }
  | { kind: "duplicate"; line: number }
  | { kind: "replace-value"; line: number; value: string }
  | { kind: "indent"; line: number; by: number }
  | { kind: "truncate"; at: number }
  | { kind: "insert"; at: number; text: string };

const lineEdit: fc.Arbitrary<LineEdit> = fc.oneof(
  fc.record({ kind: fc.constant("delete" as const), line: fc.nat() }),
  fc.record({ kind: fc.constant("duplicate" as const), line: fc.nat() }),
  fc.record({ kind: fc.constant("replace-value" as const), line: fc.nat(), value: fc.oneof(fc.string(), fc.constantFrom("", "0", "-1", "P1Y", "annual", "yes", "~", "[]", "{}", "*a", "&a x", "!!str", "'", '"', "|", ">", "- x", "? x", ": x", "#")) }),
  fc.record({ kind: fc.constant("indent" as const), line: fc.nat(), by: fc.integer({ min: -6, max: 6 }) }),
  fc.record({ kind: fc.constant("truncate" as const), at: fc.nat() }),
  fc.record({ kind: fc.constant("insert" as const), at: fc.nat(), text: fc.string({ unit: "binary", maxLength: 8 }) }),
);

function applyLineEdit(text: string, edit: LineEdit): string {
  const lines = text.split("\n");
  const i = "line" in edit ? edit.line % lines.length : 0;
  const line = lines[i] ?? "";
  switch (edit.kind) {
    case "truncate":
      return text.slice(0, edit.at % (text.length + 1));
    case "insert": {
      const at = edit.at % (text.length + 1);
      return text.slice(0, at) + edit.text + text.slice(at);
    }
    case "delete":
      lines.splice(i, 1);
      break;
    case "duplicate":
      lines.splice(i, 0, line);
      break;
    case "indent":
      lines[i] = edit.by >= 0 ? " ".repeat(edit.by) + line : line.replace(new RegExp(`^ {0,${-edit.by}}`), "");
      break;
    case "replace-value":
      lines[i] = line.includes(":") ? `${line.slice(0, line.indexOf(":") + 1)} ${edit.value}` : edit.value;
      break;
  }
  return lines.join("\n");
}

type TreeEdit = { kind: "delete"; pick: number } | { kind: "set"; pick: number; value: unknown } | { kind: "rename"; pick: number; name: string };

const treeEdit: fc.Arbitrary<TreeEdit> = fc.oneof(
  fc.record({ kind: fc.constant("delete" as const), pick: fc.nat() }),
  fc.record({ kind: fc.constant("set" as const), pick: fc.nat(), value: fc.anything({ maxDepth: 2 }) }),
  fc.record({ kind: fc.constant("rename" as const), pick: fc.nat(), name: fc.string({ maxLength: 12 }) }),
);

/** Every (parent, key) pair of a plain-data tree. */
function slots(value: unknown): Array<[Record<string, unknown>, string]> {
  if (!isRecord(value)) return [];
  const parent = value as Record<string, unknown>;
  return Object.keys(parent).flatMap((key) => [[parent, key] as [Record<string, unknown>, string], ...slots(parent[key])]);
}

function applyTreeEdits(edits: readonly TreeEdit[]): string {
  const doc = parse(VALID) as unknown;
  for (const edit of edits) {
    const all = slots(doc);
    const [parent, key] = all[edit.pick % all.length] ?? [{}, ""];
    const value = parent[key];
    if (edit.kind !== "set") delete parent[key];
    if (edit.kind === "set") parent[key] = edit.value;
    if (edit.kind === "rename") parent[edit.name] = value;
  }
  return stringify(doc);
}

describe("validation never throws and never prints a stack trace", () => {
  it("on random YAML values (300 documents)", () => {
    fc.assert(fc.property(fc.anything({ maxDepth: 4, withNullPrototype: true }), (value) => checkAnswer(stringify(value) ?? "")), { numRuns: 300 });
  });

  it("on random text (200 documents)", () => {
    fc.assert(fc.property(fc.string({ unit: "grapheme", maxLength: 200 }), checkAnswer), { numRuns: 200 });
  });

  it("on line-level mutations of a valid file (400 documents)", () => {
    fc.assert(fc.property(fc.array(lineEdit, { minLength: 1, maxLength: 5 }), (edits) => checkAnswer(edits.reduce(applyLineEdit, VALID))), { numRuns: 400 });
  });

  it("on structural mutations of a valid file (300 documents)", () => {
    fc.assert(fc.property(fc.array(treeEdit, { minLength: 1, maxLength: 4 }), (edits) => checkAnswer(applyTreeEdits(edits))), { numRuns: 300 });
  });

  describe("through the CLI, on random bytes and byte-level damage (200 files)", () => {
    const dir = mkdtempSync(join(tmpdir(), "seatplan-fuzz-"));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));
    const bytes = fc.oneof(
      fc.uint8Array({ maxLength: 300 }),
      fc.tuple(fc.nat(), fc.uint8Array({ minLength: 1, maxLength: 4 })).map(([at, junk]) => {
        const valid = Buffer.from(VALID);
        const i = at % valid.length;
        return Buffer.concat([valid.subarray(0, i), junk, valid.subarray(i)]);
      }),
    );

    it("exits 0 or 1 with messages only", async () => {
      const file = join(dir, "fuzz.yaml");
      await fc.assert(
        fc.asyncProperty(bytes, fc.constantFrom("text", "json"), async (content, format) => {
          writeFileSync(file, content);
          let out = "";
          const io: CliIO = { stdout: (t) => (out += t), stderr: (t) => (out += t), env: {}, cwd: dir, isTTY: false };
          const code = await main(["node", "seatplan", "validate", "fuzz.yaml", "--format", format], io);
          expect([0, 1]).toContain(code);
          expect(out).not.toMatch(STACK_LINE);
          const decoded = decodeText(content, "fuzz.yaml");
          expect(code === 0).toBe(decoded.ok && parseDesired(decoded.text, "fuzz.yaml").state !== undefined);
        }),
        { numRuns: 200 },
      );
    });
  });
});

describe("hostile documents end in issues", () => {
  const laughs = ["a: &a [x, x, x, x, x, x, x, x, x, x]"];
  for (let i = 1; i < 9; i++) {
    const [name, previous] = [String.fromCharCode(97 + i), String.fromCharCode(96 + i)];
    laughs.push(`${name}: &${name} [${Array<string>(10).fill(`*${previous}`).join(", ")}]`);
  }

  it.each([
    ["an alias bomb (10⁹ values)", `${laughs.join("\n")}\n`, "1:1 aliases expand the document by more than 100000 values"],
    ["an alias inside its own anchor", "a: &a [*a]\n", "1:8 alias *a refers to the collection that contains it"],
    ["900 nested lists", `a: ${"[".repeat(900)}${"]".repeat(900)}\n`, "1:67 nested more than 64 levels deep"],
    ["100,000 nested lists (would exhaust the parser)", `version: 1\na: ${"[".repeat(100_000)}${"]".repeat(100_000)}\n`, "2:1004 brackets are nested more than 1000 levels deep"],
    ["a __proto__ key", "__proto__: {polluted: 1}\nversion: 1\ncustomers: {}\n", '1:1 unknown key "__proto__"'],
  ])("%s", (_name, text, first) => {
    const { issues } = parseDesired(text, "f.yaml");
    expect(issues.map((i) => `${i.line}:${i.column} ${i.message}`)[0]).toBe(first);
    expect(({} as Record<string, unknown>)["polluted"]).toBeUndefined();
  });

  it("accepts keys that are names of Object.prototype members", () => {
    const text = "version: 1\ncustomers:\n  constructor:\n    tenantId: ee2337af-1fb7-44c8-b0ef-e6bf5b59baed\n    subscriptions: {}\n";
    expect(parseDesired(text, "f.yaml").state?.customers.map((c) => c.key)).toEqual(["constructor"]);
  });
});
