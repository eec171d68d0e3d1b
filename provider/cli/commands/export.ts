import { existsSync, statSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import { dirname, join, relative, resolve, sep } from "node:path";
import type { Command } from "commander";
import pLimit from "p-limit";
import { Document, isScalar, Scalar, visit } from "yaml";
import type { Backend } from "../../backends/backend";
import { ConfigError } from "../../domain/errors";
import type { Customer, ObservedSubscription } from "../../domain/types";
import { dayText, meaningfulSchedule, renewalAt } from "../../rules/support";
import { type BackendFlags, existingSimulatorState, openBackend, withBackendOptions } from "../backend-factory";
import { type CliIO, EXIT } from "../io";

interface ExportOptions extends BackendFlags {
  readonly customer?: string;
  readonly out?: string;
  readonly force?: boolean;
}

/**
 * `seatplan export [--customer KEY] [--out FILE]`: the YAML of the live tenant — every
 * subscription adopted by id, with its offer, term, billing, seats, auto-renew and scheduled
 * renewal — so that it validates and plans to no changes. The way to adopt an existing tenant
 * (Pulumi cannot import dynamic resources).
 */
export function registerExport(program: Command, io: CliIO, setExit: (code: number) => void): void {
  withBackendOptions(program.command("export"))
    .description("write the YAML of the live tenant (validates, and plans to no changes)")
    .option("--customer <key>", "export only this customer (its key, as derived from the company name, or its tenant id)")
    .option("--out <file>", "write to this file instead of stdout (an existing file only with --force)")
    .option("--force", "with --out: replace the file if it exists")
    .action(async (options: ExportOptions) => {
      setExit(await runExport(options, io));
    });
}

/** The JSON Schema shipped with seatplan (`schema/` beside `package.json`), for the editor's `$schema` line. */
function schemaFile(): string | null {
  for (let dir = __dirname; dir !== dirname(dir); dir = dirname(dir)) {
    if (existsSync(join(dir, "package.json"))) {
      const file = join(dir, "schema", "seatplan.schema.json");
      return existsSync(file) ? file : null;
    }
  }
  return null;
}

async function runExport(options: ExportOptions, io: CliIO): Promise<number> {
  // Checked before the tenant is read: a long export must not end in "cannot write".
  if (options.out !== undefined) checkOut(options.out, options.force === true, io.cwd);
  existingSimulatorState(io, options);
  const backend = await openBackend(io, options);
  try {
    // The schema path is relative to where the YAML lands, as the YAML language server resolves it.
    const schema = schemaFile();
    const from = options.out === undefined ? io.cwd : dirname(resolve(io.cwd, options.out));
    const text = await exportYaml(backend, options.customer, schema === null ? undefined : relative(from, schema).split(sep).join("/"));
    if (options.out === undefined) io.stdout(text);
    else {
      await writeOut(options.out, text, options.force === true, io.cwd);
      io.stderr(`seatplan: wrote ${options.out}\n`);
    }
    return EXIT.ok;
  } finally {
    await backend.close?.();
  }
}

/** Refuses an --out that cannot be written, or would replace a file without --force. */
function checkOut(out: string, force: boolean, cwd: string): void {
  const path = resolve(cwd, out);
  const folder = dirname(path);
  if (!existsSync(folder)) throw new ConfigError(`cannot write ${out}: the folder ${dirname(out)} does not exist; create it first (mkdir -p ${dirname(out)}) or choose another --out`);
  if (!statSync(folder).isDirectory()) throw new ConfigError(`cannot write ${out}: ${dirname(out)} is a file, not a folder; choose another --out`);
  if (existsSync(path)) {
    if (statSync(path).isDirectory()) throw new ConfigError(`cannot write ${out}: it is a folder; name a file inside it, e.g. --out ${join(out, "licences.yaml")}`);
    if (!force) throw new ConfigError(`${out} already exists: add --force to replace it, or choose another --out`);
  }
}

/** Writes the export; without --force, never over a file (one created since the check included). */
async function writeOut(out: string, text: string, force: boolean, cwd: string): Promise<void> {
  try {
    await writeFile(resolve(cwd, out), text, { flag: force ? "w" : "wx" });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "EEXIST") throw new ConfigError(`${out} already exists: add --force to replace it, or choose another --out`);
    if (code === "ENOENT") throw new ConfigError(`cannot write ${out}: the folder ${dirname(out)} does not exist; create it first or choose another --out`);
    if (code === "EACCES" || code === "EPERM") throw new ConfigError(`cannot write ${out}: permission denied; choose another --out`);
    if (code === "EISDIR") throw new ConfigError(`cannot write ${out}: it is a folder; name a file inside it`);
    throw new ConfigError(`cannot write ${out} (${code ?? "unknown error"}); choose another --out`);
  }
}

/** Subscriptions that end up in the YAML: live ones with seats (an upgraded-away source has none). */
function exportable(s: ObservedSubscription): boolean {
  return s.status !== "deleted" && s.status !== "expired" && s.quantity > 0;
}

/** A YAML key (`[a-z0-9][a-z0-9-]*`) from a name. */
export function keyOf(name: string): string {
  const key = name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "");
  return key === "" ? "subscription" : key;
}

function unique(base: string, taken: Set<string>): string {
  let key = base;
  for (let n = 2; taken.has(key); n += 1) key = `${base}-${n}`;
  taken.add(key);
  return key;
}

/** The partner's customers with the keys `export` gives them (from the company name), in key order; `only` picks one by key or tenant id. */
export function keyedCustomers(all: readonly Customer[], only: string | undefined, backend: string): { key: string; customer: Customer }[] {
  const keys = new Set<string>();
  const keyed = [...all]
    .sort((a, b) => (a.companyName < b.companyName ? -1 : a.companyName > b.companyName ? 1 : a.id < b.id ? -1 : 1))
    .map((c) => ({ key: unique(keyOf(c.companyName || c.domain), keys), customer: c }));
  const chosen = only === undefined ? keyed : keyed.filter((k) => k.key === only || k.customer.id === only);
  if (chosen.length === 0) {
    throw new ConfigError(`--customer ${only ?? ""} is not a customer of this ${backend} tenant: use one of ${keyed.map((k) => k.key).join(", ")}`);
  }
  return chosen;
}

/**
 * The YAML of the live tenant. With `schemaPath`, its first line points the editor at the
 * JSON Schema; each offer carries its product name and each term its end date as comments.
 */
export async function exportYaml(backend: Backend, only: string | undefined, schemaPath?: string): Promise<string> {
  const chosen = keyedCustomers(await backend.listCustomers(), only, backend.name);
  const limit = pLimit(8);
  const customers = await Promise.all(chosen.map(({ key, customer }) => limit(async () => [key, customerYaml(customer, await backend.listSubscriptions(customer.id))] as const)));
  const sorted = customers.sort(([a], [b]) => (a < b ? -1 : 1));
  const doc = new Document({ version: 1, policy: { reductions: "block" }, customers: Object.fromEntries(sorted.map(([key, c]) => [key, c.yaml])) });
  for (const [key, c] of sorted) {
    for (const [sub, notes] of c.notes) {
      const path = ["customers", key, "subscriptions", sub];
      const offer: unknown = doc.getIn([...path, "offer"], true);
      const term: unknown = doc.getIn([...path, "term"], true);
      // A comment is data from the tenant: one line, no control characters.
      if (isScalar(offer)) offer.comment = ` ${oneLine(notes.product)}`;
      if (isScalar(term)) term.comment = ` ${notes.term}`;
    }
  }
  const header = [
    ...(schemaPath === undefined ? [] : [`# yaml-language-server: $schema=${schemaPath}`]),
    `# Written by \`seatplan export\` from the ${backend.name} backend. Every subscription is adopted by id;`,
    "# `seatplan plan` on this file plans no changes. Deleted, expired and empty subscriptions are left out.",
  ];
  return `${header.join("\n")}\n${tenantSafeYaml(doc)}`;
}

/** C1 controls, and characters that change or hide the direction or the lines of text. */
const UNPRINTABLE = /[\u0080-\u009f\u200b-\u200f\u2028\u2029\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]/g;

/**
 * The YAML with tenant text kept exact but printable: YAML escapes C0 controls by itself; a
 * value holding a C1 control or a direction override is double-quoted and the character written
 * as its `\uXXXX` escape, so neither a terminal nor a code review sees it act.
 */
function tenantSafeYaml(value: unknown): string {
  const doc = value instanceof Document ? value : new Document(value);
  visit(doc, {
    Scalar(_key, node) {
      if (typeof node.value === "string" && new RegExp(UNPRINTABLE.source).test(node.value)) node.type = Scalar.QUOTE_DOUBLE;
    },
  });
  // Only double-quoted scalars can hold these characters now, and there `\uXXXX` is their escape.
  return doc.toString({ lineWidth: 0 }).replace(UNPRINTABLE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

function oneLine(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f]+/g, " ").trim();
}

interface EntryNotes {
  readonly product: string;
  readonly term: string;
}

function customerYaml(customer: Customer, live: readonly ObservedSubscription[]): { yaml: Record<string, unknown>; notes: [string, EntryNotes][] } {
  const taken = new Set<string>();
  const subscriptions = [...live]
    .filter(exportable)
    .sort((a, b) => (a.friendlyName < b.friendlyName ? -1 : a.friendlyName > b.friendlyName ? 1 : a.id < b.id ? -1 : 1))
    .map((s) => {
      const key = unique(keyOf(s.friendlyName), taken);
      return [key, entryOf(s, key), s] as const;
    });
  const notes = subscriptions.map(([key, , s]): [string, EntryNotes] => [
    key,
    { product: s.offerName || s.offer, term: `ends ${dayText(s.endDate)}${!s.autoRenew ? ", does not renew" : `, ${s.isTrial ? "converts to paid" : "renews"} ${dayText(renewalAt(s.endDate))}`}` },
  ]);
  return {
    yaml: { tenantId: customer.id, ...(customer.companyName ? { name: customer.companyName } : {}), subscriptions: Object.fromEntries(subscriptions.map(([k, e]) => [k, e])) },
    notes,
  };
}

/** The entry of one subscription under `key`; the friendly name only when the key is not it (it defaults to the key). */
function entryOf(s: ObservedSubscription, key: string): Record<string, unknown> {
  const scheduled = meaningfulSchedule(s);
  const renewal = scheduled === null
    ? undefined
    : dropUndefined({
        quantity: scheduled.quantity !== s.quantity ? scheduled.quantity : undefined,
        term: scheduled.term !== s.term ? scheduled.term : undefined,
        billing: scheduled.billing !== s.billing ? scheduled.billing : undefined,
        offer: scheduled.offer !== s.offer ? scheduled.offer : undefined,
      });
  return dropUndefined({
    id: s.id,
    offer: s.offer,
    term: s.term,
    billing: s.billing,
    quantity: s.quantity,
    autoRenew: s.autoRenew,
    friendlyName: s.friendlyName === key ? undefined : s.friendlyName,
    renewal,
  });
}

function dropUndefined(o: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
}
