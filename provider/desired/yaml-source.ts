import { isAlias, isMap, isScalar, isSeq, LineCounter, type Node, type Pair, parseDocument, Scalar, type YAMLError, type YAMLMap } from "yaml";

/** A position in the text, 1-based. */
export interface Position {
  readonly line: number;
  readonly column: number;
}

/** A problem found while reading the YAML itself (before any schema check). */
export interface SourceProblem extends Position {
  /** Where it is, as an offset in the text (what problems are ordered by). */
  readonly offset: number;
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
  /** {@link locate} as an offset in the text: cheaper, and ordered as positions are. */
  readonly offsetOf: (path: readonly string[], prefer?: "key") => number;
  /** The line and column of an offset. */
  readonly positionAt: (offset: number) => Position;
  /** True when a problem at `path` is already among `problems` (a number or key YAML would
   *  misread): the schema would only restate it. */
  readonly reported?: (path: readonly string[]) => boolean;
}

/** A list index in a path. */
const INDEX = /^(0|[1-9]\d*)$/;

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
    const problem = { ...position, offset: deep, path: [], message: `brackets are nested more than ${MAX_FLOW_DEPTH} levels deep`, hint: "seatplan files nest five levels deep at most; check the brackets" };
    return { value: undefined, broken: true, problems: [problem], locate: () => position, offsetOf: () => deep, positionAt: () => position };
  }
  const doc = withoutStackTraces(() => parseDocument(text, { lineCounter, uniqueKeys: false, prettyErrors: false }));

  const problems: SourceProblem[] = syntaxProblems(text, [...doc.errors, ...doc.warnings], at);
  let broken = doc.errors.length > 0;
  // Built on the first alias: most files have none, and the walk costs a pass over every node.
  let anchorLookup: AnchorLookup | undefined;
  const anchors: AnchorLookup = (name, offset) => (anchorLookup ??= anchorIndex(doc))(name, offset);

  /** Paths whose problem is already reported here: later checks would only restate it. */
  const reported = new Set<string>();

  /** A number YAML would store inexactly (or as Infinity) is reported, and kept as its text. */
  const scalarValue = (node: Scalar, path: readonly string[]): unknown => {
    const v = node.value;
    if (typeof v === "number" && (!Number.isFinite(v) || (Math.abs(v) > Number.MAX_SAFE_INTEGER && node.type === Scalar.PLAIN))) {
      const written = node.source ?? String(v);
      if (!reported.has(pathKey(path))) {
        problem(node, [...path], `${written} is outside the numbers seatplan reads exactly`, `write a whole number up to ${Number.MAX_SAFE_INTEGER.toLocaleString("en-US")}; seat counts are far below that`);
        reported.add(pathKey(path));
      }
      return written;
    }
    if (typeof v === "bigint") return Number(v);
    return v;
  };
  let aliasCopies = 0;
  const active = new Set<Node>();

  const problem = (node: Node | null, path: readonly string[], message: string, hint: string): void => {
    const offset = node?.range?.[0] ?? 0;
    problems.push({ ...at(offset), offset, path, message, hint });
  };
  /** An alias that cannot be expanded leaves a hole in the data (as do the depth and alias
   *  limits): checking it further would only report the hole again. */
  const badAlias = (node: Node, path: readonly string[], message: string, hint: string): null => {
    problem(node, path, message, hint);
    broken = true;
    return null;
  };

  /** Each mapping's first key of each name, made on the mapping's first duplicate key: one
   *  pass, however many duplicates follow. */
  const firstKeys = new WeakMap<YAMLMap, Map<string, Node | null>>();
  const firstKeyNamed = (map: YAMLMap): Map<string, Node | null> => {
    let index = firstKeys.get(map);
    if (index === undefined) {
      index = new Map();
      for (const pair of map.items as Pair[]) {
        const key = pair.key as Node | null;
        const name = childName(key);
        if (name !== undefined && !index.has(name)) index.set(name, key);
      }
      firstKeys.set(map, index);
    }
    return index;
  };

  /** The path of the node being converted, as a stack (copied only when a problem keeps it). */
  const path: string[] = [];

  /** Turns the node at `path` into plain data, and reports duplicate keys and bad aliases.
   *  Positions are not recorded here: {@link locate} finds them in the document when asked,
   *  which most nodes of a valid file never are. */
  const convert = (node: Node | null, copied: boolean): unknown => {
    if (copied && ++aliasCopies > MAX_ALIAS_COPIES) return null;
    if (node == null) return null;
    if (isScalar(node)) return scalarValue(node, path);
    if (isAlias(node)) {
      // Not node.resolve(doc): it walks the whole document for every alias (quadratic).
      const target = anchors(node.source, node.range?.[0] ?? 0);
      if (target === undefined) return badAlias(node, [...path], `unknown alias *${node.source}`, `define "&${node.source}" before this line, or write the value out`);
      if (active.has(target)) return badAlias(node, [...path], `alias *${node.source} refers to the collection that contains it`, "write the value out instead of the alias");
      return convert(target, true);
    }
    if (path.length >= MAX_DEPTH) {
      broken = true;
      problem(node, [...path], `nested more than ${MAX_DEPTH} levels deep`, "seatplan files nest five levels deep at most; check the indentation");
      return null;
    }
    active.add(node);
    try {
      if (isSeq(node)) {
        const items = node.items as (Node | null)[];
        const out: unknown[] = new Array<unknown>(items.length);
        for (let i = 0; i < items.length; i++) {
          path.push(String(i));
          try {
            out[i] = convert(items[i] ?? null, copied);
          } finally {
            path.pop();
          }
        }
        return out;
      }
      if (isMap(node)) {
        const out: Record<string, unknown> = {};
        for (const pair of node.items) {
          const keyNode = pair.key as Node | null;
          const name = keyName(keyNode);
          if (name === undefined) {
            problem(keyNode, [...path], "a key must be plain text", "write the key as a word, e.g. quantity:");
            continue;
          }
          const reread = reinterpretedKey(keyNode);
          if (reread !== undefined && !copied) {
            problem(keyNode, [...path, reread.text], reread.message, reread.hint);
            reported.add(pathKey([...path, reread.text]));
          }
          const childName = reread?.text ?? name;
          path.push(childName);
          try {
            // The data built so far tells a duplicate apart: no set of seen keys per mapping.
            if (Object.hasOwn(out, childName)) {
              const first = at(firstKeyNamed(node).get(childName)?.range?.[0] ?? 0);
              problem(keyNode, [...path], `duplicate key "${name}"`, `"${name}" is already set on line ${first.line}; keep one of them`);
            }
            const value = convert(pair.value as Node | null, copied);
            // Own property even for "__proto__": plain assignment would change the prototype.
            // Any other key is assigned: defineProperty per key is several times slower.
            if (childName === "__proto__") Object.defineProperty(out, childName, { value, enumerable: true, writable: true, configurable: true });
            else out[childName] = value;
          } finally {
            path.pop();
          }
        }
        return out;
      }
      return null;
    } finally {
      active.delete(node);
    }
  };

  const contents = doc.contents as Node | null;
  const value = contents == null ? undefined : convert(contents, false);
  if (aliasCopies > MAX_ALIAS_COPIES) {
    broken = true;
    problems.push({ line: 1, column: 1, offset: 0, path: [], message: `aliases expand the document by more than ${MAX_ALIAS_COPIES} values`, hint: "write the values out instead of repeating them with aliases (*name)" });
  }

  /** Each mapping's pairs by the name {@link convert} gives their key (the last of duplicates
   *  wins, as in the data), built the first time a path goes through that mapping. */
  const indexes = new WeakMap<YAMLMap, Map<string, Pair>>();
  const pairsOf = (map: YAMLMap): Map<string, Pair> => {
    let index = indexes.get(map);
    if (index === undefined) {
      index = new Map();
      for (const pair of map.items as Pair[]) {
        const name = childName(pair.key as Node | null);
        if (name !== undefined) index.set(name, pair);
      }
      indexes.set(map, index);
    }
    return index;
  };
  /** The node an alias stands for (the alias itself when it has none). A bounded loop: an alias
   *  may name another alias. */
  const resolved = (node: Node | null): Node | null => {
    let current = node;
    for (let hops = 0; hops < MAX_DEPTH && current != null && isAlias(current); hops++) {
      const target = anchors(current.source, current.range?.[0] ?? 0);
      if (target === undefined) return current;
      current = target;
    }
    return current;
  };

  /**
   * The walk of the last path asked for, kept for the next one: findings come in document order,
   * so most share all but their last segment with the one before (130,000 siblings in a hostile
   * file walk the root, `customers` and the customer once). `nodes[i]`/`keys[i]` are the entry
   * reached after `segments[0..i)`, for i < `reached`; slots past it are stale and overwritten.
   */
  const segments: string[] = [];
  const keys: (Node | null)[] = [null];
  const nodes: (Node | null)[] = [resolved(contents)];
  let reached = 1;
  const offsetOfPath = (path: readonly string[], prefer?: "key"): number => {
    // The part of the last walk this path shares.
    let depth = 0;
    while (depth < path.length && depth + 1 < reached && segments[depth] === path[depth]) depth++;
    for (; depth < path.length; depth++) {
      const segment = path[depth] as string;
      const node = nodes[depth] ?? null;
      let key: Node | null = null;
      let child: Node | null | undefined;
      if (isMap(node)) {
        const pair = pairsOf(node).get(segment);
        if (pair !== undefined) {
          key = pair.key as Node | null;
          child = pair.value as Node | null;
        }
      } else if (isSeq(node) && INDEX.test(segment)) child = (node.items as (Node | null)[])[Number(segment)];
      if (child === undefined) break;
      segments[depth] = segment;
      keys[depth + 1] = key;
      nodes[depth + 1] = resolved(child);
    }
    reached = depth + 1;
    // The deepest entry reached that has a position answers.
    for (let n = depth; n >= 0; n--) {
      const found = offsetOf(keys[n] ?? null, nodes[n] ?? null, prefer);
      if (found !== undefined) return found;
    }
    return 0;
  };

  return {
    value,
    broken,
    problems,
    locate: (path, prefer) => at(offsetOfPath(path, prefer)),
    offsetOf: offsetOfPath,
    positionAt: at,
    reported: (path) => reported.size > 0 && reported.has(pathKey(path)),
  };
}

type AnchorLookup = (name: string, offset: number) => Node | undefined;

/** Where an entry is: a scalar's value, otherwise (or when the key is asked for) its key. */
function offsetOf(key: Node | null, node: Node | null, prefer: "key" | undefined): number | undefined {
  const valueHere = node != null && (isScalar(node) || isAlias(node)) && nodeText(node) !== "";
  const chosen = prefer === "key" || !valueHere ? (key ?? node) : node;
  return chosen?.range?.[0];
}

/** The name {@link readYaml} gives the entry of a key: its text when YAML would read it as
 *  something else (`0x1f`), else its value as text; undefined for a key that is not plain. */
function childName(key: Node | null): string | undefined {
  const name = keyName(key);
  if (name === undefined) return undefined;
  return reinterpretedKey(key)?.text ?? name;
}

/**
 * Finds the anchor an alias refers to: the last node with that anchor before the alias in the
 * text (YAML's rule). One walk of the document builds the index; each lookup is a binary search.
 */
function anchorIndex(doc: ReturnType<typeof parseDocument>): AnchorLookup {
  const byName = new Map<string, { offset: number; node: Node }[]>();
  // A loop, not recursion: nesting depth is the input's to choose.
  const pending: unknown[] = [doc.contents];
  while (pending.length > 0) {
    const node = pending.pop();
    if (isMap(node) || isSeq(node)) {
      for (const item of node.items as unknown[]) {
        if (item !== null && typeof item === "object" && "key" in item && "value" in item) pending.push(item.key, item.value);
        else pending.push(item);
      }
    }
    if (!isScalar(node) && !isMap(node) && !isSeq(node)) continue;
    const anchor = node.anchor;
    if (typeof anchor !== "string") continue;
    const list = byName.get(anchor) ?? [];
    list.push({ offset: node.range?.[0] ?? 0, node });
    byName.set(anchor, list);
  }
  for (const list of byName.values()) list.sort((a, b) => a.offset - b.offset);
  return (name, offset) => {
    const list = byName.get(name);
    if (list === undefined) return undefined;
    let lo = 0;
    let hi = list.length - 1;
    let found: Node | undefined;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const entry = list[mid];
      if (entry === undefined) break;
      if (entry.offset < offset) {
        found = entry.node;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return found;
  };
}

/**
 * A plain key that YAML reads as something other than its text — `0x1f` and `010` as numbers,
 * `1e3` as 1000, `true` as a boolean, `null` as nothing — would be renamed silently. The key is
 * kept as written (so the rest of the file is still checked) and reported.
 */
function reinterpretedKey(key: Node | null): { text: string; message: string; hint: string } | undefined {
  if (key == null || !isScalar(key) || key.type !== Scalar.PLAIN) return undefined;
  const text = key.source ?? "";
  const v = key.value;
  if (text === "" || typeof v === "string") return undefined;
  if ((typeof v === "number" || typeof v === "bigint") && String(v) === text) return undefined;
  const readAs = v === null ? "an empty key" : typeof v === "boolean" ? `the boolean ${String(v)}` : `the number ${String(v)}`;
  return {
    text,
    message: `the key ${text} is read by YAML as ${readAs}, not as the text "${text}"`,
    hint: `quote it ("${text}":) or choose another key, one that starts with a letter`,
  };
}

/** Codes YAML gives, together, for one line indented deeper than its siblings. */
const INDENT_CODES: ReadonlySet<string> = new Set(["BLOCK_AS_IMPLICIT_KEY", "MULTILINE_IMPLICIT_KEY", "BAD_INDENT"]);

/**
 * The parser's errors as seatplan reports them: one problem per place (a misindented line makes
 * the parser complain twice or three times about the line above it), an unclosed quote where it
 * opened (the parser notices at the end of the file), a deeper-indented line at that line.
 */
function syntaxProblems(text: string, errors: readonly YAMLError[], position: (offset: number) => Position): SourceProblem[] {
  const at = (offset: number): Position & { offset: number } => ({ ...position(offset), offset });
  const out: SourceProblem[] = [];
  const used = new Set<number>();
  const sorted = [...errors].sort((a, b) => a.pos[0] - b.pos[0]);
  /** Indentation complaints already reported as part of an earlier one. */
  const merged = new Set<YAMLError>();
  for (let i = 0; i < sorted.length; i++) {
    const e = sorted[i];
    if (e === undefined || merged.has(e)) continue;
    if (e.code === "MISSING_CHAR" && /quote/i.test(e.message)) {
      const opened = openingQuote(text, e.pos[0], e.message.includes('"') ? '"' : "'");
      if (opened !== undefined) {
        out.push({ ...at(opened), path: [], message: "this quote is never closed", hint: "add the closing quote at the end of the value; YAML read the rest of the file as part of it" });
        continue;
      }
    }
    if (INDENT_CODES.has(e.code)) {
      // Every indentation complaint that starts here, or inside this one's range, is the same
      // mistake. The errors are sorted: the scan stops at the first one past the range.
      const bound = Math.max(e.pos[0], e.pos[1] - 1);
      const group: YAMLError[] = [];
      for (let k = i; k < sorted.length; k++) {
        const x = sorted[k];
        if (x === undefined || x.pos[0] > bound) break;
        if (INDENT_CODES.has(x.code)) group.push(x);
      }
      for (const x of group) merged.add(x);
      const end = group.reduce((m, x) => Math.max(m, x.pos[1]), e.pos[1]);
      const nextLine = text.indexOf("\n", e.pos[0]);
      if (group.some((x) => x.code === "MULTILINE_IMPLICIT_KEY") && nextLine !== -1 && nextLine < end) {
        // A line indented deeper than the key above it continues that key's value.
        let start = nextLine + 1;
        while (text[start] === " ") start++;
        const line = at(start);
        const above = at(e.pos[0]);
        if (used.has(line.line)) continue;
        used.add(line.line);
        out.push({ ...line, path: [], message: `this line is indented deeper than the key on line ${above.line}, so YAML reads it as part of that value`, hint: "indent it exactly like the key above it (or deeper only under a key that ends with a colon)" });
        continue;
      }
      const first = group.find((x) => x.code === "BAD_INDENT") ?? e;
      const position = at(first.pos[0]);
      if (used.has(position.line)) continue;
      used.add(position.line);
      out.push({ ...position, path: [], message: sentence(first.message), hint: SYNTAX_HINTS[first.code] ?? DEFAULT_SYNTAX_HINT });
      continue;
    }
    if (/call stack/i.test(e.message)) {
      // The parser recursed once per nesting level and gave up: say so in the reader's terms.
      out.push({ ...at(e.pos[0]), path: [], message: "the file nests too deeply to read", hint: "seatplan files nest five levels deep at most; check the indentation" });
      continue;
    }
    out.push({
      ...at(e.pos[0]),
      path: [],
      message: e.code === "MULTIPLE_DOCS" ? "the file holds more than one YAML document" : sentence(e.message),
      hint: SYNTAX_HINTS[e.code] ?? DEFAULT_SYNTAX_HINT,
    });
  }
  return out;
}

/**
 * Runs `parse` with no stack captured for the errors it creates: the parser makes an Error per
 * problem, and a file of 100,000 problems spent half a second capturing stacks no one reads.
 */
export function withoutStackTraces<T>(parse: () => T): T {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    return parse();
  } finally {
    Error.stackTraceLimit = limit;
  }
}

/** Offset of the quote that opens the unclosed quoted value the parser noticed at `end`. */
function openingQuote(text: string, end: number, quote: '"' | "'"): number | undefined {
  for (let i = Math.min(end, text.length) - 1; i >= 0; i--) {
    if (text[i] !== quote) continue;
    if (quote === '"') {
      let slashes = 0;
      for (let k = i - 1; k >= 0 && text[k] === "\\"; k--) slashes++;
      if (slashes % 2 === 1) continue;
      return i;
    }
    // In single quotes, '' is an escaped quote.
    if (text[i - 1] === "'") {
      i--;
      continue;
    }
    return i;
  }
  return undefined;
}

/** Offset where `[`/`{` nesting first passes {@link MAX_FLOW_DEPTH}, if it does. Quotes and
 *  comments are not parsed: the count can only overestimate, and no licence file comes near. */
function deepFlowNesting(text: string): number | undefined {
  // Fewer opening brackets than the limit cannot nest past it: two native scans, no loop per character.
  if (occurrences(text, "[") + occurrences(text, "{") <= MAX_FLOW_DEPTH) return undefined;
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x5b || c === 0x7b) {
      if (++depth > MAX_FLOW_DEPTH) return i;
    } else if ((c === 0x5d || c === 0x7d) && depth > 0) depth--;
  }
  return undefined;
}

/** How many times `character` occurs in `text`, counting no further than past the flow depth limit. */
function occurrences(text: string, character: string): number {
  let n = 0;
  for (let i = text.indexOf(character); i !== -1 && n <= MAX_FLOW_DEPTH; i = text.indexOf(character, i + 1)) n++;
  return n;
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
