import { isMap, isScalar, type Node, parseDocument, type Range } from "yaml";
import type { IsoDate } from "../domain/types";
import { compare, resolveCustomer } from "../plan/resolve";
import { renewalAt, yearlyCost } from "../rules/support";
import type { Catalog } from "../domain/types";
import { assignedBySubscription } from "./usage";
import { type Money, round2, type TenantCustomer } from "./types";

/**
 * `seatplan renewals FILE --propose`: renewal quantities brought down to the seats assigned plus
 * a headroom, for the renewals in the window, written into the YAML file with its comments and
 * layout kept (only the `renewal.quantity` values change or appear). Pure: text in, text out.
 */

/** `--headroom N` (seats) or `--headroom P%` (of the assigned seats, rounded up). */
export type Headroom = { readonly seats: number } | { readonly percent: number };

export function parseHeadroom(text: string): Headroom | null {
  const m = /^(\d{1,6})(%?)$/.exec(text.trim());
  if (m === null) return null;
  const n = Number(m[1]);
  return m[2] === "%" ? { percent: n } : { seats: n };
}

export function headroomFor(h: Headroom, assigned: number): number {
  return "seats" in h ? h.seats : Math.ceil((assigned * h.percent) / 100);
}

export interface Proposal {
  readonly customer: string;
  readonly subscription: string;
  readonly subscriptionId: string;
  readonly renewsAt: IsoDate;
  readonly assigned: number;
  readonly headroom: number;
  /** The seats renewing per the YAML before the edit. */
  readonly from: number;
  readonly to: number;
  /** What renewing `to` instead of `from` seats saves a year. */
  readonly saving: Money | null;
}

export interface ProposeInput {
  readonly customers: readonly TenantCustomer[];
  readonly catalog: Catalog;
  readonly now: Date;
  readonly until: Date;
  readonly headroom: Headroom;
}

/**
 * Every YAML entry whose subscription renews in the window (auto-renew on in the YAML and the
 * tenant; trials excluded: converting one is a purchase decision) and renews more seats than are
 * assigned plus the headroom. Needs usage: a customer without it gets no proposal.
 */
export function proposals(input: ProposeInput): Proposal[] {
  const out: Proposal[] = [];
  for (const customer of input.customers) {
    if (customer.desired === undefined) continue;
    const assigned = assignedBySubscription(customer);
    if (assigned === null) continue;
    for (const entry of resolveCustomer(customer.desired, customer.subscriptions)) {
      const m = entry.match;
      if (m.kind !== "id" && m.kind !== "friendlyName") continue;
      const s = m.observed;
      const { desired } = entry;
      if (s.status !== "active" || s.isTrial || !s.autoRenew || desired.status !== "active" || !desired.autoRenew) continue;
      const at = renewalAt(s.endDate);
      if (Date.parse(at) < input.now.getTime() || Date.parse(at) > input.until.getTime()) continue;
      const used = assigned.get(s.id) ?? 0;
      const headroom = headroomFor(input.headroom, used);
      const from = desired.renewal?.quantity ?? entry.quantity;
      const to = Math.max(1, used + headroom);
      if (to >= from) continue;
      const renews = { offer: desired.renewal?.offer ?? desired.offer, term: desired.renewal?.term ?? desired.term, billing: desired.renewal?.billing ?? desired.billing };
      const saved = yearlyCost(input.catalog, renews, from - to);
      out.push({
        customer: customer.key,
        subscription: desired.key,
        subscriptionId: s.id,
        renewsAt: at,
        assigned: used,
        headroom,
        from,
        to,
        saving: saved === undefined ? null : { currency: input.catalog.currency, annual: round2(saved) },
      });
    }
  }
  return out.sort((a, b) => compare(a.renewsAt, b.renewsAt) || compare(a.customer, b.customer) || compare(a.subscription, b.subscription));
}

interface Splice {
  readonly at: number;
  readonly end: number;
  readonly text: string;
}

/**
 * `text` with `renewal.quantity` set for each proposal. Edits are spliced into the original text
 * at the nodes the YAML parser locates, so every other byte (comments, alignment, quoting, blank
 * lines) stays as it was; the result is parsed again to prove each value landed.
 */
export function writeProposals(text: string, chosen: readonly Proposal[]): string {
  const doc = parseDocument(text);
  const eol = text.includes("\r\n") ? "\r\n" : "\n";
  const splices = chosen.map((p) => spliceFor(text, doc, p, eol));
  let out = text;
  for (const s of [...splices].sort((a, b) => b.at - a.at)) out = out.slice(0, s.at) + s.text + out.slice(s.end);
  const check = parseDocument(out);
  for (const p of chosen) {
    const got: unknown = check.getIn(["customers", p.customer, "subscriptions", p.subscription, "renewal", "quantity"]);
    if (got !== p.to || check.errors.length > 0) {
      throw new Error(`--propose could not write renewal.quantity: ${p.to} for ${p.customer}/${p.subscription}; the file was left unchanged`);
    }
  }
  return out;
}

function rangeOf(node: unknown): Range | null {
  return typeof node === "object" && node !== null && "range" in node ? ((node as Node).range ?? null) : null;
}

function column(text: string, offset: number): number {
  return offset - (text.lastIndexOf("\n", offset - 1) + 1);
}

function spliceFor(text: string, doc: ReturnType<typeof parseDocument>, p: Proposal, eol: string): Splice {
  const path = ["customers", p.customer, "subscriptions", p.subscription];
  const entry: unknown = doc.getIn(path, true);
  const fail = (why: string): never => {
    throw new Error(`--propose cannot edit ${p.customer}/${p.subscription}: ${why}; set renewal.quantity: ${p.to} by hand`);
  };
  if (!isMap(entry) || entry.flow === true) return fail("the entry is not a block mapping");
  const renewal: unknown = entry.get("renewal", true);
  const quantity: unknown = isMap(renewal) ? renewal.get("quantity", true) : undefined;
  if (isScalar(quantity)) {
    const r = rangeOf(quantity);
    if (r === null) return fail("renewal.quantity has no position");
    return { at: r[0], end: r[1], text: String(p.to) };
  }
  const firstKey = entry.items[0]?.key;
  const keyStart = rangeOf(firstKey)?.[0];
  if (keyStart === undefined) return fail("the entry has no keys");
  const indent = " ".repeat(column(text, keyStart));
  if (isMap(renewal)) {
    if (renewal.flow === true) return fail("renewal is a flow mapping");
    const first = rangeOf(renewal.items[0]?.key)?.[0];
    if (first === undefined) return fail("renewal is empty");
    // Before the first key of `renewal:`, at its indentation.
    return { at: first, end: first, text: `quantity: ${p.to}${eol}${" ".repeat(column(text, first))}` };
  }
  // A new `renewal:` block after the entry's last line, one indentation step deeper for its key.
  const end = rangeOf(entry)?.[1];
  if (end === undefined) return fail("the entry has no position");
  const parentKey = rangeOf((doc.getIn(path.slice(0, -1), true) as { items?: { key: unknown }[] } | undefined)?.items?.[0]?.key)?.[0];
  const step = parentKey === undefined ? 2 : Math.max(1, column(text, keyStart) - column(text, parentKey));
  const lineEnd = text.indexOf("\n", end - 1);
  const at = lineEnd < 0 ? text.length : lineEnd + 1;
  const lead = lineEnd < 0 ? eol : "";
  return { at, end: at, text: `${lead}${indent}renewal:${eol}${indent}${" ".repeat(step)}quantity: ${p.to}${eol}` };
}
