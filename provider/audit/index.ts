import { closeSync, mkdirSync, openSync, readFileSync, writeSync } from "node:fs";
import { dirname } from "node:path";
import type { IsoDate, ObservedSubscription } from "../domain/types";
import { redactorFor } from "../http/redact";

/**
 * The audit log (issue 8): one JSON line per write, from `seatplan apply` and from the Pulumi
 * provider alike, appended to `SEATPLAN_AUDIT_LOG` (default `.seatplan/audit.jsonl`). It answers
 * "which write was made, when, with which request id, and what did it change". It never holds a
 * secret: records carry only subscription facts, and every line is scrubbed of the secret values
 * the caller knows before it is written.
 */

/** The default path, relative to the working directory. */
export const DEFAULT_AUDIT_LOG = ".seatplan/audit.jsonl";

/** What a write changes, before and after (the fields a reviewer checks). */
export interface AuditSnapshot {
  readonly quantity: number;
  readonly autoRenew: boolean;
  /** The scheduled renewal (`offer term/billing ×quantity`), null when it renews as it is. */
  readonly renewal: { readonly offer: string; readonly term: string; readonly billing: string; readonly quantity: number } | null;
  readonly status: string;
  readonly offer: string;
}

export interface AuditRecord {
  /** When the write finished (real clock, ISO 8601 UTC). */
  readonly time: IsoDate;
  /** `simulator`, `partner-center`, … */
  readonly backend: string;
  /** `cli` (`seatplan apply`) or `pulumi` (the provider). */
  readonly source: "cli" | "pulumi";
  /** Customer key of the YAML, and its tenant id. */
  readonly customer: string;
  readonly tenantId: string;
  /** Subscription key of the YAML, and the subscription id (null before a purchase). */
  readonly subscription: string;
  readonly subscriptionId: string | null;
  /** The plan's action (`increase-quantity`, `cancel`, …). */
  readonly action: string;
  /** The idempotency key sent with the write (Partner Center `MS-RequestId`). */
  readonly requestId: string;
  readonly before: AuditSnapshot | null;
  readonly after: AuditSnapshot | null;
  /** `done`, or `failed` with the backend's code and message. */
  readonly outcome: "done" | "failed";
  readonly code: string | null;
  readonly message: string | null;
  /** The id of the plan `seatplan apply` ran (saved, or made from a YAML file in the same run); null for a Pulumi write. */
  readonly planId: string | null;
}

export function snapshotOf(s: ObservedSubscription | null | undefined): AuditSnapshot | null {
  if (s === null || s === undefined) return null;
  const r = s.scheduledRenewal;
  return {
    quantity: s.quantity,
    autoRenew: s.autoRenew,
    renewal: r === null ? null : { offer: r.offer, term: r.term, billing: r.billing, quantity: r.quantity },
    status: s.status,
    offer: s.offer,
  };
}

/** Receives one record per write; the executor awaits it before the next write. */
export type AuditSink = (record: AuditRecord) => void;

/**
 * A sink appending to `path` (directories created). Each line goes out in one `write` on a file
 * opened with O_APPEND, so concurrent writers (a CLI apply and a Pulumi provider host) never
 * interleave inside a line. `secrets`: values that must never appear (credentials of the run);
 * any occurrence is replaced before the line is written.
 */
export function fileAuditSink(path: string, secrets: readonly (string | undefined)[] = []): AuditSink {
  const redactLine = redactorFor(secrets);
  return (record) => {
    // The same redaction as errors and logs: these secrets, every token the process obtained, and
    // credential-shaped keys — so a token echoed into a failed write's message never lands here.
    const line = `${redactLine(JSON.stringify(record))}\n`;
    mkdirSync(dirname(path), { recursive: true });
    const fd = openSync(path, "a", 0o600);
    try {
      writeSync(fd, line);
    } finally {
      closeSync(fd);
    }
  };
}

/** Every record of the log, oldest first; a missing file is an empty log. Unreadable lines are reported, not skipped silently. */
export function readAuditLog(path: string): { readonly records: AuditRecord[]; readonly bad: number[] } {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return { records: [], bad: [] };
    throw e;
  }
  const records: AuditRecord[] = [];
  const bad: number[] = [];
  text.split("\n").forEach((line, i) => {
    if (line.trim() === "") return;
    try {
      const parsed = JSON.parse(line) as unknown;
      if (typeof parsed === "object" && parsed !== null && typeof (parsed as { time?: unknown }).time === "string") records.push(parsed as AuditRecord);
      else bad.push(i + 1);
    } catch {
      bad.push(i + 1);
    }
  });
  return { records, bad };
}
