import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { exportYaml } from "../../provider/cli/commands/export";
import { markdownText, terminalLines, terminalText } from "../../provider/domain/escape";
import type { Plan } from "../../provider/domain/types";
import { formatIssues, parseDesired } from "../../provider/desired";
import { renderMarkdown, renderText } from "../../provider/plan";
import { demoState } from "../../provider/simulator/demo";
import { desiredOf, NOW, TENANT, Tenant } from "./fixtures";

/**
 * A live subscription's friendly name (and offer, status) is a tenant's text: printed raw, ANSI
 * and OSC escapes reached the terminal and HTML reached the pull-request comment (issue #9).
 */
const HOSTILE = "Evil\u001b[2J\u001b]0;pwned\u0007\r\nFAKE: all clear <script>alert(1)</script> | [click](https://evil.example) `rm` \u202egnp.exe\u0085";

describe("output escaping at the renderers", () => {
  let tenant: Tenant;
  let plan: Plan;
  beforeAll(async () => {
    const state = demoState(Date.parse(NOW));
    const rockit = state.customers.find((c) => c.id === TENANT);
    const live = rockit?.subscriptions[0];
    if (live === undefined) throw new Error("the demo tenant has no Rockit subscription");
    live.friendlyName = HOSTILE;
    tenant = await Tenant.of(state);
    // Rockit with no entries: every live subscription is listed as unmanaged, names included.
    plan = await tenant.plan(desiredOf(`version: 1\ncustomers:\n  rockit:\n    tenantId: ${TENANT}\n    subscriptions: {}\n`));
  });
  afterAll(() => tenant.close());

  it("the plan holds the name as the tenant wrote it (escaping is the renderer's job, not the data's)", () => {
    expect(plan.unmanaged.map((u) => u.friendlyName)).toContain(HOSTILE);
  });

  it("text: no control character reaches the terminal, the name stays on its line, and is still readable", () => {
    const text = renderText(plan, { color: false });
    expect(text).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202e]/);
    // Long text wraps onto indented lines (80 columns): read the name with them joined.
    const line = text.replace(/\n {2,}/g, " ").split("\n").find((l) => l.includes("Evil"));
    expect(line).toContain("Evil␛[2J␛]0;pwned␇␍␊FAKE: all clear");
    expect(line).toContain("<U+202E>gnp.exe<U+0085>");
    expect(text.split("\n").some((l) => l.startsWith("FAKE"))).toBe(false);
  });

  it("text with colour: only seatplan's own escapes remain", () => {
    const text = renderText(plan, { color: true });
    const escapes = [...text.matchAll(/\u001b\[([0-9;]*)m/g)].map((m) => m[1]);
    expect(escapes.every((e) => ["0", "1", "31", "32", "35", "36"].includes(e ?? ""))).toBe(true);
    expect(text.replace(/\u001b\[[0-9;]*m/g, "")).not.toMatch(/\u001b/);
  });

  it("markdown: no HTML, link, code span or table break from the name", () => {
    const md = renderMarkdown(plan);
    const row = md.split("\n").find((l) => l.includes("Evil")) ?? "";
    expect(md).not.toContain("<script>");
    expect(row).toContain("&lt;script&gt;alert(1)&lt;/script&gt;");
    expect(row).toContain("\\[click\\](https://evil.example)");
    expect(row).toContain("\\`rm\\`");
    expect(row).toContain("\\|");
    // Six columns: seven unescaped pipes.
    expect(row.replace(/\\\|/g, "").split("|")).toHaveLength(8);
    expect(md).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202e]/);
  });

  it.each([
    ["terminalText", terminalText("a\u001b[31mb\nc"), "a␛[31mb␊c"],
    ["terminalLines keeps line breaks", terminalLines("a\u001b]8;;x\u0007b\nc"), "a␛]8;;x␇b\nc"],
    ["markdownText", markdownText("*bold* _x_ ![img](u) <b>&"), "\\*bold\\* \\_x\\_ \\!\\[img\\](u) &lt;b&gt;&amp;"],
  ])("%s", (_name, got, expected) => {
    expect(got).toBe(expected);
  });

  it("validate: a YAML key with an escape sequence is shown, not obeyed", () => {
    const { issues } = parseDesired(`version: 1\ncustomers:\n  "evil\\e[2J":\n    tenantId: ${TENANT}\n    subscriptions: {}\n`, "f.yaml");
    const text = formatIssues(issues);
    expect(issues.length).toBeGreaterThan(0);
    expect(text).toContain("evil␛[2J");
    expect(text).not.toMatch(/\u001b/);
  });
});

describe("export keeps tenant text exact but printable", () => {
  it("a name with C0/C1 controls and a direction override round-trips, and prints no raw control character", async () => {
    const state = demoState(Date.parse(NOW));
    const live = state.customers.find((c) => c.id === TENANT)?.subscriptions[0];
    if (live === undefined) throw new Error("the demo tenant has no Rockit subscription");
    live.friendlyName = "Evil\u001b[2J\u0085 \u202egnp.exe";
    const tenant = await Tenant.of(state);
    try {
      const text = await exportYaml(tenant.backend, "rockit");
      expect(text).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202e]/);
      const parsed = parseDesired(text, "export.yaml");
      expect(parsed.issues).toEqual([]);
      const names = parsed.state?.customers.flatMap((c) => c.subscriptions.map((s) => s.friendlyName)) ?? [];
      expect(names).toContain("Evil\u001b[2J\u0085 \u202egnp.exe");
    } finally {
      tenant.close();
    }
  });
});
