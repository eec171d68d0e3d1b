import { readFile, writeFile } from "node:fs/promises";
import { resolve } from "node:path";
import { type Command, Option } from "commander";
import type { Backend } from "../../backends/backend";
import { ConfigError } from "../../domain/errors";
import {
  catalogListing,
  INSIGHT_FORMATS,
  type InsightFormat,
  type Origin,
  parseHeadroom,
  proposals,
  radar,
  renderCatalog,
  renderProposals,
  renderRadar,
  renderUsage,
  usageReport,
  writeProposals,
} from "../../insight";
import { type BackendFlags, openBackend, withBackendOptions } from "../backend-factory";
import { type CliIO, EXIT, widthOf } from "../io";
import { durationOption, readTenant } from "../tenant";
import { instantOption, loadDesiredFile, onlyCustomer } from "./plan";

/**
 * The insight commands: `renewals` (what needs a decision before it is too late, and
 * `--propose` to write it into the YAML), `usage` (bought vs assigned seats) and `catalog`.
 * They read; only `renewals --propose` writes, and only to the YAML file.
 */

interface Common extends BackendFlags {
  readonly format: InsightFormat;
  readonly customer?: string;
  readonly now?: string;
}

interface RenewalsOptions extends Common {
  readonly within: string;
  readonly propose?: boolean;
  readonly headroom?: string;
}

const formatOption = (): Option =>
  new Option("--format <format>", "text for a terminal, markdown for a pull request or issue, json for machines").choices(INSIGHT_FORMATS).default("text");

export function registerRenewals(program: Command, io: CliIO, setExit: (code: number) => void): void {
  withBackendOptions(program.command("renewals"))
    .description("every upcoming date that needs a decision (reduction windows, cancellation deadlines, renewals, trial conversions, extended service terms), with the money at stake and the YAML change")
    .argument("[file]", "the desired-state YAML: name subscriptions by their keys and flag where the tenant renews differently")
    .option("--within <duration>", "how far ahead to look: 30d, 2w, 12h, P30D", "30d")
    .option("--customer <key>", "only this customer (a YAML key; without a file, the key export derives or the tenant id)")
    .addOption(formatOption())
    .option("--now <iso>", "look from this instant (ISO 8601); default SEATPLAN_NOW, then the backend's clock, then the real clock")
    .option("--propose", "edit FILE in place: renewal.quantity down to the assigned seats plus --headroom, for renewals in the window")
    .option("--headroom <n|p%>", "with --propose: seats kept above the assigned ones, a number or a percentage of them (default 0)")
    .action(async (file: string | undefined, options: RenewalsOptions) => {
      setExit(await runRenewals(file, options, io));
    });
}

export function registerUsage(program: Command, io: CliIO, setExit: (code: number) => void): void {
  withBackendOptions(program.command("usage"))
    .description("per subscription: seats bought, assigned to users and unused, and what the unused ones cost a year")
    .option("--customer <key>", "only this customer (the key export derives from its name, or its tenant id)")
    .addOption(formatOption())
    .option("--now <iso>", "report at this instant (ISO 8601); default SEATPLAN_NOW, then the backend's clock, then the real clock")
    .action(async (options: Common) => {
      setExit(await runUsage(options, io));
    });
}

export function registerCatalog(program: Command, io: CliIO, setExit: (code: number) => void): void {
  withBackendOptions(program.command("catalog"))
    .description('the offers: ids, names, terms, billing, prices, seat limits, upgrade targets; "catalog search TEXT" filters')
    .argument("[words...]", 'search TEXT: only offers whose id, name or family contain every word, e.g. search "business premium"')
    .addOption(formatOption())
    .action(async (words: string[], options: Common) => {
      setExit(await runCatalog(words, options, io));
    });
}

async function nowOf(options: Common, io: CliIO, backend: Backend): Promise<Date> {
  const fixed = instantOption(options.now, "--now") ?? instantOption(io.env["SEATPLAN_NOW"], "SEATPLAN_NOW");
  return fixed ?? (backend.now ? new Date(await backend.now()) : new Date());
}

function origin(backend: Backend, now: Date): Origin {
  return { backend: backend.name, now: now.toISOString() };
}

async function runRenewals(file: string | undefined, options: RenewalsOptions, io: CliIO): Promise<number> {
  // Every flag is checked before anything is read: bad input costs no API call.
  const within = durationOption(options.within);
  if (options.propose !== true && options.headroom !== undefined) throw new ConfigError("--headroom goes with --propose");
  const headroom = parseHeadroom(options.headroom ?? "0");
  if (headroom === null) throw new ConfigError(`--headroom must be a number of seats or a percentage such as 2 or 10% (got "${options.headroom ?? ""}")`);
  if (options.propose === true && file === undefined) throw new ConfigError("--propose edits a YAML file: name it, e.g. seatplan renewals licences.yaml --propose");
  instantOption(options.now, "--now");
  let desired;
  if (file !== undefined) {
    const loaded = await loadDesiredFile(file, io);
    if (loaded === null) return EXIT.error;
    desired = onlyCustomer(loaded, options.customer);
  }
  const backend = await openBackend(io, options);
  try {
    const read = await readTenant(backend, { ...(desired ? { desired } : {}), ...(options.customer !== undefined ? { customer: options.customer } : {}), usage: true });
    const now = await nowOf(options, io, backend);
    const until = new Date(now.getTime() + within);
    if (options.propose === true && file !== undefined) {
      if (read.access !== null) {
        io.stderr(`seatplan: --propose needs the seats assigned to users: ${read.access}\n`);
        return EXIT.error;
      }
      const chosen = proposals({ customers: read.customers, catalog: read.catalog, now, until, headroom });
      if (chosen.length > 0) {
        const path = resolve(io.cwd, file);
        await writeFile(path, writeProposals(await readFile(path, "utf8"), chosen));
      }
      io.stdout(renderProposals(origin(backend, now), file, options.headroom ?? "0", chosen, options.format, { width: widthOf(io) }));
      return EXIT.ok;
    }
    const result = radar({ customers: read.customers, catalog: read.catalog, now, until });
    io.stdout(renderRadar(origin(backend, now), result, options.format, { width: widthOf(io) }));
    return EXIT.ok;
  } finally {
    await backend.close?.();
  }
}

async function runUsage(options: Common, io: CliIO): Promise<number> {
  instantOption(options.now, "--now");
  const backend = await openBackend(io, options);
  try {
    const read = await readTenant(backend, { ...(options.customer !== undefined ? { customer: options.customer } : {}), usage: true });
    const now = await nowOf(options, io, backend);
    io.stdout(renderUsage(origin(backend, now), usageReport(read.customers, read.catalog), read.access, options.format, { width: widthOf(io) }));
    if (read.access === null) return EXIT.ok;
    io.stderr(`seatplan: assigned seats unknown: ${read.access}\n`);
    return EXIT.error;
  } finally {
    await backend.close?.();
  }
}

async function runCatalog(words: readonly string[], options: Common, io: CliIO): Promise<number> {
  const [verb, ...rest] = words;
  if (verb !== undefined && verb !== "search") throw new ConfigError(`unknown catalog command "${verb}": use seatplan catalog, or seatplan catalog search TEXT`);
  const search = verb === undefined ? null : rest.join(" ").trim();
  if (search === "") throw new ConfigError('catalog search needs the text to look for, e.g. seatplan catalog search "business premium"');
  const backend = await openBackend(io, options);
  try {
    const listing = catalogListing(await backend.getCatalog(), search);
    io.stdout(renderCatalog({ backend: backend.name, now: "" }, listing, options.format, { width: widthOf(io) }));
    return search !== null && listing.offers.length === 0 ? EXIT.error : EXIT.ok;
  } finally {
    await backend.close?.();
  }
}
