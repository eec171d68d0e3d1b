import type { OfferKey, Plan, PlanStep, PlanWarning, RemovedEntry, StepValue, Timing, UnmanagedSubscription } from "../domain/types";
import { markdownText, terminalText } from "../domain/escape";
import { DEFAULT_WIDTH, fitTableRows, paragraph } from "./layout";

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
  /** Text: the width to fit (the terminal's; 80 when unknown). @default 80 */
  readonly width?: number;
  /** Product names by offer (`PRODUCT:SKU`), printed beside the ids. */
  readonly offerNames?: Readonly<Record<OfferKey, string>>;
  /** Display names by customer key (the YAML's `name`), printed in markdown headings. */
  readonly customerNames?: Readonly<Record<string, string>>;
  /** The offer of each YAML entry, by `customer/subscription`: names the product of a seat or flag change. */
  readonly entryOffers?: Readonly<Record<string, OfferKey>>;
}

/** A step's change for people: a seat or flag change says which product it is about. */
function changeFor(step: PlanStep, options: RenderOptions, offerText: OfferText): string {
  const change = describeChange(step, offerText);
  const scalar = (v: StepValue): boolean => v === null || typeof v !== "object";
  const offer = options.entryOffers?.[`${step.customer}/${step.subscription}`];
  return offer !== undefined && options.offerNames?.[offer] !== undefined && scalar(step.from) && scalar(step.to) ? `${offerText(offer)}: ${change}` : change;
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
      cost: {
        currency: plan.summary.cost.currency,
        annualDelta: plan.summary.cost.annualDelta,
        unpriced: plan.summary.cost.unpriced,
        customers: Object.fromEntries(
          Object.entries(plan.summary.cost.customers).map(([k, c]) => [k, { annualDelta: c.annualDelta, unpriced: c.unpriced }]),
        ),
      },
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

/** How an offer id is printed: as is, or with its product name beside it. */
export type OfferText = (offer: string) => string;
const asIs: OfferText = (offer) => offer;

/** `Microsoft 365 Business Basic [CFQ7TTC0LH18:0001]` where the name is known. */
export function namedOffer(names: Readonly<Record<OfferKey, string>> | undefined): OfferText {
  return (offer) => {
    const name = names?.[offer];
    return name === undefined ? offer : `${name} [${offer}]`;
  };
}

/** `3`, `on`, `2 × CFQ7TTC0LH1G:0001 P1Y/annual`, … */
export function describeValue(v: StepValue, offerText: OfferText = asIs): string {
  if (v === null || typeof v !== "object") return v === null ? "—" : describeScalar(v);
  const { offer, quantity, term, billing, endDate, into } = v;
  if (offer !== undefined && quantity !== undefined) {
    const terms = term !== undefined && billing !== undefined ? ` ${String(term)}/${String(billing)}` : "";
    const until = endDate ? ` until ${describeScalar(endDate)}` : "";
    const merge = into ? ` into ${String(into)}` : "";
    return `${String(quantity)} × ${offerText(String(offer))}${terms}${until}${merge}`;
  }
  if (term !== undefined && billing !== undefined && Object.keys(v).length === 2) return `${String(term)}/${String(billing)}`;
  return Object.entries(v)
    .map(([k, x]) => `${k}: ${describeScalar(x)}`)
    .join(", ");
}

/**
 * `from → to`. With product names, a renewal that keeps its offer says it once:
 * `Microsoft Teams Essentials [CFQ7TTC0JN4R:0002]: 4 → 2 seats, P1M/monthly`.
 */
export function describeChange(step: PlanStep, offerText?: OfferText): string {
  const { from, to } = step;
  if (from === null && typeof to === "object") return describeValue(to, offerText);
  if (
    offerText !== undefined &&
    from !== null &&
    to !== null &&
    typeof from === "object" &&
    typeof to === "object" &&
    from["offer"] !== undefined &&
    from["offer"] === to["offer"] &&
    from["quantity"] !== undefined &&
    to["quantity"] !== undefined &&
    from["endDate"] === undefined &&
    to["endDate"] === undefined &&
    from["into"] === undefined &&
    to["into"] === undefined
  ) {
    const seats = from["quantity"] === to["quantity"] ? `${String(to["quantity"])} seats` : `${String(from["quantity"])} → ${String(to["quantity"])} seats`;
    const termOf = (v: typeof from): string => `${String(v["term"])}/${String(v["billing"])}`;
    const terms = termOf(from) === termOf(to) ? termOf(to) : `${termOf(from)} → ${termOf(to)}`;
    return `${offerText(String(to["offer"]))}: ${seats}, ${terms}`;
  }
  return `${describeValue(from, offerText)} → ${describeValue(to, offerText)}`;
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
// Totals
// ---------------------------------------------------------------------------------------------

function signed(n: number): string {
  return `${n > 0 ? "+" : n < 0 ? "−" : "±"}${Math.abs(n).toFixed(2)}`;
}

/** `−300.40 EUR a year (northwind +… EUR, rockit −… EUR); blocked steps not counted`, or null without steps. */
export function costLine(plan: Plan, customerName: (key: string) => string = (k) => k): string | null {
  const c = plan.summary.cost;
  const keys = Object.keys(c.customers);
  if (keys.length === 0) return null;
  const per = keys.length > 1 ? ` (${keys.map((k) => `${customerName(k)} ${signed(c.customers[k]?.annualDelta ?? 0)}`).join(", ")})` : "";
  const unpriced = c.unpriced > 0 ? `; ${c.unpriced} step${c.unpriced === 1 ? "" : "s"} without a price not counted` : "";
  const blocked = plan.summary.blocked > 0 ? "; blocked steps not counted" : "";
  return `${signed(c.annualDelta)} ${c.currency} a year${per}${unpriced}${blocked}`;
}

// ---------------------------------------------------------------------------------------------
// Text: tables that fit the width, blocked first, notes on their own lines, colour only when asked.
// ---------------------------------------------------------------------------------------------

const COLOUR: Readonly<Record<Timing, string>> = { blocked: "31", irreversible: "35", now: "32", "at-renewal": "36" };

/** The WHEN column: `now`, `irreversible`, or the day a renewal-time change takes effect. */
function whenText(step: PlanStep): string {
  return step.timing === "at-renewal" && step.effectiveAt !== null ? `renewal ${step.effectiveAt.slice(0, 10)}` : step.timing;
}

/** A change on its own lines: when `from → to` does not fit one line, `→ to` starts the second. */
function changeLines(change: string, width: number): string[] {
  const indent = "      ";
  const at = change.indexOf(" → ");
  if ([...change].length <= width - indent.length || at < 0) return paragraph(terminalText(change), width, indent);
  return [...paragraph(terminalText(change.slice(0, at)), width, indent), ...paragraph(terminalText(change.slice(at + 1)), width, indent, `${indent}  `)];
}

/**
 * Every string of the plan that came from a tenant or a YAML (names, offers, ids, statuses, and
 * the reasons and hints that quote them) passes {@link terminalText} here, before colour is added.
 */
export function renderText(plan: Plan, options: RenderOptions = {}): string {
  const width = options.width ?? DEFAULT_WIDTH;
  const paint = (timing: Timing, s: string): string => (options.color ? `\u001b[${COLOUR[timing]}m${s}\u001b[0m` : s);
  const bold = (s: string): string => (options.color ? `\u001b[1m${s}\u001b[0m` : s);
  const offer = namedOffer(options.offerNames);
  const t = terminalText;
  // The instant without its milliseconds, so the header of a usual state file fits 80 columns.
  const header = `seatplan plan against ${t(plan.backend)}${options.stateFile === undefined ? "" : ` (state file ${t(options.stateFile)})`} at ${plan.now.replace(/\.000Z$/, "Z")}`;
  const out: string[] = [...paragraph(header, width, "", "  "), ...paragraph(`${bold("Summary:")} ${summaryLine(plan)}`, width, "", "  ")];
  const blocked = plan.steps.filter((s) => s.timing === "blocked");
  if (blocked.length > 0) {
    out.push("", ...paragraph(bold(paint("blocked", `Blocked (${blocked.length}): these will not run; each hint is the YAML change that would work`)), width, ""));
    for (const s of blocked) {
      const cost = describeCost(s);
      out.push(...paragraph(t(`${s.customer}/${s.subscription}  ${s.action}${cost ? `  ${cost}` : ""}`), width, "  ", "      "));
      out.push(...changeLines(changeFor(s, options, offer), width));
      out.push(...paragraph(t(`reason: ${s.reason ?? "—"} [${s.rule}]`), width, "      ", "              "));
      if (s.hint !== null) out.push(...paragraph(t(`hint:   ${s.hint}`), width, "      ", "              "));
    }
  }
  const changes = byTiming(plan.steps.filter((s) => s.timing !== "blocked"));
  if (changes.length > 0) {
    const currencies = new Set(changes.flatMap((s) => (s.cost === null ? [] : [s.cost.currency])));
    const [currency] = currencies;
    const costCell = (s: PlanStep): string => (s.cost === null ? "" : currencies.size === 1 ? signed(s.cost.annualDelta) : describeCost(s));
    out.push("", bold(`Changes (${changes.length})`));
    const rows = [
      ["WHEN", "SUBSCRIPTION", "ACTION", currencies.size === 1 && currency !== undefined ? `${currency}/YR` : "COST/YR"],
      ...changes.map((s) => [whenText(s), t(`${s.customer}/${s.subscription}`), s.action, costCell(s)]),
    ];
    const [header = [], ...lines] = fitTableRows(rows, width, "  ");
    out.push(...header);
    changes.forEach((s, i) => {
      out.push(...(lines[i] ?? []).map((l) => paint(s.timing, l)));
      out.push(...changeLines(changeFor(s, options, offer), width));
      if (typeof s.deadline === "string") out.push(...paragraph(`deadline: apply before ${instant(s.deadline)}`, width, "      "));
      if (s.reason !== null) out.push(...paragraph(t(`note: ${s.reason}`), width, "      ", "            "));
    });
  }
  if (changes.length === 0 && blocked.length === 0) out.push("", "No changes: the tenant matches the YAML.");
  const first = earliest(plan.steps);
  if (first !== undefined) {
    out.push("", ...paragraph(t(`Apply before ${instant(first.deadline ?? "")} (${first.customer}/${first.subscription} ${first.action}); after that, plan again.`), width, "", "  "));
  }
  if (plan.removed !== undefined && plan.removed.length > 0) {
    out.push("", `Removed from the YAML (${plan.removed.length}):`, ...plan.removed.flatMap((r) => paragraph(t(removedNote(r)), width, "  ", "    ")));
  }
  out.push(...unmanagedText(plan.unmanaged, width, offer), ...warningsText(plan.warnings, width));
  const cost = costLine(plan);
  if (cost !== null) out.push("", ...paragraph(t(`Cost: ${cost}`), width, "", "  "));
  return `${out.join("\n")}\n`;
}

function unmanagedText(unmanaged: readonly UnmanagedSubscription[], width: number, offer: OfferText): string[] {
  if (unmanaged.length === 0) return [];
  const rows = [["SUBSCRIPTION", "SEATS", "STATUS"], ...unmanaged.map((u) => [terminalText(`${u.customer}/${u.friendlyName}`), String(u.quantity), terminalText(u.status)])];
  const [header = [], ...lines] = fitTableRows(rows, width, "  ");
  const out = ["", ...paragraph(`Unmanaged (${unmanaged.length}): live subscriptions no entry matches; never touched`, width, ""), ...header];
  unmanaged.forEach((u, i) => {
    out.push(...(lines[i] ?? []));
    out.push(...paragraph(terminalText(`${offer(u.offer)}, id ${u.subscriptionId}`), width, "      "));
  });
  return out;
}

function warningsText(warnings: readonly PlanWarning[], width: number): string[] {
  if (warnings.length === 0) return [];
  return [
    "",
    `Warnings (${warnings.length})`,
    ...warnings.flatMap((w) => [
      terminalText(`  ${w.customer}${w.subscription === null ? "" : `/${w.subscription}`}  ${w.code}`),
      ...paragraph(terminalText(w.message), width, "      "),
    ]),
  ];
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

/** `Rockit (rockit)`: the display name of the YAML, with the key the steps name. */
function customerHeading(key: string, names: Readonly<Record<string, string>> | undefined): string {
  const name = names?.[key];
  return name === undefined || name === key ? markdownText(key) : `${markdownText(name)} (${markdownText(key)})`;
}

/**
 * Every string of the plan that came from a tenant or a YAML passes {@link markdownText} here:
 * no HTML, link, image or table break reaches the pull request from a subscription's name.
 */
export function renderMarkdown(plan: Plan, options: RenderOptions = {}): string {
  const s = plan.summary;
  // Composed as plain text, escaped once where it lands (a product name is tenant data).
  const offer = namedOffer(options.offerNames);
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
      out.push(`- **${cell(b.customer)}/${cell(b.subscription)}** \`${b.action}\` ${cell(changeFor(b, options, offer))}: ${cell(b.reason ?? "")} (\`${b.rule}\`)`);
      if (b.hint !== null) out.push(`  - **Fix:** ${cell(b.hint)}`);
    }
  }
  const customers = [...new Set(plan.steps.filter((x) => x.timing !== "blocked").map((x) => x.customer))];
  for (const customer of customers) {
    const steps = byTiming(plan.steps.filter((x) => x.customer === customer && x.timing !== "blocked"));
    const rows = [
      "| Subscription | Action | Timing | Change | Effective | Cost | Note |",
      "|---|---|---|---|---|---|---|",
      ...steps.map((x) => `| ${cell(x.subscription)} | \`${x.action}\` | ${x.timing} | ${cell(changeFor(x, options, offer))} | ${when(x)} | ${describeCost(x)} | ${cell(x.reason ?? "")} |`),
    ];
    out.push("", `### ${customerHeading(customer, options.customerNames)}`, "");
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
        ...plan.unmanaged.map((u) => `| ${cell(u.customer)} | ${cell(u.friendlyName)} | ${cell(offer(u.offer))} | ${u.quantity} | ${cell(u.status)} | ${cell(u.subscriptionId)} |`),
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
  const cost = costLine(plan, (k) => markdownText(options.customerNames?.[k] ?? k));
  if (cost !== null) out.push("", `**Cost:** ${cost}`);
  return `${out.join("\n")}\n`;
}
