import { type Command, Option } from "commander";
import { DateTime } from "luxon";
import type { Backend } from "../../backends/backend";
import { formatIssues } from "../../desired";
import { count, readDesiredFile } from "../desired-file";
import { ConfigError } from "../../domain/errors";
import type { DesiredState, Plan } from "../../domain/types";
import { observe } from "../../observe";
import { PLAN_FORMATS, plan, type PlanFormat, renderPlan, type RenderOptions } from "../../plan";
import { type BackendFlags, openBackend, withBackendOptions } from "../backend-factory";
import { type CliIO, EXIT, widthOf } from "../io";

interface PlanOptions extends BackendFlags {
  readonly format: PlanFormat;
  readonly customer?: string;
  readonly now?: string;
  readonly detailedExitcode?: boolean;
}

/**
 * `seatplan plan <file> [--format text|markdown|json] [--customer KEY] [--now ISO] [--detailed-exitcode]`:
 * the YAML against the tenant (design §4). Invalid input exits 1 before any backend call; a
 * blocked step exits 1 with the whole plan printed; changes exit 2 with --detailed-exitcode.
 */
export function registerPlan(program: Command, io: CliIO, setExit: (code: number) => void): void {
  withBackendOptions(program.command("plan"))
    .description("plan the calls that bring the tenant to the YAML: now, at renewal, irreversible, or blocked with the fix")
    .argument("<file>", "the desired-state YAML file, e.g. licences.yaml")
    .addOption(new Option("--format <format>", "text for a terminal, markdown for a pull-request comment, json for machines").choices(PLAN_FORMATS).default("text"))
    .option("--customer <key>", "plan only this customer of the YAML")
    .option("--now <iso>", "plan at this instant (ISO 8601); default SEATPLAN_NOW, then the backend's clock, then the real clock")
    .option("--detailed-exitcode", "exit 2 when changes are planned (0: nothing to do)")
    .action(async (file: string, options: PlanOptions) => {
      setExit(await runPlan(file, options, io));
    });
}

async function runPlan(file: string, options: PlanOptions, io: CliIO): Promise<number> {
  const loaded = await loadDesiredFile(file, io);
  if (loaded === null) return EXIT.error;
  const desired = onlyCustomer(loaded, options.customer);
  const fixedNow = instantOption(options.now, "--now") ?? instantOption(io.env["SEATPLAN_NOW"], "SEATPLAN_NOW");
  const backend = await openBackend(io, options);
  try {
    const result = await planWith(desired, backend, fixedNow);
    const color = options.format === "text" && io.isTTY && !io.env["NO_COLOR"];
    io.stdout(renderPlan(result, options.format, { color, width: widthOf(io), ...(await namesFor(desired, backend)) }));
    if (result.summary.blocked > 0) return EXIT.error;
    const changes = result.summary.now + result.summary.atRenewal + result.summary.irreversible;
    return changes > 0 && options.detailedExitcode === true ? EXIT.changes : EXIT.ok;
  } finally {
    await backend.close?.();
  }
}

/** Product names (the catalog; a backend reads it once) and the YAML's customer names, for the renderings. */
export async function namesFor(desired: DesiredState, backend: Backend): Promise<Pick<RenderOptions, "offerNames" | "customerNames">> {
  const catalog = await backend.getCatalog();
  return {
    offerNames: Object.fromEntries(catalog.offers.map((o) => [o.offer, o.name])),
    customerNames: Object.fromEntries(desired.customers.flatMap((c) => (c.name === undefined ? [] : [[c.key, c.name]]))),
  };
}

/**
 * Observe and plan at `now`, or at the backend's clock (the simulator's), or at the real one.
 * The clock is asked after the reads: a REST backend learns the server's clock from them.
 */
export async function planWith(desired: DesiredState, backend: Backend, now: Date | undefined): Promise<Plan> {
  const observation = await observe(desired, backend);
  const at = now ?? (backend.now ? new Date(await backend.now()) : new Date());
  return plan(desired, observation, { now: at, backend: backend.name });
}

/** The desired state of `file`, or null after printing every problem (no backend is contacted). */
export async function loadDesiredFile(file: string, io: CliIO): Promise<DesiredState | null> {
  const read = await readDesiredFile(file, io.cwd);
  if (read.ok) return read.state;
  if (read.kind === "unreadable") io.stderr(`seatplan: ${read.message}\n`);
  else io.stderr(`${formatIssues(read.issues)}seatplan: ${file} is invalid (${count(read.issues.length, "problem")}); nothing was planned\n`);
  return null;
}

/** `--customer KEY`: only that customer of the YAML. */
export function onlyCustomer(desired: DesiredState, key: string | undefined): DesiredState {
  if (key === undefined) return desired;
  const customers = desired.customers.filter((c) => c.key === key);
  if (customers.length === 0) {
    throw new ConfigError(`--customer ${key} is not a customer of ${desired.file}: use one of ${desired.customers.map((c) => c.key).join(", ")}`);
  }
  return { ...desired, customers };
}

export function instantOption(value: string | undefined, name: string): Date | undefined {
  if (value === undefined || value === "") return undefined;
  const parsed = DateTime.fromISO(value, { zone: "utc" });
  if (!parsed.isValid || !/^\d{4}-\d{2}-\d{2}/.test(value)) {
    throw new ConfigError(`${name} must be an ISO 8601 instant such as 2026-11-23T10:00:00Z (got "${value}")`);
  }
  return parsed.toJSDate();
}
