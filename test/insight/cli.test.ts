import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { CliIO } from "../../provider/cli/io";
import { main } from "../../provider/cli/main";
import type { Plan } from "../../provider/domain/types";
import { DEMO_CUSTOMERS, DEMO_SUBSCRIPTIONS, demoState } from "../../provider/simulator/demo";
import { NOW } from "../plan/fixtures";

/** `seatplan renewals | usage | catalog` and `export` through `main`, on the demo tenant at NOW. */

const QUICKSTART = readFileSync(join(__dirname, "..", "..", "examples", "quickstart", "licences.yaml"), "utf8");

describe("seatplan renewals, usage, catalog", () => {
  let dir: string;
  let out: string[];
  let err: string[];
  let env: Record<string, string | undefined>;
  let columns: number | undefined;
  const io = (): CliIO => ({ stdout: (t) => out.push(t), stderr: (t) => err.push(t), env, cwd: dir, isTTY: columns !== undefined, ...(columns === undefined ? {} : { columns }) });
  const run = async (...argv: string[]): Promise<{ code: number; out: string; err: string }> => {
    out = [];
    err = [];
    const code = await main(["node", "seatplan", ...argv], io());
    return { code, out: out.join(""), err: err.join("") };
  };
  const write = (name: string, text: string): string => {
    writeFileSync(join(dir, name), text);
    return name;
  };
  const widest = (text: string): number => Math.max(...text.split("\n").map((l) => [...l].length));

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "seatplan-insight-"));
    env = { SEATPLAN_SIMULATOR_STATE: "sim.json" };
    columns = undefined;
    writeFileSync(join(dir, "sim.json"), JSON.stringify(demoState(Date.parse(NOW))));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  describe("renewals", () => {
    it("lists every window and renewal of the next 30 days, by date, with money and the YAML hint", async () => {
      const r = await run("renewals", "--format", "json");
      expect([r.code, r.err]).toEqual([0, ""]);
      const json = JSON.parse(r.out) as { now: string; until: string; backend: string; entries: Record<string, unknown>[] };
      expect(Object.keys(json)).toEqual(["version", "now", "until", "backend", "entries"]);
      expect([json.now, json.until, json.backend]).toEqual([NOW, "2026-12-23T10:00:00.000Z", "simulator"]);
      expect(json.entries.map((e) => [e["date"], e["kind"], `${String(e["customer"])}/${String(e["subscription"])}`, e["subscriptionId"]])).toEqual([
        ["2026-11-27T10:00:00.000Z", "reduction-window", "northwind-traders/business-standard", DEMO_SUBSCRIPTIONS.businessStandard],
        ["2026-11-28T00:00:00.000Z", "reduction-window", "rockit/business-basic", DEMO_SUBSCRIPTIONS.businessBasic],
        ["2026-11-28T00:00:00.000Z", "cancellation-deadline", "rockit/business-basic", DEMO_SUBSCRIPTIONS.businessBasic],
        ["2026-12-11T00:00:00.000Z", "renewal", "rockit/teams-essentials", DEMO_SUBSCRIPTIONS.teamsEssentials],
        ["2026-12-13T00:00:00.000Z", "renewal", "rockit/apps-for-business", DEMO_SUBSCRIPTIONS.appsForBusiness],
        ["2026-12-18T00:00:00.000Z", "trial-conversion", "rockit/premium-trial", DEMO_SUBSCRIPTIONS.premiumTrial],
      ]);
      for (const e of json.entries) {
        expect(Object.keys(e)).toEqual(["date", "kind", "customer", "customerName", "subscription", "subscriptionId", "managed", "offer", "product", "seats", "what", "money", "hint", "edits", "drift"]);
        expect(e["money"]).toEqual({ currency: "EUR", annual: expect.any(Number) as number });
        expect(typeof e["hint"]).toBe("string");
      }
      const apps = json.entries.find((e) => e["subscription"] === "apps-for-business");
      expect(apps).toMatchObject({
        product: "Microsoft 365 Apps for business",
        seats: 3,
        money: { currency: "EUR", annual: 316.8 },
        hint: "set renewal.quantity: 2 to renew only the 2 assigned seats, 105.60 EUR a year less; or autoRenew: false to end it at term end",
        edits: [{ path: "renewal.quantity", value: 2 }],
      });
    });

    it("reads well in 80 columns, in a wide terminal, and as markdown", async () => {
      const text = await run("renewals", write("l.yaml", QUICKSTART));
      expect(text.code).toBe(0);
      expect(widest(text.out)).toBeLessThanOrEqual(80);
      expect(text.out).toContain("    drift: the tenant renews 4 seats, the YAML says 2 seats");
      columns = 132;
      expect(widest((await run("renewals", "l.yaml")).out)).toBeLessThanOrEqual(132);
      const md = await run("renewals", "l.yaml", "--format", "markdown");
      expect(md.out).toContain("| Date | Decision | Customer | Subscription | At stake / yr | What happens | YAML change |");
      expect(md.out).toContain("| 2026-12-13T00:00:00Z | renewal | Rockit | apps-for-business | 316.80 EUR |");
      expect(md.out).toContain("<br>**Drift:** the tenant renews 3 seats, the YAML says 4 seats");
    });

    it("narrows to a customer and a window", async () => {
      const r = await run("renewals", "--customer", "rockit", "--within", "5d", "--format", "json");
      const json = JSON.parse(r.out) as { entries: { kind: string; customer: string }[] };
      expect(json.entries.map((e) => [e.customer, e.kind])).toEqual([
        ["rockit", "reduction-window"],
        ["rockit", "cancellation-deadline"],
      ]);
    });

    it.each([
      [["--within", "soon"], 'seatplan: --within must be a duration such as 30d, 2w, 12h or P30D (got "soon")\n'],
      [["--propose"], "seatplan: --propose edits a YAML file: name it, e.g. seatplan renewals licences.yaml --propose\n"],
      [["--headroom", "2"], "seatplan: --headroom goes with --propose\n"],
      [["l.yaml", "--propose", "--headroom", "lots"], 'seatplan: --headroom must be a number of seats or a percentage such as 2 or 10% (got "lots")\n'],
    ])("exits 1 on %j before any backend call", async (args, message) => {
      write("l.yaml", QUICKSTART);
      rmSync(join(dir, "sim.json"));
      const r = await run("renewals", ...args);
      expect([r.code, r.err]).toEqual([1, message]);
      expect(existsSync(join(dir, "sim.json"))).toBe(false);
    });
  });

  describe("renewals --propose", () => {
    const exported = async (): Promise<string> => {
      expect((await run("export", "--out", "licences.yaml")).code).toBe(0);
      return readFileSync(join(dir, "licences.yaml"), "utf8");
    };

    it("changes only renewal quantities, keeps comments, and the re-plan shows exactly those at-renewal steps", async () => {
      // The export plans to no changes; add a hand-written comment and an existing renewal.quantity.
      const before = (await exported()).replace("      teams-essentials:\n", "      teams-essentials:   # the team's chat\n");
      write("licences.yaml", before);
      expect((await run("plan", "licences.yaml", "--format", "json")).out).toContain('"steps": []');
      const r = await run("renewals", "licences.yaml", "--propose");
      expect([r.code, r.err]).toEqual([0, ""]);
      expect(r.out.replace(/\s+/g, " ")).toContain("licences.yaml: 2 renewal quantities brought down to the assigned seats + headroom 0, saving 220.80 EUR a year");
      const after = readFileSync(join(dir, "licences.yaml"), "utf8");
      // Only added lines, each one a renewal block.
      const added = after.split("\n").filter((l, i, all) => all.filter((x) => x === l).length > before.split("\n").filter((x) => x === l).length || !before.includes(l));
      expect(added.map((l) => l.trim())).toEqual(["renewal:", "quantity: 2", "renewal:", "quantity: 2"]);
      expect(after.split("\n").filter((l) => !/^\s+(renewal:|quantity: 2)$/.test(l) || before.split("\n").includes(l)).join("\n")).toBe(before);
      expect(after).toContain("teams-essentials:   # the team's chat");
      expect(after).toContain("offer: CFQ7TTC0LH1G:0001 # Microsoft 365 Apps for business");
      const plan = JSON.parse((await run("plan", "licences.yaml", "--format", "json")).out) as Plan;
      expect(plan.steps.map((s) => [s.subscription, s.action, s.timing, s.to])).toEqual([
        ["apps-for-business", "schedule-renewal", "at-renewal", { billing: "annual", offer: "CFQ7TTC0LH1G:0001", quantity: 2, term: "P1Y" }],
        ["teams-essentials", "schedule-renewal", "at-renewal", { billing: "monthly", offer: "CFQ7TTC0JN4R:0002", quantity: 2, term: "P1M" }],
      ]);
    });

    it("rewrites an existing renewal.quantity in place and keeps the headroom", async () => {
      const yaml = `# yaml-language-server: $schema=schema.json
version: 1
customers:
  rockit:
    tenantId: ${DEMO_CUSTOMERS.rockit}
    subscriptions:
      apps-for-business:
        id: ${DEMO_SUBSCRIPTIONS.appsForBusiness}
        offer: CFQ7TTC0LH1G:0001     # aligned comment
        term: P1Y
        billing: annual
        quantity: 3
        renewal:
          term: P1Y
          quantity: 3                # keep three for now
      teams-essentials:
        offer: CFQ7TTC0JN4R:0002
        term: P1M
        billing: monthly
        quantity: 4
        renewal: { quantity: 3 }
`;
      write("l.yaml", yaml);
      // 2 assigned + 50 % (1 seat) = 3: apps drops 3 → 3 (nothing), teams already 3 (nothing).
      expect((await run("renewals", "l.yaml", "--propose", "--headroom", "50%")).out).toContain("no renewal to bring down");
      expect(readFileSync(join(dir, "l.yaml"), "utf8")).toBe(yaml);
      // Headroom 0: apps 3 → 2 in place; the flow mapping of teams is rewritten by the parser's own edit.
      const r = await run("renewals", "l.yaml", "--propose", "--format", "json");
      expect(r.code).toBe(0);
      const json = JSON.parse(r.out) as { proposals: Record<string, unknown>[] };
      expect(json.proposals.map((p) => [p["subscription"], p["from"], p["to"], p["assigned"], p["headroom"]])).toEqual([
        ["teams-essentials", 3, 2, 2, 0],
        ["apps-for-business", 3, 2, 2, 0],
      ]);
      const after = readFileSync(join(dir, "l.yaml"), "utf8");
      expect(after).toContain("          quantity: 2                # keep three for now\n");
      expect(after).toContain("        offer: CFQ7TTC0LH1G:0001     # aligned comment\n");
      expect(after).toContain("renewal: { quantity: 2 }");
    });

    it("leaves the file byte for byte alone when no renewal falls in the window", async () => {
      write("l.yaml", QUICKSTART);
      const r = await run("renewals", "l.yaml", "--propose", "--within", "1h");
      expect(r.code).toBe(0);
      expect(readFileSync(join(dir, "l.yaml"), "utf8")).toBe(QUICKSTART);
    });
  });

  describe("usage", () => {
    it("reports purchased, assigned and unused per subscription, with totals per customer and overall", async () => {
      const r = await run("usage", "--format", "json");
      expect([r.code, r.err]).toEqual([0, ""]);
      const json = JSON.parse(r.out) as {
        access: null;
        customers: { customer: string; name: string; usageAvailable: boolean; subscriptions: Record<string, unknown>[]; totals: object }[];
        totals: object;
      };
      expect(Object.keys(json)).toEqual(["version", "now", "backend", "currency", "access", "customers", "totals"]);
      expect(json.access).toBeNull();
      const nw = json.customers.find((c) => c.customer === "northwind-traders");
      expect(nw?.name).toBe("Northwind Traders");
      expect(nw?.subscriptions.map((s) => [s["subscription"], s["purchased"], s["assigned"], s["unused"], s["unusedAnnualCost"]])).toEqual([
        ["business-standard", 8, 6, 2, 315.12],
        ["exchange-plan-1", 10, 9, 1, 48],
        ["unmanaged-e1", 2, 0, 2, 240],
      ]);
      expect(Object.keys(nw?.subscriptions[0] ?? {})).toEqual([
        "subscription", "subscriptionId", "offer", "product", "term", "billing", "isTrial", "renewsAt", "purchased", "assigned", "unused", "unusedAnnualCost",
      ]);
      expect(nw?.totals).toEqual({ purchased: 20, assigned: 15, unused: 5, unusedAnnualCost: 603.12 });
      expect(json.totals).toEqual({ purchased: 57, assigned: 22, unused: 35, unusedAnnualCost: 975.12 });
    });

    it("fits 80 columns as text and names one customer", async () => {
      const r = await run("usage", "--customer", "rockit");
      expect(r.code).toBe(0);
      expect(widest(r.out)).toBeLessThanOrEqual(80);
      expect(r.out).toContain("rockit · Rockit");
      expect(r.out).not.toContain("Northwind");
      expect(r.out).toContain("Overall: 37 bought, 7 assigned, 30 unused: 372.00 EUR a year for unused seats");
    });
  });

  describe("catalog", () => {
    it('search "business premium" finds CFQ7TTC0LCHC:0002 with its terms and prices', async () => {
      const r = await run("catalog", "search", "business premium", "--format", "json");
      expect(r.code).toBe(0);
      const json = JSON.parse(r.out) as { offers: { offer: string; name: string; terms: object[]; maxQuantity: number; upgradesTo: object[] }[] };
      expect(json.offers.map((o) => [o.offer, o.name, o.maxQuantity])).toEqual([["CFQ7TTC0LCHC:0002", "Microsoft 365 Business Premium", 300]]);
      expect(json.offers[0]?.terms).toEqual([
        { term: "P1M", billing: "monthly", price: 26.4, per: "month", annual: 316.8 },
        { term: "P1Y", billing: "monthly", price: 23.1, per: "month", annual: 277.2 },
        { term: "P1Y", billing: "annual", price: 264, per: "year", annual: 264 },
      ]);
      const text = await run("catalog", "search", "business", "premium");
      expect(text.out).toContain("CFQ7TTC0LCHC:0002  Microsoft 365 Business Premium\n    terms:  P1M/monthly 26.40/mo, P1Y/monthly 23.10/mo, P1Y/annual 264.00/yr\n");
    });

    it("lists every offer in 80 columns with its upgrade targets, and exits 1 when a search finds nothing", async () => {
      const all = await run("catalog");
      expect(all.code).toBe(0);
      expect(widest(all.out)).toBeLessThanOrEqual(80);
      expect(all.out).toContain("upgrades to: CFQ7TTC0LDPB:0001 Microsoft 365 Business Standard,");
      expect((await run("catalog", "search", "no such product")).code).toBe(1);
      expect((await run("catalog", "find", "x")).err).toBe('seatplan: unknown catalog command "find": use seatplan catalog, or seatplan catalog search TEXT\n');
    });
  });

  describe("plan and export read better", () => {
    it("plan text shows product names and fits 80 columns; markdown names the customer", async () => {
      write("l.yaml", QUICKSTART);
      const text = await run("plan", "l.yaml");
      expect(text.out).toContain("Microsoft Teams Essentials [CFQ7TTC0JN4R:0002]: 4 → 2 seats, P1M/monthly");
      expect(widest(text.out)).toBeLessThanOrEqual(80);
      expect((await run("plan", "l.yaml", "--format", "markdown")).out).toContain("### Northwind Traders (northwind)");
    });

    it("export writes the schema line, product names and term end dates as comments", async () => {
      expect((await run("export", "--out", "licences.yaml")).code).toBe(0);
      const text = readFileSync(join(dir, "licences.yaml"), "utf8");
      const schema = /^# yaml-language-server: \$schema=(.+)$/m.exec(text)?.[1] ?? "";
      expect(existsSync(join(dir, schema))).toBe(true);
      expect(text).toContain("        offer: CFQ7TTC0LH1G:0001 # Microsoft 365 Apps for business\n        term: P1Y # ends 2026-12-12, renews 2026-12-13\n");
      expect(text).toContain("        term: P1M # ends 2026-12-17, converts to paid 2026-12-18\n");
      expect(text).toContain("        term: P1Y # ends 2027-09-23, does not renew\n");
    });
  });
});
