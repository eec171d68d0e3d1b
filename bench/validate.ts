/**
 * Benchmark: validate a generated desired-state file of 500 customers × 10 subscriptions.
 * Run with `npm run bench:validate`; prints the median of several runs. Timings only, no
 * assertion: machines differ.
 */
import { performance } from "node:perf_hooks";
import { parseDesired } from "../provider/desired";
import { guid, OFFERS } from "./support";

const CUSTOMERS = 500;
const SUBSCRIPTIONS = 10;
const RUNS = 7;

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

const text = generate();
const times: number[] = [];
for (let run = 0; run < RUNS; run++) {
  const start = performance.now();
  const { state, issues } = parseDesired(text, "bench.yaml");
  times.push(performance.now() - start);
  if (state === undefined) throw new Error(`generated file is invalid: ${issues[0]?.message ?? "?"}`);
}
const sorted = [...times].sort((a, b) => a - b);
const median = sorted[Math.floor(sorted.length / 2)] ?? 0;
console.log(
  `validate: ${CUSTOMERS} customers × ${SUBSCRIPTIONS} subscriptions (${(text.length / 1024).toFixed(0)} KiB, ${text.split("\n").length - 1} lines), ` +
    `${RUNS} runs: median ${median.toFixed(1)} ms (min ${(sorted[0] ?? 0).toFixed(1)}, max ${(sorted.at(-1) ?? 0).toFixed(1)}; the first run includes compiling the schema)`,
);
