import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import Ajv2020 from "ajv/dist/2020";
import standaloneCode from "ajv/dist/standalone";
import { describe, expect, it } from "vitest";
import { AJV_OPTIONS, validatorSchemas } from "../../provider/desired/schema";

const FILE = join(__dirname, "..", "..", "provider", "desired", "validators.generated.ts");

/** The module ajv's standalone compiler makes of the validator schemas, as a TypeScript file. */
function generate(): string {
  const ajv = new Ajv2020({ ...AJV_OPTIONS, code: { source: true } });
  const schemas = validatorSchemas();
  const refs: Record<string, string> = {};
  for (const [name, schema] of Object.entries(schemas)) {
    ajv.addSchema(schema);
    refs[name] = String(schema["$id"]);
  }
  // ajv writes CommonJS (`exports.root = validate20;`); the file is an ES module like the rest.
  const names: string[] = [];
  const code = standaloneCode(ajv, refs)
    .replace(/^"use strict";/, "")
    .replace(/exports\.(\w+) = (\w+);/g, (_, name: string, fn: string) => {
      names.push(`export const ${name} = ${fn};`);
      return "";
    });
  return [
    "// @ts-nocheck",
    "/* eslint-disable */",
    "// Generated from schema/seatplan.schema.json by test/desired/validators-generated.test.ts: do not edit.",
    "// After a schema change: UPDATE_VALIDATORS=1 npx vitest run test/desired/validators-generated.test.ts",
    code,
    ...names,
    "",
  ].join("\n");
}

describe("the precompiled schema validators", () => {
  it("are what ajv compiles from the current schema (regenerate with UPDATE_VALIDATORS=1)", () => {
    const expected = generate();
    if (process.env["UPDATE_VALIDATORS"] === "1") writeFileSync(FILE, expected);
    expect(readFileSync(FILE, "utf8")).toBe(expected);
  });
});
