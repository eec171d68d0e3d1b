import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { formatIssues, parseDesired } from "../../provider/desired";
import { MAX_ISSUES } from "../../provider/desired/index";

/**
 * Hostile YAML, generated (issue #9): aliases (defined, undefined, self-referring, fanning out),
 * deep flow and block nesting, scalars YAML reads as something else, control characters and
 * direction overrides, unclosed quotes, tabs. Validation never throws, never prints a stack or a
 * raw control character, and answers every document with file:line:column issues.
 */
const DOCUMENTS = 10_000;
const STACK_LINE = /^\s+at /m;
const RAW_CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e]/;

const ODD_SCALARS = [
  "1e308", "-1e400", ".inf", "-.Inf", ".NaN", "9007199254740993", "0x1f", "0o17", "010", "1e3", "-0", "~", "null", "true", "False",
  "yes", "!!binary aGk=", "!!str 3", "!custom x", "<<", "@x", "`x", "%x", "'open", '"open', "'it''s'", '"\\e[2J"', '"\\x85"', "|", ">-", "? x", "- x",
];
const CONTROLS = ["\u0000", "\u0007", "\u001b[31m", "\u001b]0;t\u0007", "\u0085", "\u009b", "\u202e", "\u2028", "\t", "\r", "\ufeff"];

const name = fc.stringMatching(/^[a-z][a-z0-9-]{0,6}$/);
const anchorId = fc.integer({ min: 0, max: 4 });
const scalar = fc.oneof(
  fc.constantFrom(...ODD_SCALARS),
  fc.integer().map(String),
  fc.double({ noNaN: false }).map(String),
  name,
  fc.tuple(name, fc.constantFrom(...CONTROLS), name).map(([a, c, b]) => `"${a}${c}${b}"`),
  fc.tuple(name, fc.constantFrom(...CONTROLS)).map(([a, c]) => `${a}${c}`),
  fc.string({ unit: "binary", maxLength: 6 }),
);
const value: fc.Arbitrary<string> = fc.oneof(
  { weight: 40, arbitrary: scalar },
  { weight: 20, arbitrary: anchorId.map((i) => `*a${i}`) },
  { weight: 20, arbitrary: fc.tuple(anchorId, scalar).map(([i, v]) => `&a${i} ${v}`) },
  { weight: 10, arbitrary: fc.tuple(anchorId, fc.array(anchorId, { minLength: 1, maxLength: 9 })).map(([i, refs]) => `&a${i} [${refs.map((r) => `*a${r}`).join(", ")}]`) },
  { weight: 10, arbitrary: fc.tuple(fc.integer({ min: 1, max: 40 }), fc.constantFrom("[", "{", "[{")).map(([n, open]) => open.repeat(n)) },
  { weight: 1, arbitrary: fc.tuple(fc.integer({ min: 995, max: 1010 }), fc.constantFrom("[", "{")).map(([n, open]) => open.repeat(n)) },
  { weight: 10, arbitrary: fc.array(scalar, { maxLength: 4 }).map((xs) => `[${xs.join(", ")}]`) },
  { weight: 10, arbitrary: fc.array(fc.tuple(name, scalar), { maxLength: 4 }).map((kv) => `{${kv.map(([k, v]) => `${k}: ${v}`).join(", ")}}`) },
);
const key = fc.oneof({ weight: 4, arbitrary: fc.constantFrom("version", "customers", "policy", "tenantId", "subscriptions", "offer", "term", "billing", "quantity", "renewal", "upgrade", "<<") }, { weight: 2, arbitrary: name }, { weight: 1, arbitrary: scalar });
const line = fc.oneof(
  { weight: 6, arbitrary: fc.tuple(fc.integer({ min: 0, max: 12 }), key, value).map(([indent, k, v]) => `${" ".repeat(indent)}${k}: ${v}`) },
  { weight: 2, arbitrary: fc.tuple(fc.integer({ min: 0, max: 12 }), key).map(([indent, k]) => `${" ".repeat(indent)}${k}:`) },
  { weight: 1, arbitrary: fc.tuple(fc.integer({ min: 0, max: 12 }), value).map(([indent, v]) => `${" ".repeat(indent)}- ${v}`) },
  { weight: 1, arbitrary: fc.integer({ min: 1, max: 80 }).map((n) => "- ".repeat(n) + "x") },
  { weight: 1, arbitrary: fc.constantFrom("---", "...", "\t- tab", "# comment \u001b[2J", "%YAML 1.1", "&a0", "*a9", "? complex", "  : value") },
);
const document = fc.tuple(fc.boolean(), fc.array(line, { minLength: 0, maxLength: 14 })).map(([header, lines]) =>
  [...(header ? ["version: 1", "customers:", "  rockit:", "    tenantId: ee2337af-1fb7-44c8-b0ef-e6bf5b59baed", "    subscriptions:"] : []), ...lines].join("\n"),
);

/** Plain checks (an `expect` per issue costs more than the validation itself); throws with the reason. */
function checkAnswer(text: string): void {
  const { state, issues } = parseDesired(text, "hostile.yaml");
  const fail = (why: string): never => {
    throw new Error(`${why}\n--- document ---\n${JSON.stringify(text)}\n--- issues ---\n${JSON.stringify(issues, null, 1)}`);
  };
  if ((state === undefined) !== issues.length > 0) fail("a state and issues, or neither");
  if (issues.length > MAX_ISSUES + 1) fail("more issues than the cap");
  const lineCount = text.split("\n").length;
  for (const i of issues) {
    if (i.file !== "hostile.yaml" || i.line < 1 || i.line > lineCount || i.column < 1 || i.message === "" || i.hint === "") fail("an issue without file:line:column, message and hint");
  }
  const printed = formatIssues(issues);
  if (STACK_LINE.test(printed)) fail("a stack trace");
  if (RAW_CONTROL.test(printed.replace(/\n/g, ""))) fail("a raw control character");
  for (const l of printed.split("\n")) if (l !== "" && !l.startsWith("  hint: ") && !/^hostile\.yaml:\d+:\d+ /.test(l)) fail(`a line without file:line: ${l}`);
}

describe("hostile YAML, generated", () => {
  it(`${DOCUMENTS} documents: validation answers every one with file:line issues, never a throw, a stack or a raw control character`, { timeout: 120_000 }, () => {
    let count = 0;
    fc.assert(
      fc.property(document, (text) => {
        count++;
        // Validation must not throw: a throw here fails the property with the document.
        checkAnswer(text);
      }),
      { numRuns: DOCUMENTS, seed: 20261201 },
    );
    expect(count).toBe(DOCUMENTS);
  });
});
