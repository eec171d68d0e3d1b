import { createHash } from "node:crypto";
import { formatWireDate } from "../../wire/partner-center";
import type { BillingCycle, Term } from "../../domain/types";
import { parseInstant, utcMs } from "../dates";
import { CODES, SimError } from "../errors";
import type { SeatLotRecord, SimSubscription } from "../state";

/** Value parsing and small helpers shared by every resource of the commerce state machine. */

export type Eligibility = "immediate" | "scheduled";

const TERM_VALUES: Readonly<Record<string, Term>> = { p1m: "P1M", p1y: "P1Y", p3y: "P3Y" };
const BILLING_VALUES: Readonly<Record<string, BillingCycle>> = { monthly: "monthly", annual: "annual", triennial: "triennial" };

export function enumKey(value: unknown): string {
  return typeof value === "string" ? value.replace(/_/g, "").toLowerCase() : "";
}

export function invalidInput(description: string): SimError {
  return new SimError(400, CODES.invalidInput, `Invalid request input: ${description}`);
}

export function termOf(value: unknown, what: string): Term {
  const term = TERM_VALUES[enumKey(value)];
  if (!term) throw invalidInput(`${what} must be P1M, P1Y or P3Y (got ${JSON.stringify(value)})`);
  return term;
}

export function billingOf(value: unknown, what: string): BillingCycle {
  const billing = BILLING_VALUES[enumKey(value)];
  if (!billing) throw invalidInput(`${what} must be monthly, annual or triennial (got ${JSON.stringify(value)})`);
  return billing;
}

export function instantOf(value: unknown, what: string): number {
  const ms = parseInstant(value);
  if (Number.isNaN(ms)) throw invalidInput(`${what} must be an ISO 8601 date (got ${JSON.stringify(value)})`);
  return ms;
}

export function day(ms: number): string {
  return formatWireDate(ms).slice(0, 10);
}

/** Take `count` seats out of `lots` (mutated), batches closing soonest first; returns them. */
export function takeSeats(lots: SeatLotRecord[], count: number): SeatLotRecord[] {
  const taken: SeatLotRecord[] = [];
  let left = count;
  const order = [...lots].sort((a, b) => utcMs(a.allowedUntilDateTime) - utcMs(b.allowedUntilDateTime));
  for (const lot of order) {
    if (left === 0) break;
    const n = Math.min(lot.quantity, left);
    lot.quantity -= n;
    left -= n;
    taken.push({ quantity: n, allowedUntilDateTime: lot.allowedUntilDateTime });
  }
  return taken;
}

export function hash(text: string): string {
  return createHash("sha256").update(text).digest("base64url").slice(0, 20);
}

/** The subscription's etag: stored, or (hand-written files) derived from its content. */
export function etagOf(sub: SimSubscription): string {
  if (sub.attributes?.etag !== undefined) return sub.attributes.etag;
  const { attributes: _attributes, ...content } = sub;
  return hash(JSON.stringify(content));
}
