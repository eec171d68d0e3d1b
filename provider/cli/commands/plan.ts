import { writeFile } from "node:fs/promises";
import { resolve } from "node:path";
import { type Command, Option } from "commander";
import { savePlan } from "../../apply/saved-plan";
import type { Backend } from "../../backends/backend";
import type { DesiredState, Plan } from "../../domain/types";
import { PLAN_FORMATS, type PlanFormat, renderPlan, type RenderOptions } from "../../plan";
import { type BackendFlags, existingSimulatorState, openBackend, withBackendOptions } from "../backend-factory";
import { type CliIO, EXIT, widthOf } from "../io";
import { instantOption, loadFile, onlyCustomer, planAgainst } from "../planning";

export { instantOption, loadDesiredFile, onlyCustomer } from "../planning";

interface PlanOptions extends BackendFlags {
  readonly format: PlanFormat;
  readonly customer?: string;
  readonly now?: string;
  readonly detailedExitcode?: boolean;
  readonly base?: string;
  readonly out?: string;
}

/**
 * `seatplan plan <file> [--format text|markdown|json] [--customer KEY] [--now ISO] [--detailed-exitcode]
 * [--base BASEFILE] [--out PLAN.json]`: the YAML against the tenant (design §4). Invalid input
 * exits 1 before any backend call; a blocked step exits 1 with the whole plan printed; changes
 * exit 2 with --detailed-exitcode. `--base` lists the entries removed since BASEFILE with what
 * `policy.removed` does to them; `--out` saves the plan for `seatplan apply PLAN.json`.
 */
export function registerPlan(program: Command, io: CliIO, setExit: (code: number) => void): void {
  withBackendOptions(program.command("plan"))
    .description("plan the calls that bring the tenant to the YAML: now, at renewal, irreversible, or blocked with the fix")
    .argument("<file>", "the desired-state YAML file, e.g. licences.yaml")
    .addOption(new Option("--format <format>", "text for a terminal, markdown for a pull-request comment, json for machines").choices(PLAN_FORMATS).default("text"))
    .option("--customer <key>", "plan only this customer of the YAML")
    .option("--now <iso>", "plan at this instant (ISO 8601); default SEATPLAN_NOW, then the backend's clock, then the real clock")
    .option("--detailed-exitcode", "exit 2 when changes are planned (0: nothing to do)")
    .option("--base <file>", "the YAML before the change (e.g. the target branch's): list removed entries and what policy.removed does to them")
    .option("--out <file>", "also save the plan (with what each step was based on) for `seatplan apply PLAN.json`")
    .action(async (file: string, options: PlanOptions) => {
      setExit(await runPlan(file, options, io));
    });
}

async function runPlan(file: string, options: PlanOptions, io: CliIO): Promise<number> {
  const loaded = await loadFile(file, io);
  if (loaded === null) return EXIT.error;
  const base = options.base === undefined ? undefined : await loadFile(options.base, io);
  if (base === null) return EXIT.error;
  const desired = onlyCustomer(loaded.state, options.customer);
  const baseState = base === undefined ? undefined : options.customer === undefined ? base.state : { ...base.state, customers: base.state.customers.filter((c) => c.key === options.customer) };
  const fixedNow = instantOption(options.now, "--now") ?? instantOption(io.env["SEATPLAN_NOW"], "SEATPLAN_NOW");
  const stateFile = existingSimulatorState(io, options);
  const backend = await openBackend(io, options);
  try {
    const planned = await planAgainst(desired, backend, fixedNow, baseState);
    const result = planned.plan;
    const color = options.format === "text" && io.isTTY && !io.env["NO_COLOR"];
    io.stdout(renderPlan(result, options.format, { color, width: widthOf(io), ...(await namesFor(desired, backend)), ...(stateFile === null ? {} : { stateFile }) }));
    if (options.out !== undefined) {
      const saved = savePlan(result, desired, planned.subscriptions, { file, desired: loaded.text, baseFile: options.base ?? null, base: base?.text ?? null }, baseState);
      await writeFile(resolve(io.cwd, options.out), `${JSON.stringify(saved, null, 2)}\n`);
      io.stderr(`seatplan: plan ${saved.planId} saved to ${options.out}; run it with \`seatplan apply ${options.out}\`\n`);
    }
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
  return (await planAgainst(desired, backend, now)).plan;
}
