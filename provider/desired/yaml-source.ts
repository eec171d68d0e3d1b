import { isAlias, isMap, isScalar, isSeq, LineCounter, type Node, parseDocument, type YAMLError } from "yaml";

/** A position in the text, 1-based. */
export interface Position {
  readonly line: number;
  readonly column: number;
}

/** A problem found while reading the YAML itself (before any schema check). */
export interface SourceProblem extends Position {
  readonly path: readonly string[];
  readonly message: string;
  readonly hint: string;
}

/**
 * The YAML as plain data, plus a way back from any path of that data to the text. Paths are
 * the map keys (and list indexes, as strings) from the root.
 */
export interface YamlSource {
  /** Plain data (`undefined` when the text holds no document). */
  readonly value: unknown;
  /** True when the text has YAML syntax errors: the data is a best effort, checking it further
   *  would mostly report consequences of the syntax error. */
  readonly broken: boolean;
  readonly problems: readonly SourceProblem[];
  /** Where the node at `path` is: a scalar's value, otherwise its key (`apps:`), which is where a
   *  reader looks for a mapping. Falls back to the nearest ancestor that exists. */
  readonly locate: (path: readonly string[], prefer?: "key") => Position;
}

interface Entry {
  readonly key: Node | null;
  readonly value: Node | null;
}

/** Aliases can multiply a small text into billions of values; past this many copied values the
 *  file is not a licence file. */
const MAX_ALIAS_COPIES = 100_000;
const MAX_DEPTH = 64;
/** The parser recurses once per `[` or `{`; some ten thousand levels exhaust the process's
 *  memory, an abort no try/catch survives. */
const MAX_FLOW_DEPTH = 1000;

const SYNTAX_HINTS: Partial<Record<YAMLError["code"], string>> = {
  TAB_AS_INDENT: "indent with spaces: YAML does not allow tabs for indentation",
  BAD_INDENT: "give keys of one mapping the same indentation, and nested keys more than their parent",
  MISSING_CHAR: "add the missing closing quote or bracket",
  MULTIPLE_DOCS: 'keep one YAML document: remove the extra "---" line and what follows, or merge it into the first',
  BLOCK_AS_IMPLICIT_KEY: 'put a nested mapping on its own indented lines, or quote a value that contains ": "',
  MULTILINE_IMPLICIT_KEY: "keep each key on one line, or quote the value",
  BAD_DQ_ESCAPE: 'use a valid escape (\\\\, \\", \\n, \\t, \\uXXXX) or single quotes',
  TAG_RESOLVE_FAILED: "remove the tag (the word starting with !): seatplan reads plain values",
  BAD_ALIAS: "define the anchor (&name) before using the alias (*name)",
  UNEXPECTED_TOKEN: "check the characters here; quote the value if it contains YAML punctuation",
  BAD_SCALAR_START: "quote the value: it starts with a character YAML reserves",
  KEY_OVER_1024_CHARS: "shorten the key",
};
const DEFAULT_SYNTAX_HINT = "fix the YAML syntax here; quoting the value often helps";

/** Parses YAML text keeping the position of every node. Pure; never throws on any input. */
export function readYaml(text: string): YamlSource {
  const lineCounter = new LineCounter();
  const at = (offset: number): Position => {
    const { line, col } = lineCounter.linePos(offset);
    return { line, column: col };
  };
  const deep = deepFlowNesting(text);
  if (deep !== undefined) {
    // The line counter fills while parsing, which is skipped here.
    const before = text.slice(0, deep);
    const position = { line: before.split("\n").length, column: deep - before.lastIndexOf("\n") };
    const problem = { ...position, path: [], message: `brackets are nested more than ${MAX_FLOW_DEPTH} levels deep`, hint: "seatplan files nest five levels deep at most; check the brackets" };
    return { value: undefined, broken: true, problems: [problem], locate: () => ({ line: problem.line, column: problem.column }) };
  }
  const doc = parseDocument(text, { lineCounter, uniqueKeys: false, prettyErrors: false });

  const problems: SourceProblem[] = [...doc.errors, ...doc.warnings].map((e) => ({
    ...at(e.pos[0]),
    path: [],
    message: e.code === "MULTIPLE_DOCS" ? "the file holds more than one YAML document" : sentence(e.message),
    hint: SYNTAX_HINTS[e.code] ?? DEFAULT_SYNTAX_HINT,
  }));
  let broken = doc.errors.length > 0;

  const entries = new Map<string, Entry>();
  let aliasCopies = 0;
  const active = new Set<Node>();

  const problem = (node: Node | null, path: readonly string[], message: string, hint: string): void => {
    problems.push({ ...at(node?.range?.[0] ?? 0), path, message, hint });
  };
  /** An alias that cannot be expanded leaves a hole in the data (as do the depth and alias
   *  limits): checking it further would only report the hole again. */
  const badAlias = (node: Node, path: readonly string[], message: string, hint: string): null => {
    problem(node, path, message, hint);
    broken = true;
    return null;
  };

  /** Turns a node into plain data, records positions, and reports duplicate keys and bad aliases. */
  const convert = (node: Node | null, key: Node | null, path: string[], copied: boolean): unknown => {
    entries.set(pathKey(path), { key, value: node });
    if (copied && ++aliasCopies > MAX_ALIAS_COPIES) return null;
    if (node == null) return null;
    if (isScalar(node)) return node.value;
    if (isAlias(node)) {
      const target = node.resolve(doc);
      if (target === undefined) return badAlias(node, path, `unknown alias *${node.source}`, `define "&${node.source}" before this line, or write the value out`);
      if (active.has(target)) return badAlias(node, path, `alias *${node.source} refers to the collection that contains it`, "write the value out instead of the alias");
      return convert(target, key, path, true);
    }
    if (path.length >= MAX_DEPTH) {
      broken = true;
      problem(node, path, `nested more than ${MAX_DEPTH} levels deep`, "seatplan files nest five levels deep at most; check the indentation");
      return null;
    }
    active.add(node);
    try {
      if (isSeq(node)) return node.items.map((item, i) => convert(item as Node | null, null, [...path, String(i)], copied));
      if (isMap(node)) {
        const out: Record<string, unknown> = {};
        const seen = new Map<string, Node | null>();
        for (const pair of node.items) {
          const keyNode = pair.key as Node | null;
          const name = keyName(keyNode);
          if (name === undefined) {
            problem(keyNode, path, "a key must be plain text", "write the key as a word, e.g. quantity:");
            continue;
          }
          const childPath = [...path, name];
          if (seen.has(name)) {
            const first = at(seen.get(name)?.range?.[0] ?? 0);
            problem(keyNode, childPath, `duplicate key "${name}"`, `"${name}" is already set on line ${first.line}; keep one of them`);
          } else {
            seen.set(name, keyNode);
          }
          // Own property even for "__proto__": plain assignment would change the prototype.
          Object.defineProperty(out, name, {
            value: convert(pair.value as Node | null, keyNode, childPath, copied),
            enumerable: true,
            writable: true,
            configurable: true,
          });
        }
        return out;
      }
      return null;
    } finally {
      active.delete(node);
    }
  };

  const contents = doc.contents as Node | null;
  const value = contents == null ? undefined : convert(contents, null, [], false);
  if (aliasCopies > MAX_ALIAS_COPIES) {
    broken = true;
    problems.push({ line: 1, column: 1, path: [], message: `aliases expand the document by more than ${MAX_ALIAS_COPIES} values`, hint: "write the values out instead of repeating them with aliases (*name)" });
  }

  const locate = (path: readonly string[], prefer?: "key"): Position => {
    for (let n = path.length; n >= 0; n--) {
      const entry = entries.get(pathKey(path.slice(0, n)));
      if (entry === undefined) continue;
      const { key, value: node } = entry;
      const valueHere = node != null && (isScalar(node) || isAlias(node)) && nodeText(node) !== "";
      const chosen = prefer === "key" || !valueHere ? (key ?? node) : node;
      if (chosen?.range) return at(chosen.range[0]);
    }
    return { line: 1, column: 1 };
  };

  return { value, broken, problems, locate };
}

/** Offset where `[`/`{` nesting first passes {@link MAX_FLOW_DEPTH}, if it does. Quotes and
 *  comments are not parsed: the count can only overestimate, and no licence file comes near. */
function deepFlowNesting(text: string): number | undefined {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x5b || c === 0x7b) {
      if (++depth > MAX_FLOW_DEPTH) return i;
    } else if ((c === 0x5d || c === 0x7d) && depth > 0) depth--;
  }
  return undefined;
}

function pathKey(path: readonly string[]): string {
  return path.join("\u0000");
}

function keyName(key: Node | null): string | undefined {
  if (key == null) return "";
  if (isScalar(key)) {
    const v = key.value;
    if (v == null) return "";
    return typeof v === "string" || typeof v === "number" || typeof v === "boolean" || typeof v === "bigint" ? String(v) : undefined;
  }
  return undefined;
}

function nodeText(node: Node): string {
  if (isScalar(node)) return node.source ?? String(node.value ?? "");
  return "*";
}

/** The parser's message as seatplan writes messages: first line only, lower-case start. */
function sentence(message: string): string {
  const first = message.split("\n")[0] ?? message;
  return first.charAt(0).toLowerCase() + first.slice(1);
}
