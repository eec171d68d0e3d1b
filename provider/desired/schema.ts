import type { AnySchemaObject, ErrorObject, Options, ValidateFunction } from "ajv/dist/2020";
// Imported, not read from disk: tsc copies the JSON into dist/ beside the code, and the pure
// core stays free of file I/O.
import schemaJson from "../../schema/seatplan.schema.json";
import * as generated from "./validators.generated";

/** The JSON Schema of the desired-state file (schema/seatplan.schema.json). */
export const SCHEMA: AnySchemaObject = schemaJson;

interface Validators {
  /** The document, each customer's entry accepted as it is. */
  readonly root: ValidateFunction;
  /** One customer, each subscription's entry accepted as it is. */
  readonly customer: ValidateFunction;
  readonly subscription: ValidateFunction;
}

/** The validators, compiled ahead of time from {@link validatorSchemas} with {@link AJV_OPTIONS}
 *  (validators.generated.ts; test/desired/validators-generated.test.ts keeps it current): ajv's
 *  compiler and its compiling took some 70 ms of every `seatplan validate`. */
const compiled: Validators = generated as unknown as Validators;

/**
 * Checks data against the schema; returns every error (ajv `allErrors`). The document is checked
 * level by level (document, each customer, each subscription): ajv's code for a `$ref` copies
 * the errors gathered so far for every entry (`vErrors.concat`), quadratic in the error count —
 * 130,000 bad entries took a minute. The errors are those of one whole check; `visit` gets each
 * with the path of the value it is about (its `instancePath` stays relative to the level that
 * found it). Nothing is kept here: a hostile file has 130,000 errors.
 */
export function schemaErrors(data: unknown, visit: (error: ErrorObject, path: readonly string[]) => void): void {
  /** Checks the entry `key` of the mapping at `parent` (the document itself when `key` is
   *  undefined); its path is made only when it has errors — most entries have none. */
  const memo = new Map<ValidateFunction, Map<unknown, readonly ErrorObject[]>>();
  const run = (validate: ValidateFunction, value: unknown, parent: readonly string[], key?: string): void => {
    const errors = errorsOf(validate, value, memo);
    if (errors.length === 0) return;
    const prefix = key === undefined ? parent : [...parent, key];
    for (const error of errors) {
      // Most errors of a level are about the entry itself: its path is the level's, unsplit.
      visit(error, error.instancePath === "" ? prefix : [...prefix, ...pointerToPath(error.instancePath)]);
    }
  };
  run(compiled.root, data, []);
  const customers = recordAt(data, "customers");
  if (customers === undefined) return;
  for (const customerKey of Object.keys(customers)) {
    const customer = customers[customerKey];
    run(compiled.customer, customer, ["customers"], customerKey);
    const subscriptions = recordAt(customer, "subscriptions");
    if (subscriptions === undefined) continue;
    const parent = ["customers", customerKey, "subscriptions"];
    // Keys, then a lookup each: Object.entries allocates a pair per entry (130,000 in a hostile file).
    for (const key of Object.keys(subscriptions)) run(compiled.subscription, subscriptions[key], parent, key);
  }
}

/** Plain values remembered per validator; past this many distinct ones, the rest are checked afresh. */
const MAX_REMEMBERED = 1000;

/**
 * The errors of `value`. A plain value (not a mapping or list) gets the same answer every time it
 * is checked, so each distinct one is checked once per validator: 130,000 entries written `s: 1`
 * are one check, not 130,000 error objects.
 */
function errorsOf(validate: ValidateFunction, value: unknown, memo: Map<ValidateFunction, Map<unknown, readonly ErrorObject[]>>): readonly ErrorObject[] {
  const plain = value === null || typeof value !== "object";
  let known = plain ? memo.get(validate) : undefined;
  const remembered = known?.get(value);
  if (remembered !== undefined) return remembered;
  const errors = validate(value) ? [] : [...(validate.errors ?? [])];
  if (plain) {
    if (known === undefined) memo.set(validate, (known = new Map()));
    if (known.size < MAX_REMEMBERED) known.set(value, errors);
  }
  return errors;
}

/** `/customers/a~1b/x` → `["customers", "a/b", "x"]` (JSON Pointer unescaping). */
function pointerToPath(pointer: string): string[] {
  if (pointer === "") return [];
  return pointer
    .slice(1)
    .split("/")
    .map((s) => (s.includes("~") ? s.replace(/~1/g, "/").replace(/~0/g, "~") : s));
}

/** The mapping under `key` of a mapping, if both are mappings. */
function recordAt(value: unknown, key: string): Record<string, unknown> | undefined {
  if (typeof value !== "object" || value === null || Array.isArray(value) || !Object.hasOwn(value, key)) return undefined;
  const inner = (value as Record<string, unknown>)[key];
  if (typeof inner !== "object" || inner === null || Array.isArray(inner)) return undefined;
  return inner as Record<string, unknown>;
}

/** The options the validators are compiled with (ajv `allErrors`, `verbose` for parentSchema). */
export const AJV_OPTIONS: Options = { strict: true, allErrors: true, verbose: true };

/** The schemas of the three validators of {@link schemaErrors}, each under its own `$id`. */
export function validatorSchemas(): Record<keyof Validators, AnySchemaObject> {
  const id = String(SCHEMA["$id"] ?? "");
  const properties = SCHEMA["properties"] as Record<string, AnySchemaObject>;
  const customers = properties["customers"] ?? {};
  const customer = defs()["customer"] ?? {};
  const customerProperties = customer["properties"] as Record<string, AnySchemaObject>;
  const subscriptions = customerProperties["subscriptions"] ?? {};
  return {
    root: { ...SCHEMA, $id: `${id}:root`, properties: { ...properties, customers: { ...customers, additionalProperties: true } } },
    customer: { ...customer, $id: `${id}:customer`, $defs: defs(), properties: { ...customerProperties, subscriptions: { ...subscriptions, additionalProperties: true } } },
    subscription: { $id: `${id}:subscription`, $defs: defs(), $ref: "#/$defs/subscription" },
  };
}

/** A schema node with its `$ref` to `#/$defs/…` merged in (the local keywords win). */
export function resolveRef(node: AnySchemaObject): AnySchemaObject {
  const ref = node["$ref"];
  if (typeof ref !== "string" || !ref.startsWith("#/$defs/")) return node;
  // Memoised: explaining 100,000 errors would otherwise copy the same definitions 100,000 times.
  const known = resolved.get(node);
  if (known !== undefined) return known;
  const target = defs()[ref.slice("#/$defs/".length)];
  const merged = target === undefined ? node : { ...resolveRef(target), ...node };
  resolved.set(node, merged);
  return merged;
}

const resolved = new WeakMap<AnySchemaObject, AnySchemaObject>();

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
