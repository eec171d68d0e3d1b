import { describe, expect, it } from "vitest";
import { parseDesired } from "../../provider/desired";
import { MAX_ISSUES } from "../../provider/desired/index";
import { withoutStackTraces } from "../../provider/desired/yaml-source";
import { apps, lines, TENANT } from "./fixtures";

/**
 * Hostile YAML (issue #9): each finding of the attack, pinned. Speed is checked where it can be
 * checked without a clock — by a child process killed after 2 s (test/cli/hostile-files.test.ts);
 * here, what the answer says.
 */

function only(text: string): { line: number; column: number; path: string; message: string; hint: string } {
  const { issues } = parseDesired(text, "f.yaml");
  expect(issues).toHaveLength(1);
  const [i] = issues;
  if (i === undefined) throw new Error("no issue");
  return { line: i.line, column: i.column, path: i.path, message: i.message, hint: i.hint };
}

/** The quickstart-sized document of the fixtures with its customer key replaced. */
function customerKey(key: string): string {
  return apps().replace("  rockit:", `  ${key}:`);
}

describe("aliases", () => {
  it("10,000 aliases of one scalar are read (and checked) like any list", () => {
    const text = `version: 1\nx: &a 1\nl: [${Array.from({ length: 10_000 }, () => "*a").join(",")}]\n`;
    expect(text.length).toBeLessThan(31_000);
    const { issues } = parseDesired(text, "f.yaml");
    expect(issues.map((i) => `${i.line}:${i.column} ${i.message}`)).toEqual(['1:1 missing required key "customers"', '2:1 unknown key "x"', '3:1 unknown key "l"']);
  });

  it("an alias refers to the last anchor of that name before it, as YAML says", () => {
    const text = lines("version: 1", "customers:", "  a: &c { tenantId: x }", "  b: &c { tenantId: y }", "  d: *c", "  e: &c { tenantId: z }");
    const found = parseDesired(text, "f.yaml").issues.filter((i) => i.path.endsWith(".tenantId")).map((i) => `${i.path} ${i.hint}`);
    expect(found.find((f) => f.startsWith("customers.d."))).toContain('"y"');
  });

  it("an alias tree that expands to billions of values is refused with one clear problem", () => {
    let text = "version: 1\na0: &a0 [x,x,x,x,x,x,x,x,x]\n";
    for (let i = 1; i < 10; i++) text += `a${i}: &a${i} [${Array.from({ length: 9 }, () => `*a${i - 1}`).join(",")}]\n`;
    text += "customers: *a9\n";
    expect(only(text)).toMatchObject({ line: 1, message: "aliases expand the document by more than 100000 values" });
  });
});

describe("size", () => {
  it("130,000 problems: the first ones, then how many more, and no stack overflow", () => {
    const text = `version: 1\ncustomers:\n  c:\n    tenantId: ${TENANT}\n    subscriptions:\n${Array.from({ length: 130_000 }, (_, i) => `      s${i}: 1\n`).join("")}`;
    const { issues } = parseDesired(text, "f.yaml");
    expect(issues).toHaveLength(MAX_ISSUES + 1);
    expect(issues[0]).toMatchObject({ line: 6, path: "customers.c.subscriptions.s0", message: "must be a mapping" });
    expect(issues.at(-1)).toMatchObject({ line: 6 + MAX_ISSUES, path: "", message: `… and ${130_000 - MAX_ISSUES} more problems`, hint: "fix the problems above and validate again to see the rest" });
  });
});

describe("the count past the cap", () => {
  it("counts a problem the schema finds twice at one path once, shown or not", () => {
    // `quantity: 0.5` breaks both the type and the minimum of quantity: two schema errors, one problem.
    const entry = (i: number): string => `      s${i}: {offer: CFQ7TTC0LH18:0001, term: P1Y, billing: monthly, quantity: 0.5}\n`;
    const text = `version: 1\ncustomers:\n  c:\n    tenantId: ${TENANT}\n    subscriptions:\n${Array.from({ length: 150 }, (_, i) => entry(i)).join("")}`;
    const { issues } = parseDesired(text, "f.yaml");
    expect(issues.slice(0, 2).map((i) => `${i.line} ${i.path}: ${i.message}`)).toEqual([
      "6 customers.c.subscriptions.s0.quantity: must be an integer ≥ 1",
      "7 customers.c.subscriptions.s1.quantity: must be an integer ≥ 1",
    ]);
    expect(issues.at(-1)?.message).toBe("… and 50 more problems");
  });
});

describe("errors the parser makes", () => {
  it("are made without stack traces (100,000 of them cost half a second); the limit is put back, even on a throw", () => {
    const before = Error.stackTraceLimit;
    const during = withoutStackTraces(() => [Error.stackTraceLimit, new Error("x").stack?.split("\n").length]);
    expect(during).toEqual([0, 1]);
    expect(Error.stackTraceLimit).toBe(before);
    expect(() =>
      withoutStackTraces(() => {
        throw new Error("parser bug");
      }),
    ).toThrow("parser bug");
    expect(Error.stackTraceLimit).toBe(before);
  });

  it("are still reported after the stackless parse", () => {
    expect(parseDesired("version: 1\ncustomers:\n  c: !foo 1\n", "f.yaml").issues.map((i) => i.message)).toContain("unresolved tag: !foo");
  });
});

describe("numbers YAML cannot hold exactly", () => {
  it.each([
    ["1e308", "1e308"],
    ["9007199254740993 (2^53 + 1)", "9007199254740993"],
    [".inf", ".inf"],
    ["-1e400", "-1e400"],
  ])("quantity: %s is an error with the fix", (_label, value) => {
    expect(only(apps({ quantity: value }))).toEqual({
      line: 10,
      column: 19,
      path: "customers.rockit.subscriptions.apps.quantity",
      message: `${value} is outside the numbers seatplan reads exactly`,
      hint: "write a whole number up to 9,007,199,254,740,991; seat counts are far below that",
    });
  });

  it("the largest safe integer is read as itself (and judged by the schema)", () => {
    const { issues } = parseDesired(apps({ quantity: "9007199254740991" }), "f.yaml");
    expect(issues.map((i) => i.message)).not.toContain("9007199254740991 is outside the numbers seatplan reads exactly");
  });
});

describe("keys YAML would read as something else", () => {
  it.each([
    ["0x1f", "the number 31"],
    ["1e3", "the number 1000"],
    ["010", "the number 10"],
    ["0o17", "the number 15"],
    ["true", "the boolean true"],
    ["null", "an empty key"],
  ])("customer key %s is an error that says to quote it", (key, readAs) => {
    expect(only(customerKey(key))).toEqual({
      line: 3,
      column: 3,
      path: `customers.${key}`,
      message: `the key ${key} is read by YAML as ${readAs}, not as the text "${key}"`,
      hint: `quote it ("${key}":) or choose another key, one that starts with a letter`,
    });
  });

  it("a quoted key is its text, and a plain number key that reads as itself is fine", () => {
    expect(parseDesired(customerKey('"0x1f"'), "f.yaml").issues).toEqual([]);
    expect(parseDesired(customerKey("2024"), "f.yaml").issues).toEqual([]);
  });
});

describe("syntax errors where the reader looks", () => {
  it("an unclosed quote is reported where it opened", () => {
    const text = lines("version: 1", "customers:", "  rockit:", '    name: "Rock IT', `    tenantId: ${TENANT}`, "    subscriptions: {}");
    expect(only(text)).toEqual({ line: 4, column: 11, path: "", message: "this quote is never closed", hint: "add the closing quote at the end of the value; YAML read the rest of the file as part of it" });
  });

  it("an unclosed single quote too (a doubled quote inside is not its end)", () => {
    const text = lines("version: 1", "customers:", "  rockit:", "    name: 'Rock ''n'' IT", `    tenantId: ${TENANT}`, "    subscriptions: {}");
    expect(only(text)).toMatchObject({ line: 4, column: 11, message: "this quote is never closed" });
  });

  it("one line indented too deep is one problem, on that line", () => {
    const text = apps().replace("        term: P1Y", "         term: P1Y");
    expect(only(text)).toEqual({
      line: 8,
      column: 10,
      path: "",
      message: "this line is indented deeper than the key on line 7, so YAML reads it as part of that value",
      hint: "indent it exactly like the key above it (or deeper only under a key that ends with a colon)",
    });
  });

  it("nesting the parser cannot follow is a problem in words, not a stack overflow message", () => {
    const text = `version: 1\ncustomers:\n${Array.from({ length: 3000 }, (_, i) => `${" ".repeat(i + 1)}k${i}:`).join("\n")} x\n`;
    const { issues } = parseDesired(text, "f.yaml");
    expect(issues.length).toBeGreaterThan(0);
    for (const i of issues) expect(i.message).not.toMatch(/call stack/i);
  });
});
