import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import type { Command } from "commander";
import { type GroupResult, parseSavedPlan, runSavedPlan, type SavedPlan, savePlan } from "../../apply/saved-plan";
import { DEFAULT_AUDIT_LOG, fileAuditSink } from "../../audit";
import type { Backend } from "../../backends/backend";
import { parseDesired } from "../../desired";
import { ConfigError } from "../../domain/errors";
import type { DesiredState, Plan, PlanStep } from "../../domain/types";
import { costSummary, describeValue, renderText } from "../../plan";
import { type BackendFlags, openBackend, withBackendOptions } from "../backend-factory";
import { type CliIO, EXIT, widthOf } from "../io";
import { instantOption, loadFile, planAgainst } from "../planning";

interface ApplyOptions extends BackendFlags {
  readonly yes?: boolean;
  readonly progress?: boolean;
  readonly now?: string;
}

/** Runs longer than this show progress on stderr (when it is a terminal, or with --progress). */
const PROGRESS_AFTER_MS = 2_000;

/**
 * `seatplan apply PLAN.json|FILE.yaml [--yes] [--progress] [--now ISO]` (issue 8). A saved plan
 * (`plan --out`) runs exactly its steps; a YAML file is planned first. Either way the plan is
 * printed, confirmed on a terminal (or by `--yes`; without a terminal and without `--yes` nothing
 * is written, exit 1), then each subscription's steps run through the one executor, each step's
 * outcome is printed, and every write goes to the audit log. A subscription that changed since a
 * saved plan, or whose deadline passed, runs none of its steps and is planned again. Exit 1 when
 * any step failed, was blocked or did not run.
 */
export function registerApply(program: Command, io: CliIO, setExit: (code: number) => void): void {
  withBackendOptions(program.command("apply"))
    .description("run a saved plan (plan --out), or plan a YAML file and run it, after confirmation")
    .argument("<file>", "a saved plan (PLAN.json from `seatplan plan --out`) or a desired-state YAML file")
    .option("--yes", "do not ask for confirmation (CI); required when stdin is not a terminal")
    .option("--progress", "show progress on stderr even when it is not a terminal")
    .option("--now <iso>", "judge windows at this instant (ISO 8601); default SEATPLAN_NOW, then the backend's clock, then the real clock")
    .action(async (file: string, options: ApplyOptions) => {
      setExit(await runApply(file, options, io));
    });
}

async function runApply(file: string, options: ApplyOptions, io: CliIO): Promise<number> {
  const savedFile = await readSavedPlan(file, io);
  let saved: SavedPlan | undefined = savedFile ?? undefined;
  let desired: DesiredState | undefined;
  if (saved === undefined) {
    const loaded = await loadFile(file, io);
    if (loaded === null) return EXIT.error;
    desired = loaded.state;
  }
  const fixedNow = instantOption(options.now, "--now") ?? instantOption(io.env["SEATPLAN_NOW"], "SEATPLAN_NOW");
  const backend = await openBackend(io, options);
  try {
    let shown: Plan;
    if (saved === undefined && desired !== undefined) {
      const planned = await planAgainst(desired, backend, fixedNow);
      saved = savePlan(planned.plan, desired, planned.subscriptions, { file, desired: await readFile(resolve(io.cwd, file), "utf8"), baseFile: null, base: null });
      shown = planned.plan;
    } else if (saved !== undefined) {
      shown = saved.plan as Plan;
      if (shown.backend !== backend.name) {
        throw new ConfigError(`${file} was planned against the ${shown.backend} backend, not ${backend.name}: apply it with the backend it was planned on, or plan again`);
      }
    } else {
      return EXIT.error;
    }
    io.stdout(renderText(shown));
    const runnable = saved.subscriptions.filter((g) => !g.steps.some((s) => s.timing === "blocked")).reduce((n, g) => n + g.steps.length, 0);
    if (saved.subscriptions.length === 0) {
      io.stdout("\nNothing to apply.\n");
      return EXIT.ok;
    }
    if (runnable > 0 && options.yes !== true) {
      if (io.interactive !== true || io.prompt === undefined) {
        io.stderr("seatplan: apply needs confirmation and stdin is not a terminal: nothing was written; review the plan above and run again with --yes (e.g. in CI)\n");
        return EXIT.error;
      }
      const answer = await io.prompt(`\nApply ${runnable} step${runnable === 1 ? "" : "s"} to ${backend.name}? Only "yes" applies: `);
      if (answer.trim().toLowerCase() !== "yes") {
        io.stderr("seatplan: not confirmed: nothing was written\n");
        return EXIT.error;
      }
    }
    const now = async (): Promise<Date> => fixedNow ?? (backend.now ? new Date(await backend.now()) : new Date());
    const auditPath = resolve(io.cwd, io.env["SEATPLAN_AUDIT_LOG"] || DEFAULT_AUDIT_LOG);
    const audit = fileAuditSink(auditPath, [io.env["SEATPLAN_CLIENT_SECRET"], io.env["SEATPLAN_REFRESH_TOKEN"], io.env["SEATPLAN_ACCESS_TOKEN"]]);
    const started = Date.now();
    const progress = options.progress === true || io.stderrIsTTY === true;
    const current = saved;
    io.stdout(`\nApplying plan ${current.planId} to ${backend.name}:\n`);
    const results = await runSavedPlan(current, backend, {
      now,
      audit,
      onGroup: (p) => {
        if (progress && Date.now() - started >= PROGRESS_AFTER_MS) io.stderr(`seatplan: customer ${p.customerIndex} of ${p.customers} (${p.customer}), step ${p.step} of ${p.steps}\n`);
      },
      onResult: async (result) => {
        io.stdout(resultText(result));
        if (result.status === "refused") io.stdout(await replanText(current, result, backend, fixedNow, io));
      },
    });
    const outcomes = results.flatMap((r) => (r.status === "refused" ? [] : r.outcomes));
    const tally = (status: string): number => outcomes.filter((o) => o.status === status).length;
    const refused = results.filter((r) => r.status === "refused").length;
    io.stdout(
      `\nApplied: ${tally("done")} done, ${tally("failed")} failed, ${tally("blocked")} blocked, ${tally("skipped")} not run, ${refused} subscription${refused === 1 ? "" : "s"} refused (changed or late; plan again). Audit log: ${io.env["SEATPLAN_AUDIT_LOG"] || DEFAULT_AUDIT_LOG}\n`,
    );
    return tally("failed") + tally("blocked") + tally("skipped") + refused > 0 ? EXIT.error : EXIT.ok;
  } finally {
    await backend.close?.();
  }
}

/** The saved plan in `file`, or null when the file is not one (a YAML file). */
async function readSavedPlan(file: string, io: CliIO): Promise<SavedPlan | null> {
  let text: string;
  try {
    text = await readFile(resolve(io.cwd, file), "utf8");
  } catch {
    return null; // loadFile reports the problem in the file's terms
  }
  const head = text.trimStart();
  if (!head.startsWith("{") || !head.includes('"seatplan-plan"')) return null;
  try {
    return parseSavedPlan(text, file);
  } catch (e) {
    throw new ConfigError(e instanceof Error ? e.message : String(e));
  }
}

function change(step: PlanStep): string {
  return step.from === null ? describeValue(step.to) : `${describeValue(step.from)} → ${describeValue(step.to)}`;
}

function resultText(result: GroupResult): string {
  const label = `${result.group.customer}/${result.group.subscription}`;
  if (result.status === "refused") return `  refused  ${label}: ${result.reason}; none of its ${result.group.steps.length} step(s) ran\n`;
  return result.outcomes
    .map((o) => {
      const head = `  ${o.status.padEnd(8)} ${label}  ${o.step.action} ${change(o.step)}`;
      switch (o.status) {
        case "done":
          return `${head}\n`;
        case "failed":
          return `${head}\n           [${o.code}] ${o.message}\n`;
        case "blocked":
        case "skipped":
          return `${head}\n           ${o.message}\n`;
      }
    })
    .join("");
}

/** The plan for a refused subscription as the tenant is now, from the YAML the saved plan embeds. */
async function replanText(saved: SavedPlan, result: Extract<GroupResult, { status: "refused" }>, backend: Backend, now: Date | undefined, io: CliIO): Promise<string> {
  const parsed = parseDesired(saved.desired, saved.file);
  const base = saved.base === null ? undefined : parseDesired(saved.base, saved.baseFile ?? "base").state;
  if (parsed.state === undefined) return "           (the saved YAML no longer parses; plan the file again)\n";
  const { customer, subscription } = result.group;
  const only = (s: DesiredState): DesiredState => ({ ...s, customers: s.customers.filter((c) => c.key === customer) });
  try {
    const planned = await planAgainst(only(parsed.state), backend, now, base === undefined ? undefined : only(base));
    const steps = planned.plan.steps.filter((s) => s.subscription === subscription);
    const removed = planned.plan.removed?.filter((r) => r.subscription === subscription);
    const count = (timing: string): number => steps.filter((s) => s.timing === timing).length;
    const plan: Plan = {
      ...planned.plan,
      steps,
      unmanaged: [],
      warnings: planned.plan.warnings.filter((w) => w.subscription === subscription),
      ...(removed === undefined ? {} : { removed }),
      summary: {
        ...planned.plan.summary,
        now: count("now"),
        atRenewal: count("at-renewal"),
        irreversible: count("irreversible"),
        blocked: count("blocked"),
        unchanged: steps.length === 0 ? 1 : 0,
        unmanaged: 0,
        cost: costSummary(steps, planned.plan.summary.cost.currency),
      },
    };
    // Indented by 11 columns below: the plan fits what is left of the width.
    const text = renderText(plan, { width: widthOf(io) - 11 }).split("\n").map((l) => (l === "" ? l : `           ${l}`)).join("\n");
    io.stderr(`seatplan: ${customer}/${subscription} was not applied (${result.reason}); plan again and review before applying\n`);
    return `           The plan for it now:\n${text}`;
  } catch (e) {
    return `           (planning it again failed: ${e instanceof Error ? e.message : String(e)})\n`;
  }
}
