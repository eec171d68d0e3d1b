import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import Ajv2020, { type AnySchemaObject } from "ajv/dist/2020";
import { describe, expect, it } from "vitest";
import { SCHEMA } from "../../provider/desired";
import { BILLING_CYCLES, TERMS } from "../../provider/domain/types";

/** Every subschema with its JSON Pointer, and whether it describes a property (editors show
 *  the description of those). */
function walk(node: AnySchemaObject, pointer: string, out: Array<{ pointer: string; node: AnySchemaObject; isProperty: boolean }>, isProperty = false) {
  out.push({ pointer, node, isProperty });
  const properties = (node["properties"] ?? {}) as Record<string, AnySchemaObject>;
  for (const [name, child] of Object.entries(properties)) walk(child, `${pointer}/properties/${name}`, out, true);
  const additional = node["additionalProperties"] as AnySchemaObject | boolean | undefined;
  if (typeof additional === "object") walk(additional, `${pointer}/additionalProperties`, out, true);
  const defs = (node["$defs"] ?? {}) as Record<string, AnySchemaObject>;
  for (const [name, child] of Object.entries(defs)) walk(child, `${pointer}/$defs/${name}`, out);
  return out;
}

const nodes = walk(SCHEMA, "#", []);

describe("schema/seatplan.schema.json", () => {
  it("compiles under ajv strict mode (2020-12)", () => {
    const ajv = new Ajv2020({ strict: true, allErrors: true });
    expect(ajv.validateSchema(SCHEMA)).toBe(true);
    expect(() => ajv.compile(SCHEMA)).not.toThrow();
  });

  it("gives every property and every definition a description", () => {
    const described = (n: AnySchemaObject): boolean => {
      if (typeof n["description"] === "string" && n["description"].length > 0) return true;
      const ref = n["$ref"];
      return typeof ref === "string" && described(nodes.find((x) => x.pointer === ref)?.node ?? {});
    };
    const undescribed = nodes.filter(({ pointer, isProperty }) => isProperty || pointer.startsWith("#/$defs/")).filter(({ node }) => !described(node));
    expect(undescribed.map((n) => n.pointer)).toEqual([]);
    expect(nodes.filter((n) => n.isProperty).length).toBeGreaterThanOrEqual(25);
  });

  it("closes every mapping with additionalProperties: false or a schema for the other keys", () => {
    const open = nodes.filter(({ node }) => node["type"] === "object" && node["additionalProperties"] === undefined);
    expect(open.map((n) => n.pointer)).toEqual([]);
  });

  it("has examples that are valid values of their property", () => {
    const ajv = new Ajv2020({ strict: true });
    ajv.addSchema(SCHEMA);
    const invalid = nodes.flatMap(({ pointer, node }) => {
      const examples = (node["examples"] ?? []) as unknown[];
      const validate = ajv.getSchema(`${String(SCHEMA["$id"])}${pointer}`);
      return examples.filter((e) => !validate?.(e)).map((e) => `${pointer}: ${JSON.stringify(e)}`);
    });
    expect(invalid).toEqual([]);
    expect(nodes.filter(({ node }) => Array.isArray(node["examples"])).length).toBeGreaterThan(20);
  });

  it("lists the same terms and billing cycles as the domain", () => {
    const defs = SCHEMA["$defs"] as Record<string, AnySchemaObject>;
    expect(defs["term"]?.["enum"]).toEqual(TERMS);
    expect(defs["billing"]?.["enum"]).toEqual(BILLING_CYCLES);
  });

  it("documents the defaults of design §3", () => {
    const at = (pointer: string) => nodes.find((n) => n.pointer === pointer)?.node["default"];
    expect(at("#/properties/policy/properties/reductions")).toBe("block");
    expect(at("#/$defs/subscription/properties/autoRenew")).toBe(true);
    expect(at("#/$defs/subscription/properties/status")).toBe("active");
  });

  it("is what the quickstart's yaml-language-server modeline points at", () => {
    const example = join(__dirname, "..", "..", "examples", "quickstart", "licences.yaml");
    const modeline = /^# yaml-language-server: \$schema=(\S+)$/m.exec(readFileSync(example, "utf8"))?.[1] ?? "";
    const target = resolve(dirname(example), modeline);
    expect(target).toBe(resolve(__dirname, "..", "..", "schema", "seatplan.schema.json"));
    expect(existsSync(target)).toBe(true);
  });
});
