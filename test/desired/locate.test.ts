import { describe, expect, it } from "vitest";
import { readYaml } from "../../provider/desired/yaml-source";

/**
 * `locate` keeps the walk of the last path for the next one (findings come in document order).
 * Whatever the order of the questions, each answer is the one a fresh reader gives.
 */
const TEXT = [
  "version: 1",
  "base: &b {offer: CFQ7TTC0LH18:0001, term: P1Y}",
  "customers:",
  "  a:",
  "    tenantId: x",
  "    subscriptions:",
  "      s1: {quantity: 2, renewal: {quantity: 1}}",
  "      s2: *b",
  "      s3:",
  "      0x1f: 1",
  "  b:",
  "    list: [10, {k: v}, [x, y]]",
  "    subscriptions: {}",
  "",
].join("\n");

const PATHS: readonly (readonly string[])[] = [
  [],
  ["version"],
  ["customers"],
  ["customers", "a"],
  ["customers", "a", "tenantId"],
  ["customers", "a", "subscriptions", "s1"],
  ["customers", "a", "subscriptions", "s1", "quantity"],
  ["customers", "a", "subscriptions", "s1", "renewal", "quantity"],
  ["customers", "a", "subscriptions", "s1", "missing", "deeper"],
  ["customers", "a", "subscriptions", "s2", "offer"],
  ["customers", "a", "subscriptions", "s2", "term"],
  ["customers", "a", "subscriptions", "s3"],
  ["customers", "a", "subscriptions", "s3", "offer"],
  ["customers", "a", "subscriptions", "0x1f"],
  ["customers", "a", "subscriptions", "31"],
  ["customers", "b", "list", "0"],
  ["customers", "b", "list", "1", "k"],
  ["customers", "b", "list", "2", "1"],
  ["customers", "b", "list", "3"],
  ["customers", "b", "list", "01"],
  ["customers", "b", "subscriptions", "s1"],
  ["customers", "zz", "subscriptions"],
];

describe("locate", () => {
  const fresh = (path: readonly string[], prefer?: "key"): string => JSON.stringify(readYaml(TEXT).locate(path, prefer));

  it("answers every path as a fresh reader does, in any order of questions", () => {
    const source = readYaml(TEXT);
    const orders = [PATHS, [...PATHS].reverse(), PATHS.flatMap((p, i) => [p, PATHS[(i * 7) % PATHS.length] ?? []])];
    for (const order of orders) {
      for (const [i, path] of order.entries()) {
        const prefer = i % 2 === 0 ? undefined : "key";
        expect(JSON.stringify(source.locate(path, prefer)), `${path.join(".")} ${prefer ?? ""}`).toBe(fresh(path, prefer));
      }
    }
  });

  it("points at the value of a scalar, the key of a mapping, the nearest ancestor of a missing path", () => {
    const source = readYaml(TEXT);
    expect(source.locate(["customers", "a", "subscriptions", "s1", "quantity"])).toEqual({ line: 7, column: 22 });
    expect(source.locate(["customers", "a", "subscriptions", "s1"])).toEqual({ line: 7, column: 7 });
    expect(source.locate(["customers", "a", "subscriptions", "s1", "missing", "deeper"])).toEqual({ line: 7, column: 7 });
    // Through the alias, to the anchor's value.
    expect(source.locate(["customers", "a", "subscriptions", "s2", "term"])).toEqual({ line: 2, column: 43 });
    expect(source.locate(["customers", "b", "list", "2", "1"])).toEqual({ line: 12, column: 28 });
    expect(source.offsetOf(["customers", "a", "tenantId"])).toBe(TEXT.indexOf("tenantId: x") + "tenantId: ".length);
  });
});
