import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseDocument } from "yaml";
import { writeProposals, type Proposal } from "../../provider/insight";
import { fitTable, paragraph, wrap } from "../../provider/plan/layout";

/** The pure pieces under the renderings: wrapping, tables, and the YAML splice of --propose. */

const width = (lines: readonly string[]): number => Math.max(0, ...lines.map((l) => [...l].length));

describe("layout", () => {
  it("wraps at spaces, then after / or ,, and cuts only a word longer than the line", () => {
    expect(wrap("set renewal.quantity: 2 to renew only the 2 assigned seats", 20)).toEqual(["set", "renewal.quantity: 2", "to renew only the 2", "assigned seats"]);
    expect(wrap("northwind/business-standard", 12)).toEqual(["northwind/", "business-sta", "ndard"]);
    expect(wrap("7c1d9e2f-4a6b-4c8d-9e0f-2a3b4c5d6e03", 10)).toEqual(["7c1d9e2f-4", "a6b-4c8d-9", "e0f-2a3b4c", "5d6e03"]);
    expect(wrap("", 10)).toEqual([""]);
  });

  it("never exceeds the width and loses no character (any text, any width)", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), fc.integer({ min: 1, max: 100 }), (text, w) => {
        const lines = wrap(text, w);
        expect(width(lines)).toBeLessThanOrEqual(w);
        expect(lines.join("").replace(/\s/g, "")).toBe(text.replace(/\s/g, ""));
      }),
    );
  });

  it("fits a table by narrowing its widest column, keeping every cell's text", () => {
    const rows = [
      ["WHEN", "SUBSCRIPTION", "ACTION", "EUR/YR"],
      ["renewal 2027-08-15", "northwind-traders/business-standard-with-a-long-name", "disable-auto-renew", "−1260.48"],
      ["now", "rockit/apps", "increase-quantity", "+105.60"],
    ];
    const lines = fitTable(rows, 80, "  ");
    expect(width(lines)).toBeLessThanOrEqual(80);
    expect(lines[0]).toMatch(/^ {2}WHEN {16}SUBSCRIPTION +ACTION +EUR\/YR$/);
    const chars = (s: string): string => [...s.replace(/\s+/g, "")].sort().join("");
    expect(chars(lines.join(""))).toBe(chars(rows.flat().join("")));
    expect(lines.some((l) => l.includes("northwind-traders/"))).toBe(true);
    // It fits as is when it can.
    expect(fitTable([["A", "B"], ["x", "y"]], 80)).toEqual(["A  B", "x  y"]);
  });

  it("hangs a paragraph's continuation lines", () => {
    expect(paragraph("hint: set quantity: 3 and renewal.quantity: 1 to reduce at renewal on 2026-12-13", 50, "    ", "          ")).toEqual([
      "    hint: set quantity: 3 and renewal.quantity: 1",
      "          to reduce at renewal on 2026-12-13",
    ]);
  });
});

describe("writeProposals", () => {
  const proposal = (customer: string, subscription: string, to: number): Proposal => ({
    customer,
    subscription,
    subscriptionId: "x",
    renewsAt: "2026-12-13T00:00:00.000Z",
    assigned: to,
    headroom: 0,
    from: 9,
    to,
    saving: null,
  });
  const yaml = (eol: string, tail = eol): string =>
    [
      "version: 1 # top",
      "customers:",
      "  rockit:",
      "    tenantId: ee2337af-1fb7-44c8-b0ef-e6bf5b59baed",
      "    subscriptions:",
      "      a:",
      '        offer: "CFQ7TTC0LH1G:0001"   # quoted, aligned',
      "        term: P1Y",
      "        billing: annual",
      "        quantity: 9",
      "",
      "      # b is the last entry",
      "      b:",
      "        offer: CFQ7TTC0LH18:0001",
      "        term: P1Y",
      "        billing: monthly",
      "        quantity: 9",
      "        renewal:",
      "          term: P1Y   # keep the term",
    ].join(eol) + tail;

  it.each([
    ["LF", "\n", "\n"],
    ["CRLF", "\r\n", "\r\n"],
    ["no final newline", "\n", ""],
  ])("adds renewal.quantity and touches nothing else (%s)", (_, eol, tail) => {
    const text = yaml(eol, tail);
    const out = writeProposals(text, [proposal("rockit", "a", 2), proposal("rockit", "b", 3)]);
    const doc = parseDocument(out);
    expect(doc.errors).toEqual([]);
    expect(doc.getIn(["customers", "rockit", "subscriptions", "a", "renewal", "quantity"])).toBe(2);
    expect(doc.getIn(["customers", "rockit", "subscriptions", "b", "renewal", "quantity"])).toBe(3);
    expect(doc.getIn(["customers", "rockit", "subscriptions", "b", "renewal", "term"])).toBe("P1Y");
    const removed = out
      .replace(`        quantity: 9${eol}        renewal:${eol}          quantity: 2${eol}`, `        quantity: 9${eol}`)
      .replace(`        renewal:${eol}          quantity: 3${eol}          term:`, `        renewal:${eol}          term:`);
    expect(removed).toBe(text);
  });

  it("refuses, leaving the text as it was, when the entry is a flow mapping", () => {
    const text = "customers:\n  rockit:\n    subscriptions:\n      a: { offer: X, quantity: 9 }\n";
    expect(() => writeProposals(text, [proposal("rockit", "a", 2)])).toThrow(
      "--propose cannot edit rockit/a: the entry is not a block mapping; set renewal.quantity: 2 by hand",
    );
  });
});
