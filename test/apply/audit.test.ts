import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterEach, describe, expect, it } from "vitest";
import { type AuditRecord, fileAuditSink, readAuditLog } from "../../provider/audit";
import { requireFreshBuild } from "../pulumi/support";

const run = promisify(execFile);
const BUILT = join(__dirname, "..", "..", "dist", "provider", "audit", "index.js");

function record(i: number, message: string): AuditRecord {
  return {
    time: new Date(Date.UTC(2026, 10, 23, 10, 0, 0, i)).toISOString(),
    backend: "simulator",
    source: "cli",
    customer: "rockit",
    tenantId: "ee2337af-1fb7-44c8-b0ef-e6bf5b59baed",
    subscription: `s${i}`,
    subscriptionId: null,
    action: "cancel",
    requestId: `r${i}`,
    before: null,
    after: null,
    outcome: "failed",
    code: "x",
    message,
    planId: null,
  };
}

describe("the audit log", () => {
  const dirs: string[] = [];
  afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));
  const temp = (): string => {
    const d = mkdtempSync(join(tmpdir(), "seatplan-audit-"));
    dirs.push(d);
    return d;
  };

  it("creates its directory and scrubs the run's secrets from every line", () => {
    const path = join(temp(), "nested", "audit.jsonl");
    const sink = fileAuditSink(path, ["fake-secret-7c1e9a", undefined, ""]);
    sink(record(1, "the token endpoint said: client_secret fake-secret-7c1e9a is invalid"));
    const text = readFileSync(path, "utf8");
    expect(text).not.toContain("fake-secret-7c1e9a");
    expect(readAuditLog(path).records.map((r) => r.message)).toEqual(["the token endpoint said: client_secret [REDACTED] is invalid"]);
  });

  it("keeps every line whole when several processes append at once", async () => {
    requireFreshBuild();
    const path = join(temp(), "audit.jsonl");
    // Lines far larger than a pipe buffer: interleaving would show as broken JSON.
    const writer = (n: number): Promise<unknown> =>
      run(process.execPath, [
        "-e",
        `const { fileAuditSink } = require(${JSON.stringify(BUILT)}); const sink = fileAuditSink(${JSON.stringify(path)});
         for (let i = 0; i < 50; i++) sink({ time: new Date().toISOString(), subscription: "w${n}-" + i, message: "${String(n)}".repeat(20000) });`,
      ]);
    await Promise.all([1, 2, 3, 4].map(writer));
    const { records, bad } = readAuditLog(path);
    expect(bad).toEqual([]);
    expect(records).toHaveLength(200);
    expect(new Set(records.map((r) => r.subscription)).size).toBe(200);
  });
});
