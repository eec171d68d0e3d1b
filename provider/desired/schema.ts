import Ajv2020, { type AnySchemaObject, type ErrorObject, type ValidateFunction } from "ajv/dist/2020";
// Imported, not read from disk: tsc copies the JSON into dist/ beside the code, and the pure
// core stays free of file I/O.
import schemaJson from "../../schema/seatplan.schema.json";

/** The JSON Schema of the desired-state file (schema/seatplan.schema.json). */
export const SCHEMA: AnySchemaObject = schemaJson;

let compiled: ValidateFunction | undefined;

/** Checks data against the schema; returns every error (ajv `allErrors`). */
export function schemaErrors(data: unknown): readonly ErrorObject[] {
  compiled ??= new Ajv2020({ strict: true, allErrors: true, verbose: true }).compile(SCHEMA);
  return compiled(data) ? [] : (compiled.errors ?? []);
}

/** A schema node with its `$ref` to `#/$defs/…` merged in (the local keywords win). */
export function resolveRef(node: AnySchemaObject): AnySchemaObject {
  const ref = node["$ref"];
  if (typeof ref !== "string" || !ref.startsWith("#/$defs/")) return node;
  const target = defs()[ref.slice("#/$defs/".length)];
  return target === undefined ? node : { ...resolveRef(target), ...node };
}

/** The schema (refs resolved) that applies to the value at `path`, if the schema describes it. */
export function schemaAt(path: readonly string[]): AnySchemaObject | undefined {
  let node = resolveRef(SCHEMA);
  for (const segment of path) {
    const properties = node["properties"] as Record<string, AnySchemaObject> | undefined;
    const additional = node["additionalProperties"] as AnySchemaObject | boolean | undefined;
    const next =
      properties !== undefined && Object.prototype.hasOwnProperty.call(properties, segment)
        ? properties[segment]
        : typeof additional === "object"
          ? additional
          : undefined;
    if (next === undefined) return undefined;
    node = resolveRef(next);
  }
  return node;
}

/** The `pattern` of a `$defs` entry as a RegExp (the schema is the one place patterns are written). */
export function definedPattern(name: string): RegExp {
  const pattern = defs()[name]?.["pattern"];
  if (typeof pattern !== "string") throw new Error(`schema $defs.${name} has no pattern`);
  return new RegExp(pattern, "u");
}

/** The named definitions (`$defs`) of the schema. */
export function defs(): Readonly<Record<string, AnySchemaObject>> {
  return SCHEMA["$defs"] as Record<string, AnySchemaObject>;
}
