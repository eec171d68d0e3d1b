import { resolve } from "node:path";
import { type Command, Option } from "commander";
import { type AuditRecord, type AuditSnapshot, DEFAULT_AUDIT_LOG, readAuditLog } from "../../audit";
import { type CliIO, EXIT } from "../io";
import { instantOption } from "../planning";

interface HistoryOptions {
  readonly customer?: string;
  readonly since?: string;
  readonly format: "text" | "json";
}

/**
 * `seatplan history [--customer KEY] [--since ISO] [--format text|json]`: the writes recorded in
 * the audit log (`SEATPLAN_AUDIT_LOG`, default `.seatplan/audit.jsonl`), oldest first, from
 * `seatplan apply` and the Pulumi provider alike. Exit 1 when the log has unreadable lines
 * (they are named; the readable ones are still printed).
 */
export function registerHistory(program: Command, io: CliIO, setExit: (code: number) => void): void {
  program
    .command("history")
    .description("list the writes recorded in the audit log (SEATPLAN_AUDIT_LOG)")
    .option("--customer <key>", "only this customer (key of the YAML, or tenant id)")
    .option("--since <iso>", "only writes at or after this instant (ISO 8601)")
    .addOption(new Option("--format <format>", "text for a terminal, json (one array) for machines").choices(["text", "json"]).default("text"))
    .action((options: HistoryOptions) => {
      setExit(runHistory(options, io));
    });
}

function runHistory(options: HistoryOptions, io: CliIO): number {
  const since = instantOption(options.since, "--since");
  const path = io.env["SEATPLAN_AUDIT_LOG"] || DEFAULT_AUDIT_LOG;
  const { records, bad } = readAuditLog(resolve(io.cwd, path));
  const customer = options.customer?.toLowerCase();
  const shown = records.filter(
    (r) => (customer === undefined || r.customer === options.customer || r.tenantId.toLowerCase() === customer) && (since === undefined || Date.parse(r.time) >= since.getTime()),
  );
  if (options.format === "json") io.stdout(`${JSON.stringify(shown, null, 2)}\n`);
  else io.stdout(historyText(shown, path));
  if (bad.length > 0) {
    io.stderr(`seatplan: ${path}: ${bad.length === 1 ? `line ${bad.join("")} is not an audit record` : `lines ${bad.join(", ")} are not audit records`} (skipped)\n`);
    return EXIT.error;
  }
  return EXIT.ok;
}

function snapshot(s: AuditSnapshot | null): string {
  if (s === null) return "—";
  const renewal = s.renewal === null ? "" : `, renews ${s.renewal.quantity} × ${s.renewal.offer} ${s.renewal.term}/${s.renewal.billing}`;
  return `${s.quantity} × ${s.offer}, ${s.status}, auto-renew ${s.autoRenew ? "on" : "off"}${renewal}`;
}

/** Terminal-safe: control characters (from a tenant's names, say) are shown escaped. */
function safe(s: string): string {
  return s.replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

function historyText(records: readonly AuditRecord[], path: string): string {
  if (records.length === 0) return `No writes recorded in ${safe(path)}.\n`;
  return records
    .map((r) => {
      const lines = [
        `${r.time}  ${r.outcome === "done" ? "done  " : "FAILED"}  ${r.customer}/${r.subscription}  ${r.action}  (${r.source}, ${r.backend}${r.planId === null ? "" : `, plan ${r.planId}`})`,
        `    subscription ${r.subscriptionId ?? "—"}, request ${r.requestId}`,
        `    before: ${snapshot(r.before)}`,
        `    after:  ${snapshot(r.after)}`,
        ...(r.outcome === "failed" ? [`    error:  [${r.code ?? "?"}] ${r.message ?? ""}`] : []),
      ];
      return lines.map((l) => `${safe(l)}\n`).join("");
    })
    .join("");
}
