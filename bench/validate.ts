/**
 * Benchmark: `seatplan validate` of a generated desired-state file of 500 customers × 10
 * subscriptions, as a process (what a user and CI wait for), against its floor: a process that
 * only loads the `yaml` package and parses the same file with positions (bench/validate-floor).
 * Interleaved runs of both in the same run; prints the medians, the ratio and each one's peak
 * RSS, plus the in-process parse time. Run with `npm run bench:validate`. Timings only, no
 * assertion: machines differ.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { performance } from "node:perf_hooks";
import { parseDesired } from "../provider/desired";
import { guid, median, OFFERS, peakRss, ratio } from "./support";

const CUSTOMERS = 500;
const SUBSCRIPTIONS = 10;
const RUNS = 9;
const ROOT = resolve(__dirname, "..", "..", "..");

const TERMS = [
  ["P1Y", "annual"],
  ["P1Y", "monthly"],
  ["P1M", "monthly"],
  ["P3Y", "triennial"],
] as const;

function generate(): string {
  const out = ["# yaml-language-server: $schema=../schema/seatplan.schema.json", "version: 1", "customers:"];
  for (let c = 0; c < CUSTOMERS; c++) {
    out.push(`  customer-${c}:`, `    tenantId: ${guid(c, 0)}`, `    name: Customer ${c}`, "    subscriptions:");
    for (let s = 0; s < SUBSCRIPTIONS; s++) {
      const [term, billing] = TERMS[s % TERMS.length] ?? ["P1Y", "annual"];
      out.push(
        `      sub-${s}:`,
        `        id: ${guid(c, s + 1)}`,
        `        offer: ${OFFERS[s % OFFERS.length] ?? ""}`,
        `        term: ${term}`,
        `        billing: ${billing}`,
        `        quantity: ${1 + ((c + s) % 50)}`,
      );
      if (s % 3 === 0) out.push("        renewal:", `          quantity: ${1 + ((c + s) % 40)}`);
      if (s % 3 === 1) out.push("        autoRenew: false");
    }
  }
  return `${out.join("\n")}\n`;
}

/** Wall time (ms) and peak RSS (MiB) of one process run. */
function timedProcess(args: readonly string[]): { ms: number; rssMiB: number } {
  const start = performance.now();
  // GNU time would give the RSS too; /proc of a finished child is gone, so the child reports it.
  const result = spawnSync(process.execPath, ["--require", join(ROOT, "bench", "report-rss.js"), ...args], { cwd: ROOT, encoding: "utf8" });
  const ms = performance.now() - start;
  if (result.status !== 0) throw new Error(`${args.join(" ")} exited ${String(result.status)}: ${result.stderr}`);
  const rss = /peak-rss-kib=(\d+)/.exec(result.stderr)?.[1];
  return { ms, rssMiB: Number(rss ?? 0) / 1024 };
}

function main(): void {
  const dir = mkdtempSync(join(tmpdir(), "seatplan-bench-validate-"));
  try {
    const text = generate();
    const file = join(dir, "licences.yaml");
    writeFileSync(file, text);
    // Check the CLI is built and the file valid before timing anything.
    execFileSync(process.execPath, [join(ROOT, "bin", "seatplan.js"), "validate", file], { stdio: "pipe" });
    const runs = { seatplan: [] as number[], floor: [] as number[], seatplanRss: 0, floorRss: 0 };
    for (let run = 0; run < RUNS; run++) {
      const a = timedProcess([join(ROOT, "bin", "seatplan.js"), "validate", file]);
      const b = timedProcess([join(__dirname, "validate-floor.js"), file]);
      runs.seatplan.push(a.ms);
      runs.floor.push(b.ms);
      runs.seatplanRss = Math.max(runs.seatplanRss, a.rssMiB);
      runs.floorRss = Math.max(runs.floorRss, b.rssMiB);
    }
    const inProcess: number[] = [];
    for (let run = 0; run < RUNS; run++) {
      const start = performance.now();
      const { state, issues } = parseDesired(text, "bench.yaml");
      inProcess.push(performance.now() - start);
      if (state === undefined) throw new Error(`generated file is invalid: ${issues[0]?.message ?? "?"}`);
    }
    const [s, f] = [median(runs.seatplan), median(runs.floor)];
    console.log(`validate: ${CUSTOMERS} customers × ${SUBSCRIPTIONS} subscriptions (${(text.length / 1024).toFixed(0)} KiB, ${text.split("\n").length - 1} lines), ${RUNS} interleaved runs each`);
    console.log(`  seatplan validate (process)        median ${s.toFixed(0)} ms, peak RSS ${runs.seatplanRss.toFixed(0)} MiB`);
    console.log(`  floor: load yaml + parse (process) median ${f.toFixed(0)} ms, peak RSS ${runs.floorRss.toFixed(0)} MiB`);
    console.log(`  ratio to the floor: ${ratio(s, f)} (target ≤ 1.25×)`);
    console.log(`  in process: parseDesired median ${median(inProcess).toFixed(0)} ms (the first run compiles the schema); this process's peak RSS ${peakRss()} MiB`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main();
