import type { AnySchemaObject, ErrorObject } from "ajv/dist/2020";
import { defs, resolveRef, schemaAt, schemaErrors } from "./schema";
import { didYouMean, inline, isRecord, listed, shown, slug } from "./words";

/** A problem before it is placed in the text. */
export interface Finding {
  readonly path: readonly string[];
  /** Point at the key (`quantiy:`) rather than the default: the value when it is a scalar,
   *  else the key. */
  readonly at?: "key";
  readonly message: string;
  readonly hint: string;
}

/** How a pattern of `$defs` reads in a message ("must be …"). */
const PATTERN_PHRASES: Readonly<Record<string, string>> = {
  key: "a key of lower-case letters, digits and dashes, starting with a letter or a digit",
  guid: "a GUID of 8-4-4-4-12 hexadecimal digits",
  catalogId: "a catalog id PRODUCT:SKU or PRODUCT:SKU:AVAILABILITY of 12, 4 and 12 upper-case letters or digits",
  text: "text with at least one visible character",
};

/** YAML 1.1 booleans that YAML 1.2 (and so seatplan) reads as text. */
const YAML11_BOOLEANS: Readonly<Record<string, boolean>> = { yes: true, y: true, on: true, no: false, n: false, off: false };

/**
 * A schema problem, placed but not yet put into words: a file with 100,000 problems shows the
 * first hundred, so only those are explained ({@link explainSchemaFinding}). One small object
 * per finding, holding no ajv error: a hostile file makes 130,000 of them, and what each keeps
 * alive is paid for in garbage collection.
 */
export interface SchemaFinding {
  /** Where it is, as an offset in the text. */
  readonly offset: number;
  readonly path: readonly string[];
  /** Findings at one path with the same kind say the same thing: one of them is shown. */
  readonly kind: string;
  readonly keyword: string;
  /** The key the keyword names (unknown, missing or misnamed), if it names one. */
  readonly key: string;
  readonly parentSchema: AnySchemaObject | undefined;
}

/** Where a finding at `path` is in the text (an offset); undefined drops it (its problem is reported already). */
type Place = (path: readonly string[], at?: "key") => number | undefined;

/** Checks `data` against the JSON Schema; each error becomes a finding, placed by `place`. */
export function schemaFindings(data: unknown, place: Place): SchemaFinding[] {
  const findings: SchemaFinding[] = [];
  const add = (path: readonly string[], at: "key" | undefined, kind: string, error: ErrorObject, key: string): void => {
    const offset = place(path, at);
    if (offset === undefined) return;
    findings.push({ offset, path, kind, keyword: error.keyword, key, parentSchema: error.parentSchema });
  };
  schemaErrors(data, (error, path) => {
    const params = error.params as Record<string, unknown>;
    switch (error.keyword) {
      case "additionalProperties": {
        const key = String(params["additionalProperty"]);
        add([...path, key], "key", "unknown", error, key);
        break;
      }
      case "required": {
        const key = String(params["missingProperty"]);
        add(path, "key", `missing ${key}`, error, key);
        break;
      }
      case "propertyNames": {
        const key = String(params["propertyName"]);
        add([...path, key], "key", "name", error, key);
        break;
      }
      case "minProperties":
        add(path, undefined, `min ${schemaOf(path, error)}`, error, "");
        break;
      default:
        // The pattern error behind a propertyNames error repeats it.
        if (error.propertyName === undefined) add(path, undefined, `value ${schemaOf(path, error)}`, error, "");
    }
  });
  return findings;
}

/** The words of a finding of {@link schemaFindings}: message and hint. */
export function explainSchemaFinding(finding: SchemaFinding, data: unknown): Finding {
  const { keyword, key, path } = finding;
  const named = keyword === "additionalProperties" || keyword === "propertyNames";
  const parent = named ? path.slice(0, -1) : path;
  // The schema of the property at the path carries its examples; ajv's parentSchema may be the
  // bare `$defs` entry it refers to.
  const here = schemaAt(parent) ?? resolveRef(finding.parentSchema ?? {});
  switch (keyword) {
    case "additionalProperties":
      return unknownKey(parent, key, here, data);
    case "required":
      return missingKey(path, key, here);
    case "propertyNames":
      return badKeyName(parent, key);
    case "minProperties":
      return atLeastOne(path, here);
    default:
      return wrongValue(path, here, valueAt(data, path));
  }
}

/** Which schema explains an error at `path`: the message depends on it alone (with the path). */
function schemaOf(path: readonly string[], error: ErrorObject): string {
  if (schemaAt(path) !== undefined) return "";
  return error.schemaPath.slice(0, error.schemaPath.lastIndexOf("/"));
}

function atLeastOne(path: readonly string[], here: AnySchemaObject): Finding {
  const keys = Object.keys(propertiesOf(here));
  return {
    path,
    message: `must set at least one of ${listed(keys, "or")}`,
    hint: `add what should change at renewal, e.g. "quantity: 1", or remove "${path.at(-1) ?? ""}"`,
  };
}

function unknownKey(parent: readonly string[], key: string, here: AnySchemaObject, data: unknown): Finding {
  const allowed = Object.keys(propertiesOf(here));
  const allowedText = `allowed keys here: ${allowed.join(", ")}`;
  const guess = didYouMean(key, allowed);
  const value = valueAt(data, [...parent, key]);
  const misplacedSubscription = parent.length === 2 && parent[0] === "customers" && isRecord(value) && "offer" in value;
  const hint =
    guess !== undefined
      ? `did you mean "${guess}"? ${allowedText}`
      : misplacedSubscription
        ? `a subscription belongs under "subscriptions:"; indent it below a "subscriptions:" key`
        : allowedText;
  return { path: [...parent, key], at: "key", message: `unknown key "${key}"`, hint };
}

function missingKey(parent: readonly string[], key: string, here: AnySchemaObject): Finding {
  const property = resolveRef(propertiesOf(here)[key] ?? {});
  const example = exampleOf(property);
  let hint: string;
  if (isRecord(example)) {
    hint = `add "${key}:" with its entries on indented lines below, e.g. ${key}: ${inline(example)}`;
  } else {
    const expected = "const" in property ? "" : ` (${expectation(property)})`;
    hint = `add "${key}: ${inline(example)}"${expected}`;
  }
  return { path: parent, at: "key", message: `missing required key "${key}"`, hint };
}

function badKeyName(parent: readonly string[], name: string): Finding {
  const fixed = slug(name);
  const owner = parent.at(-1) === "customers" ? "customer" : "subscription";
  return {
    path: [...parent, name],
    at: "key",
    message: `${JSON.stringify(name)} is not a valid ${owner} key: use lower-case letters, digits and dashes, starting with a letter or a digit`,
    hint: fixed !== "" ? `rename it, e.g. "${fixed}"` : `rename it, e.g. "${owner === "customer" ? "contoso" : "office-apps"}"`,
  };
}

function wrongValue(path: readonly string[], node: AnySchemaObject, value: unknown): Finding {
  const key = path.at(-1);
  if (key === undefined)
    return { path, message: "must be a mapping with the keys version and customers", hint: `found ${shown(value)}; start the file with "version: 1" and a "customers:" mapping` };
  return { path, message: `must be ${expectation(node)}`, hint: valueHint(path, key, node, value) };
}

function valueHint(path: readonly string[], key: string, node: AnySchemaObject, value: unknown): string {
  const found = `found ${shown(value)}`;
  const example = `e.g. "${key}: ${inline(exampleOf(node))}"`;
  if ("const" in node) return `write "${key}: ${inline(node["const"])}"`;
  if (Array.isArray(node["enum"])) {
    const allowed = node["enum"].map(String);
    const guess = typeof value === "string" ? didYouMean(value, allowed) : undefined;
    return guess !== undefined ? `${found}; did you mean "${key}: ${guess}"?` : `${found}; choose one of ${listed(allowed, "or")}`;
  }
  switch (node["type"]) {
    case "integer":
      if (typeof value === "string" && /^\s*-?\d+\s*$/.test(value)) return `${found}, which is text; write the number without quotes: "${key}: ${value.trim()}"`;
      if (typeof value === "number" && Number.isInteger(value) && value < 1) return quantityBelowOneHint(path, found);
      return `${found}; write a whole number, ${example}`;
    case "boolean": {
      const meant = typeof value === "string" ? YAML11_BOOLEANS[value.toLowerCase()] : undefined;
      if (meant !== undefined) return `${found}, which YAML 1.2 reads as text; write "${key}: ${meant}"`;
      return `${found}; write "${key}: true" or "${key}: false"`;
    }
    case "object":
      return `${found}; write its entries on indented lines below "${key}:"${key === "customers" || key === "subscriptions" ? ", or {} for none" : ""}`;
    case "string": {
      const pattern = node["pattern"];
      if (typeof value === "string" && typeof pattern === "string") {
        const fixed = repairs(value).find((v) => new RegExp(pattern, "u").test(v));
        if (fixed !== undefined) return `${found}; did you mean "${fixed}"?`;
      }
      return `${found}; ${example}`;
    }
    default:
      return `${found}; ${example}`;
  }
}

function quantityBelowOneHint(path: readonly string[], found: string): string {
  switch (path.at(-2) ?? "") {
    case "upgrade":
      return `${found}; remove "quantity" from upgrade to upgrade every seat`;
    case "renewal":
      return `${found}; to end the subscription at renewal, set "autoRenew: false" instead`;
    default:
      return `${found}; to end the subscription, set "status: cancelled" instead`;
  }
}

/** Plausible intended spellings of a mistyped value, tried against the pattern. */
function repairs(value: string): string[] {
  const trimmed = value.trim().replace(/^\{(.*)\}$/, "$1");
  return [trimmed, trimmed.toUpperCase(), trimmed.toLowerCase()];
}

/** What a value must be, as it reads after "must be". */
function expectation(node: AnySchemaObject): string {
  if ("const" in node) return JSON.stringify(node["const"]);
  if (Array.isArray(node["enum"])) return `one of ${listed(node["enum"].map(String), "or")}`;
  switch (node["type"]) {
    case "integer":
      return typeof node["minimum"] === "number" ? `an integer ≥ ${node["minimum"]}` : "an integer";
    case "boolean":
      return "true or false";
    case "object":
      return "a mapping";
    case "string": {
      const name = Object.entries(defs()).find(([, d]) => d["pattern"] !== undefined && d["pattern"] === node["pattern"])?.[0];
      return (name !== undefined ? PATTERN_PHRASES[name] : undefined) ?? "text";
    }
    default:
      return "a valid value";
  }
}

function exampleOf(node: AnySchemaObject): unknown {
  const examples = node["examples"];
  if (Array.isArray(examples) && examples.length > 0) return examples[0];
  if ("const" in node) return node["const"];
  if (Array.isArray(node["enum"])) return node["enum"][0];
  return undefined;
}

function propertiesOf(node: AnySchemaObject): Readonly<Record<string, AnySchemaObject>> {
  const properties = resolveRef(node)["properties"];
  return isRecord(properties) ? (properties as Record<string, AnySchemaObject>) : {};
}

function valueAt(data: unknown, path: readonly string[]): unknown {
  let value = data;
  for (const segment of path) {
    if (!isRecord(value) || !Object.prototype.hasOwnProperty.call(value, segment)) return undefined;
    value = value[segment];
  }
  return value;
}
