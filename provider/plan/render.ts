import { markdownText, terminalText } from "../domain/escape";
import type { Plan, PlanStep, PlanWarning, RemovedEntry, StepValue, Timing, UnmanagedSubscription } from "../domain/types";

/**
 * The three renderings of a plan: `text` for a terminal, `markdown` for a pull-request comment,
 * `json` for machines (design §4, a public contract). Pure: colour is asked for, never guessed.
 */

export type PlanFormat = "text" | "markdown" | "json";
export const PLAN_FORMATS: readonly PlanFormat[] = ["text", "markdown", "json"];

export interface RenderOptions {
  /** ANSI colours (only for a terminal). @default false */
  readonly color?: boolean;
  /** The simulator's state file the tenant was read from, named in the header. @default none (another backend) */
  readonly stateFile?: string;
}

export function renderPlan(plan: Plan, format: PlanFormat, options: RenderOptions = {}): string {
  switch (format) {
    case "text":
      return renderText(plan, options);
    case "markdown":
      return renderMarkdown(plan, options);
    case "json":
      return renderJson(plan);
  }
}

// ---------------------------------------------------------------------------------------------
// JSON: design §4, keys in the documented order, without the executor's internals.
// ---------------------------------------------------------------------------------------------

/** The plan as design §4 specifies it (no `call`, no `fix`), keys in canonical order. */
export function planJson(plan: Plan): unknown {
  return {
    version: plan.version,
    now: plan.now,
    backend: plan.backend,
    summary: {
      now: plan.summary.now,
      atRenewal: plan.summary.atRenewal,
      irreversible: plan.summary.irreversible,
      blocked: plan.summary.blocked,
      unchanged: plan.summary.unchanged,
      unmanaged: plan.summary.unmanaged,
      ...(plan.summary.removed === undefined ? {} : { removed: plan.summary.removed }),
    },
    steps: plan.steps.map((s) => ({
      customer: s.customer,
      subscription: s.subscription,
      subscriptionId: s.subscriptionId,
      action: s.action,
      timing: s.timing,
      from: canonicalValue(s.from),
      to: canonicalValue(s.to),
      effectiveAt: s.effectiveAt,
      deadline: s.deadline ?? null,
      rule: s.rule,
      reason: s.reason,
      hint: s.hint,
      cost: s.cost === null ? null : { currency: s.cost.currency, annualDelta: s.cost.annualDelta },
    })),
    unmanaged: plan.unmanaged.map((u) => ({
      customer: u.customer,
      subscriptionId: u.subscriptionId,
      offer: u.offer,
      friendlyName: u.friendlyName,
      quantity: u.quantity,
      status: u.status,
    })),
    ...(plan.removed === undefined
      ? {}
      : {
          removed: plan.removed.map((r) => ({
            customer: r.customer,
            subscription: r.subscription,
            subscriptionId: r.subscriptionId,
            policy: r.policy,
            outcome: r.outcome,
            note: r.note,
          })),
        }),
    warnings: plan.warnings.map((w) => ({ customer: w.customer, subscription: w.subscription, code: w.code, message: w.message })),
  };
}

function canonicalValue(v: StepValue): StepValue {
  if (v === null || typeof v !== "object") return v;
  return Object.fromEntries(Object.keys(v).sort().map((k) => [k, v[k] ?? null]));
}

export function renderJson(plan: Plan): string {
  return `${JSON.stringify(planJson(plan), null, 2)}\n`;
}

// ---------------------------------------------------------------------------------------------
// Shared wording
// ---------------------------------------------------------------------------------------------

const TIMING_ORDER: readonly Timing[] = ["blocked", "irreversible", "now", "at-renewal"];

export function summaryLine(plan: Plan): string {
  const s = plan.summary;
  const removed = s.removed === undefined ? "" : `, ${s.removed} removed`;
  return `${s.now} now, ${s.atRenewal} at renewal, ${s.irreversible} irreversible, ${s.blocked} blocked, ${s.unchanged} unchanged, ${s.unmanaged} unmanaged${removed}`;
}

const ISO_DAY = /^\d{4}-\d{2}-\d{2}T00:00:00(\.000)?Z$/;

function describeScalar(v: string | number | boolean | null): string {
  if (v === null) return "none";
  if (typeof v === "boolean") return v ? "on" : "off";
  if (typeof v === "string" && ISO_DAY.test(v)) return v.slice(0, 10);
  return String(v);
}

/** `3`, `on`, `2 × CFQ7TTC0LH1G:0001 P1Y/annual`, … */
export function describeValue(v: StepValue): string {
  if (v === null || typeof v !== "object") return v === null ? "—" : describeScalar(v);
  const { offer, quantity, term, billing, endDate, into } = v;
  if (offer !== undefined && quantity !== undefined) {
    const terms = term !== undefined && billing !== undefined ? ` ${String(term)}/${String(billing)}` : "";
    const until = endDate ? ` until ${describeScalar(endDate)}` : "";
    const merge = into ? ` into ${String(into)}` : "";
    return `${String(quantity)} × ${String(offer)}${terms}${until}${merge}`;
  }
  if (term !== undefined && billing !== undefined && Object.keys(v).length === 2) return `${String(term)}/${String(billing)}`;
  return Object.entries(v)
    .map(([k, x]) => `${k}: ${describeScalar(x)}`)
    .join(", ");
}

export function describeChange(step: PlanStep): string {
  return step.from === null && typeof step.to === "object" ? describeValue(step.to) : `${describeValue(step.from)} → ${describeValue(step.to)}`;
}

export function describeCost(step: PlanStep): string {
  if (step.cost === null) return "";
  const d = step.cost.annualDelta;
  const sign = d > 0 ? "+" : d < 0 ? "−" : "±";
  return `${sign}${Math.abs(d).toFixed(2)} ${step.cost.currency}/yr`;
}

function when(step: PlanStep): string {
  const at = step.effectiveAt === null ? "—" : step.timing === "at-renewal" ? step.effectiveAt.slice(0, 10) : instant(step.effectiveAt);
  return typeof step.deadline === "string" ? `${at}, until ${instant(step.deadline)}` : at;
}

function instant(iso: string): string {
  return iso.replace(/\.000Z$/, "Z");
}

/** The step with the earliest deadline, if any step has one. */
function earliest(steps: readonly PlanStep[]): PlanStep | undefined {
  return steps
    .filter((s) => typeof s.deadline === "string")
    .sort((a, b) => Date.parse(a.deadline ?? "") - Date.parse(b.deadline ?? ""))[0];
}

function removedNote(r: RemovedEntry): string {
  return `${r.customer}/${r.subscription}${r.subscriptionId === null ? "" : ` (${r.subscriptionId})`}: ${r.outcome} — ${r.note}`;
}

function byTiming(steps: readonly PlanStep[]): PlanStep[] {
  // Stable: within a timing class the plan's own order (customer, subscription, step order) stays.
  return [...steps].sort((a, b) => TIMING_ORDER.indexOf(a.timing) - TIMING_ORDER.indexOf(b.timing));
}

// ---------------------------------------------------------------------------------------------
// Text: aligned columns, blocked first, colour only when asked.
// ---------------------------------------------------------------------------------------------

const COLOUR: Readonly<Record<Timing, string>> = { blocked: "31", irreversible: "35", now: "32", "at-renewal": "36" };

function table(rows: readonly (readonly string[])[]): string[] {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => [...(r[i] ?? "")].length))) ?? [];
  return rows.map((r) =>
    r
      .map((cell, i) => (i === r.length - 1 ? cell : cell + " ".repeat((widths[i] ?? 0) - [...cell].length)))
      .join("  ")
      .trimEnd(),
  );
}

/**
 * Every string of the plan that came from a tenant or a YAML (names, offers, ids, statuses, and
 * the reasons and hints that quote them) passes {@link terminalText} here, before colour is added.
 */
export function renderText(plan: Plan, options: RenderOptions = {}): string {
  const paint = (timing: Timing, s: string): string => (options.color ? `\u001b[${COLOUR[timing]}m${s}\u001b[0m` : s);
  const bold = (s: string): string => (options.color ? `\u001b[1m${s}\u001b[0m` : s);
  const t = terminalText;
  const out: string[] = [`seatplan plan against ${t(plan.backend)}${options.stateFile === undefined ? "" : ` (state file ${t(options.stateFile)})`} at ${plan.now}`, `${bold("Summary:")} ${summaryLine(plan)}`];
  const blocked = plan.steps.filter((s) => s.timing === "blocked");
  if (blocked.length > 0) {
    out.push("", bold(paint("blocked", `Blocked (${blocked.length}): these will not run; each hint is the YAML change that would work`)));
    for (const s of blocked) {
      const cost = describeCost(s);
      out.push(`  ${t(s.customer)}/${t(s.subscription)}  ${s.action}  ${t(describeChange(s))}${cost ? `  ${cost}` : ""}`);
      out.push(`      reason: ${t(s.reason ?? "—")} [${s.rule}]`);
      if (s.hint !== null) out.push(`      hint:   ${t(s.hint)}`);
    }
  }
  const changes = byTiming(plan.steps.filter((s) => s.timing !== "blocked"));
  if (changes.length > 0) {
    out.push("", bold(`Changes (${changes.length})`));
    const rows = [
      ["TIMING", "SUBSCRIPTION", "ACTION", "CHANGE", "EFFECTIVE", "COST", "NOTE"],
      ...changes.map((s) => [s.timing, t(`${s.customer}/${s.subscription}`), s.action, t(describeChange(s)), when(s), describeCost(s), t(s.reason ?? "")]),
    ];
    table(rows).forEach((line, i) => {
      const timing = changes[i - 1]?.timing;
      out.push(`  ${i === 0 || timing === undefined ? line : paint(timing, line)}`);
    });
  }
  if (changes.length === 0 && blocked.length === 0) out.push("", "No changes: the tenant matches the YAML.");
  const first = earliest(plan.steps);
  if (first !== undefined) out.push("", `Apply before ${instant(first.deadline ?? "")} (${first.customer}/${first.subscription} ${first.action}); after that, plan again.`);
  if (plan.removed !== undefined && plan.removed.length > 0) {
    out.push("", `Removed from the YAML (${plan.removed.length}):`, ...plan.removed.map((r) => `  ${terminalText(removedNote(r))}`));
  }
  out.push(...unmanagedText(plan.unmanaged), ...warningsText(plan.warnings));
  return `${out.join("\n")}\n`;
}

function unmanagedText(unmanaged: readonly UnmanagedSubscription[]): string[] {
  if (unmanaged.length === 0) return [];
  const t = terminalText;
  const rows = [["CUSTOMER", "NAME", "OFFER", "SEATS", "STATUS", "ID"], ...unmanaged.map((u) => [t(u.customer), t(u.friendlyName), t(u.offer), String(u.quantity), t(u.status), t(u.subscriptionId)])];
  return ["", `Unmanaged (${unmanaged.length}): live subscriptions no entry matches; never touched`, ...table(rows).map((l) => `  ${l}`)];
}

function warningsText(warnings: readonly PlanWarning[]): string[] {
  if (warnings.length === 0) return [];
  const t = terminalText;
  return ["", `Warnings (${warnings.length})`, ...warnings.map((w) => `  ${t(w.customer)}${w.subscription === null ? "" : `/${t(w.subscription)}`}  ${w.code}: ${t(w.message)}`)];
}

// ---------------------------------------------------------------------------------------------
// Markdown: a pull-request comment.
// ---------------------------------------------------------------------------------------------

/** Tables longer than this are collapsed. */
const LONG = 10;

/** Untrusted text in a comment (and in a table cell: `|` is escaped too). */
const cell = markdownText;

function details(summary: string, body: string[]): string[] {
  return ["<details>", `<summary>${summary}</summary>`, "", ...body, "", "</details>"];
}

/**
 * Every string of the plan that came from a tenant or a YAML passes {@link markdownText} here:
 * no HTML, link, image or table break reaches the pull request from a subscription's name.
 */
export function renderMarkdown(plan: Plan, options: RenderOptions = {}): string {
  const s = plan.summary;
  const parts = [
    `${s.now} now`,
    `${s.atRenewal} at renewal`,
    `${s.irreversible} irreversible`,
    s.blocked > 0 ? `**${s.blocked} blocked**` : "0 blocked",
    `${s.unchanged} unchanged`,
    `${s.unmanaged} unmanaged`,
    ...(s.removed === undefined ? [] : [`${s.removed} removed`]),
  ];
  const first = earliest(plan.steps);
  if (first !== undefined) parts.push(`**apply before ${instant(first.deadline ?? "")}** (${cell(`${first.customer}/${first.subscription}`)} \`${first.action}\`)`);
  const out: string[] = [`**seatplan plan** against \`${plan.backend}\`${options.stateFile === undefined ? "" : ` (state file ${cell(options.stateFile)})`} at ${plan.now}: ${parts.join(" · ")}`];
  const blocked = plan.steps.filter((x) => x.timing === "blocked");
  if (blocked.length > 0) {
    out.push("", `### Blocked (${blocked.length})`, "");
    for (const b of blocked) {
      out.push(`- **${cell(b.customer)}/${cell(b.subscription)}** \`${b.action}\` ${cell(describeChange(b))}: ${cell(b.reason ?? "")} (\`${b.rule}\`)`);
      if (b.hint !== null) out.push(`  - **Fix:** ${cell(b.hint)}`);
    }
  }
  const customers = [...new Set(plan.steps.filter((x) => x.timing !== "blocked").map((x) => x.customer))];
  for (const customer of customers) {
    const steps = byTiming(plan.steps.filter((x) => x.customer === customer && x.timing !== "blocked"));
    const rows = [
      "| Subscription | Action | Timing | Change | Effective | Cost | Note |",
      "|---|---|---|---|---|---|---|",
      ...steps.map((x) => `| ${cell(x.subscription)} | \`${x.action}\` | ${x.timing} | ${cell(describeChange(x))} | ${when(x)} | ${describeCost(x)} | ${cell(x.reason ?? "")} |`),
    ];
    out.push("", `### ${cell(customer)}`, "");
    out.push(...(steps.length > LONG ? details(`${steps.length} steps`, rows) : rows));
  }
  if (plan.steps.length === 0) out.push("", "No changes: the tenant matches the YAML.");
  if (plan.removed !== undefined && plan.removed.length > 0) {
    out.push("", `### Removed from the YAML (${plan.removed.length})`, "", ...plan.removed.map((r) => `- ${cell(removedNote(r))}`));
  }
  if (plan.unmanaged.length > 0) {
    out.push(
      "",
      ...details(`Unmanaged subscriptions (${plan.unmanaged.length}): not in the YAML, never touched`, [
        "| Customer | Name | Offer | Seats | Status | Id |",
        "|---|---|---|---|---|---|",
        ...plan.unmanaged.map((u) => `| ${cell(u.customer)} | ${cell(u.friendlyName)} | ${cell(u.offer)} | ${u.quantity} | ${cell(u.status)} | ${cell(u.subscriptionId)} |`),
      ]),
    );
  }
  if (plan.warnings.length > 0) {
    out.push(
      "",
      ...details(
        `Warnings (${plan.warnings.length})`,
        plan.warnings.map((w) => `- **${cell(w.customer)}${w.subscription === null ? "" : `/${cell(w.subscription)}`}** \`${w.code}\`: ${cell(w.message)}`),
      ),
    );
  }
  return `${out.join("\n")}\n`;
}
