import { forMarkdown, forTerminal } from "../plan/escape";
import { DEFAULT_WIDTH, fitTable, fitTableRows, paragraph } from "../plan/layout";
import type { CatalogListing } from "./catalog";
import type { Proposal } from "./propose";
import type { Radar } from "./renewals";
import type { Money } from "./types";
import type { UsageReport, UsageTotals } from "./usage";

/**
 * Renderings of the insight commands: `text` for a terminal (fits `width`, 80 when unknown),
 * `markdown` for a pull request or an issue, `json` for machines (keys in a fixed order). Every
 * string from a tenant or a YAML goes through `forTerminal` / `forMarkdown`.
 */

export type InsightFormat = "text" | "markdown" | "json";
export const INSIGHT_FORMATS: readonly InsightFormat[] = ["text", "markdown", "json"];

export interface InsightRenderOptions {
  /** Terminal width for `text`. @default 80 */
  readonly width?: number;
}

/** Who produced the data: printed in every rendering so nobody mistakes the simulator for a tenant. */
export interface Origin {
  readonly backend: string;
  readonly now: string;
}

const amount = (n: number): string => n.toFixed(2);
const moneyText = (m: Money | null): string => (m === null ? "—" : `${amount(m.annual)} ${m.currency}`);
const day = (iso: string): string => iso.slice(0, 10);
const instant = (iso: string): string => iso.replace(/\.000Z$/, "Z");
const json = (value: unknown): string => `${JSON.stringify(value, null, 2)}\n`;
const t = forTerminal;
const md = forMarkdown;

// ---------------------------------------------------------------------------------------------
// renewals
// ---------------------------------------------------------------------------------------------

export function radarJson(origin: Origin, radar: Radar): unknown {
  return {
    version: 1,
    now: radar.now,
    until: radar.until,
    backend: origin.backend,
    entries: radar.entries.map((e) => ({
      date: e.date,
      kind: e.kind,
      customer: e.customer,
      customerName: e.customerName,
      subscription: e.subscription,
      subscriptionId: e.subscriptionId,
      managed: e.managed,
      offer: e.offer,
      product: e.product,
      seats: e.seats,
      what: e.what,
      money: e.money === null ? null : { currency: e.money.currency, annual: e.money.annual },
      hint: e.hint,
      edits: e.edits.map((x) => ({ path: x.path, value: x.value })),
      drift: e.drift,
    })),
  };
}

export function renderRadar(origin: Origin, radar: Radar, format: InsightFormat, options: InsightRenderOptions = {}): string {
  switch (format) {
    case "json":
      return json(radarJson(origin, radar));
    case "markdown":
      return radarMarkdown(origin, radar);
    case "text":
      return radarText(origin, radar, options.width ?? DEFAULT_WIDTH);
  }
}

function radarHeadline(origin: Origin, radar: Radar): string {
  const n = radar.entries.length;
  return `${n === 0 ? "Nothing" : `${n} decision${n === 1 ? "" : "s"}`} due by ${day(radar.until)} (${origin.backend} at ${instant(radar.now)})`;
}

function radarText(origin: Origin, radar: Radar, width: number): string {
  const out = paragraph(`seatplan renewals: ${radarHeadline(origin, radar)}`, width, "", "  ");
  if (radar.entries.length > 0) {
    const rows = [["DATE", "KIND", "SUBSCRIPTION", "AT STAKE/YR"], ...radar.entries.map((e) => [day(e.date), e.kind, t(`${e.customer}/${e.subscription}`), moneyText(e.money)])];
    const [header = [], ...lines] = fitTableRows(rows, width);
    out.push("", ...header);
    radar.entries.forEach((e, i) => {
      out.push(...(lines[i] ?? []));
      out.push(...paragraph(t(`${e.product}: ${e.what}`), width, "    "));
      out.push(...paragraph(t(`hint: ${e.hint}`), width, "    ", "          "));
      if (e.drift !== null) out.push(...paragraph(t(`drift: ${e.drift}`), width, "    ", "           "));
    });
  }
  return `${out.join("\n")}\n`;
}

function radarMarkdown(origin: Origin, radar: Radar): string {
  const out = [`**seatplan renewals**: ${radarHeadline(origin, radar)}`];
  if (radar.entries.length > 0) {
    out.push("", "| Date | Decision | Customer | Subscription | At stake / yr | What happens | YAML change |", "|---|---|---|---|---|---|---|");
    for (const e of radar.entries) {
      const drift = e.drift === null ? "" : `<br>**Drift:** ${md(e.drift)}`;
      out.push(
        `| ${instant(e.date)} | ${e.kind} | ${md(e.customerName)} | ${md(e.subscription)} | ${moneyText(e.money)} | ${md(`${e.product}: ${e.what}`)} | ${md(e.hint)}${drift} |`,
      );
    }
  }
  return `${out.join("\n")}\n`;
}

// ---------------------------------------------------------------------------------------------
// renewals --propose
// ---------------------------------------------------------------------------------------------

export function proposalsJson(origin: Origin, file: string, headroom: string, chosen: readonly Proposal[]): unknown {
  return {
    version: 1,
    now: origin.now,
    backend: origin.backend,
    file,
    headroom,
    proposals: chosen.map((p) => ({
      customer: p.customer,
      subscription: p.subscription,
      subscriptionId: p.subscriptionId,
      renewsAt: p.renewsAt,
      assigned: p.assigned,
      headroom: p.headroom,
      from: p.from,
      to: p.to,
      saving: p.saving === null ? null : { currency: p.saving.currency, annual: p.saving.annual },
    })),
  };
}

export function renderProposals(origin: Origin, file: string, headroom: string, chosen: readonly Proposal[], format: InsightFormat, options: InsightRenderOptions = {}): string {
  if (format === "json") return json(proposalsJson(origin, file, headroom, chosen));
  const total = chosen.reduce((n, p) => n + (p.saving?.annual ?? 0), 0);
  const currency = chosen.find((p) => p.saving !== null)?.saving?.currency ?? "";
  const head =
    chosen.length === 0
      ? `${file}: no renewal to bring down (every renewal in the window renews at most the assigned seats + headroom ${headroom})`
      : `${file}: ${chosen.length} renewal quantit${chosen.length === 1 ? "y" : "ies"} brought down to the assigned seats + headroom ${headroom}, saving ${amount(total)} ${currency} a year`;
  const line = (p: Proposal): string =>
    `${p.customer}/${p.subscription}: renewal.quantity ${p.from} → ${p.to} (${p.assigned} assigned + ${p.headroom}) on ${day(p.renewsAt)}${p.saving === null ? "" : `, −${amount(p.saving.annual)} ${p.saving.currency}/yr`}`;
  if (format === "markdown") return `${[`**seatplan renewals --propose**: ${md(head)}`, "", ...chosen.map((p) => `- ${md(line(p))}`)].join("\n")}\n`;
  const width = options.width ?? DEFAULT_WIDTH;
  return `${[...paragraph(t(head), width, ""), ...chosen.flatMap((p) => paragraph(t(line(p)), width, "  ", "    "))].join("\n")}\n`;
}

// ---------------------------------------------------------------------------------------------
// usage
// ---------------------------------------------------------------------------------------------

export function usageJson(origin: Origin, report: UsageReport, access: string | null): unknown {
  const totals = (x: UsageTotals): unknown => ({ purchased: x.purchased, assigned: x.assigned, unused: x.unused, unusedAnnualCost: x.unusedAnnualCost });
  return {
    version: 1,
    now: origin.now,
    backend: origin.backend,
    currency: report.currency,
    access,
    customers: report.customers.map((c) => ({
      customer: c.customer,
      name: c.name,
      tenantId: c.tenantId,
      usageAvailable: c.usageAvailable,
      subscriptions: c.subscriptions.map((r) => ({
        subscription: r.subscription,
        subscriptionId: r.subscriptionId,
        offer: r.offer,
        product: r.product,
        term: r.term,
        billing: r.billing,
        isTrial: r.isTrial,
        renewsAt: r.renewsAt,
        purchased: r.purchased,
        assigned: r.assigned,
        unused: r.unused,
        unusedAnnualCost: r.unusedAnnualCost,
      })),
      totals: totals(c.totals),
    })),
    totals: totals(report.totals),
  };
}

/** `access`: why usage could not be read and which credentials give it; null when it was read. */
export function renderUsage(origin: Origin, report: UsageReport, access: string | null, format: InsightFormat, options: InsightRenderOptions = {}): string {
  const num = (n: number | null): string => (n === null ? "?" : String(n));
  const cost = (n: number | null): string => (n === null ? "?" : amount(n));
  const overall = (x: UsageTotals): string =>
    `${x.purchased} bought, ${num(x.assigned)} assigned, ${num(x.unused)} unused${x.unusedAnnualCost === null ? "" : `: ${amount(x.unusedAnnualCost)} ${report.currency} a year for unused seats`}`;
  switch (format) {
    case "json":
      return json(usageJson(origin, report, access));
    case "markdown": {
      const out = [`**seatplan usage** (${origin.backend} at ${instant(origin.now)}): ${overall(report.totals)}`];
      if (access !== null) out.push("", `> **No usage access:** ${md(access)}`);
      for (const c of report.customers) {
        out.push("", `### ${md(c.name)} (${md(c.customer)})`, "", `| Subscription | Product | Term | Bought | Assigned | Unused | Unused ${report.currency}/yr | Renews |`, "|---|---|---|--:|--:|--:|--:|---|");
        for (const r of c.subscriptions) {
          out.push(`| ${md(r.subscription)} | ${md(r.product)}${r.isTrial ? " (trial)" : ""} | ${r.term}/${r.billing} | ${r.purchased} | ${num(r.assigned)} | ${num(r.unused)} | ${cost(r.unusedAnnualCost)} | ${day(r.renewsAt)} |`);
        }
        out.push(`| **total** | | | **${c.totals.purchased}** | **${num(c.totals.assigned)}** | **${num(c.totals.unused)}** | **${cost(c.totals.unusedAnnualCost)}** | |`);
      }
      return `${out.join("\n")}\n`;
    }
    case "text": {
      const width = options.width ?? DEFAULT_WIDTH;
      const out = [`seatplan usage against ${origin.backend} at ${instant(origin.now)}`];
      if (access !== null) out.push("", ...paragraph(t(`No usage access: ${access}`), width, ""));
      for (const c of report.customers) {
        out.push("", t(`${c.customer} · ${c.name}`));
        const rows = [
          ["SUBSCRIPTION", "PRODUCT", "BOUGHT", "ASSIGNED", "UNUSED", `${report.currency}/YR`],
          ...c.subscriptions.map((r) => [t(r.subscription), t(`${r.product}${r.isTrial ? " (trial)" : ""}`), String(r.purchased), num(r.assigned), num(r.unused), cost(r.unusedAnnualCost)]),
          ["total", "", String(c.totals.purchased), num(c.totals.assigned), num(c.totals.unused), cost(c.totals.unusedAnnualCost)],
        ];
        out.push(...fitTable(rows, width, "  "));
      }
      out.push("", ...paragraph(`Overall: ${overall(report.totals)}`, width, ""));
      return `${out.join("\n")}\n`;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// catalog
// ---------------------------------------------------------------------------------------------

export function catalogJson(origin: Origin, listing: CatalogListing): unknown {
  return {
    version: 1,
    backend: origin.backend,
    currency: listing.currency,
    search: listing.search,
    offers: listing.offers.map((o) => ({
      offer: o.offer,
      catalogItemId: o.catalogItemId,
      name: o.name,
      segment: o.segment,
      family: o.family,
      minQuantity: o.minQuantity,
      maxQuantity: o.maxQuantity,
      terms: o.terms.map((x) => ({ term: x.term, billing: x.billing, price: x.price, per: x.per, annual: x.annual })),
      upgradesTo: o.upgradesTo.map((u) => ({ offer: u.offer, name: u.name })),
    })),
  };
}

export function renderCatalog(origin: Origin, listing: CatalogListing, format: InsightFormat, options: InsightRenderOptions = {}): string {
  const n = listing.offers.length;
  const head = `${n} offer${n === 1 ? "" : "s"}${listing.search === null ? "" : ` matching "${listing.search}"`} (${origin.backend}, prices in ${listing.currency} per seat)`;
  const terms = (o: CatalogListing["offers"][number]): string =>
    o.terms.map((x) => `${x.term}/${x.billing} ${x.price === null ? "unpriced" : `${amount(x.price)}/${x.per === "3 years" ? "3 yr" : x.per === "year" ? "yr" : "mo"}`}`).join(", ");
  const upgrades = (o: CatalogListing["offers"][number]): string => (o.upgradesTo.length === 0 ? "none" : o.upgradesTo.map((u) => `${u.offer}${u.name === null ? "" : ` ${u.name}`}`).join(", "));
  switch (format) {
    case "json":
      return json(catalogJson(origin, listing));
    case "markdown": {
      const out = [`**seatplan catalog**: ${md(head)}`];
      if (n > 0) out.push("", "| Offer | Name | Terms and prices | Seats | Segment | Upgrades to |", "|---|---|---|---|---|---|");
      for (const o of listing.offers) out.push(`| \`${o.offer}\` | ${md(o.name)} | ${md(terms(o))} | ${o.minQuantity}–${o.maxQuantity} | ${o.segment} | ${md(upgrades(o))} |`);
      return `${out.join("\n")}\n`;
    }
    case "text": {
      const width = options.width ?? DEFAULT_WIDTH;
      const out = [...paragraph(t(`seatplan catalog: ${head}`), width, "")];
      for (const o of listing.offers) {
        out.push("", t(`${o.offer}  ${o.name}`));
        out.push(...paragraph(t(`terms:  ${terms(o)}`), width, "    ", "            "));
        out.push(...paragraph(`seats:  ${o.minQuantity}–${o.maxQuantity} · ${o.segment} · ${o.family}`, width, "    ", "            "));
        out.push(...paragraph(t(`upgrades to: ${upgrades(o)}`), width, "    ", "            "));
      }
      return `${out.join("\n")}\n`;
    }
  }
}
