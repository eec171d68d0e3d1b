import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CliIO } from "../../provider/cli/io";
import { main } from "../../provider/cli/main";
import { apps, lines } from "./fixtures";

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "seatplan-validate-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function write(name: string, content: string | Uint8Array): string {
  writeFileSync(join(dir, name), content);
  return name;
}

/** Runs `seatplan …` in `dir` and captures both streams. */
async function seatplan(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  const io: CliIO = { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), env: {}, cwd: dir, isTTY: false };
  const code = await main(["node", "seatplan", ...args], io);
  return { code, stdout, stderr };
}

describe("seatplan validate", () => {
  it("exits 0 with a one-line summary for a valid file", async () => {
    const file = write("licences.yaml", apps() + lines("  contoso:", "    tenantId: 6b9f0d6a-3c1e-4c59-9a0e-2f7c1d8a4b21", "    subscriptions: {}"));
    expect(await seatplan("validate", file)).toEqual({ code: 0, stdout: "licences.yaml is valid: 2 customers, 1 subscription\n", stderr: "" });
  });

  it("exits 1 and lists every problem with file:line:column, path, message and hint", async () => {
    const file = write("bad.yaml", apps({ quantity: "0", term: "P2Y" }));
    expect(await seatplan("validate", file)).toEqual({
      code: 1,
      stdout: [
        "bad.yaml:8:15 customers.rockit.subscriptions.apps.term: must be one of P1M, P1Y or P3Y",
        '  hint: found "P2Y"; did you mean "term: P1Y"?',
        "bad.yaml:10:19 customers.rockit.subscriptions.apps.quantity: must be an integer ≥ 1",
        '  hint: found 0; to end the subscription, set "status: cancelled" instead',
        "bad.yaml: 2 problems",
        "",
      ].join("\n"),
      stderr: "",
    });
  });

  it("names the file as the user wrote it", async () => {
    mkdirSync(join(dir, "sub"), { recursive: true });
    write("sub/x.yaml", apps({ quantity: "-1" }));
    const { stdout } = await seatplan("validate", "./sub/x.yaml");
    expect(stdout.split("\n")[0]).toBe("./sub/x.yaml:10:19 customers.rockit.subscriptions.apps.quantity: must be an integer ≥ 1");
  });

  it("prints {valid, issues} with --format json", async () => {
    const bad = write("bad.json.yaml", apps({ billing: "triennial" }));
    const invalid = await seatplan("validate", bad, "--format", "json");
    expect(invalid.code).toBe(1);
    expect(JSON.parse(invalid.stdout)).toEqual({
      valid: false,
      issues: [
        {
          file: "bad.json.yaml",
          line: 9,
          column: 18,
          path: "customers.rockit.subscriptions.apps.billing",
          message: "billing triennial is not offered with term P1Y",
          hint: "with term P1Y, set billing to monthly or annual; or choose a longer term",
        },
      ],
    });
    const good = await seatplan("validate", "--format", "json", write("good.yaml", apps()));
    expect(good).toEqual({ code: 0, stdout: '{\n  "valid": true,\n  "issues": []\n}\n', stderr: "" });
  });

  it.each([
    ["a missing file", () => "missing.yaml", `seatplan: missing.yaml does not exist: check the path (relative to DIR)\n`],
    ["a directory", () => (mkdirSync(join(dir, "folder"), { recursive: true }), "folder"), "seatplan: folder is a directory: name the YAML file inside it, e.g. folder/licences.yaml\n"],
    ["an empty file", () => write("empty.yaml", ""), 'seatplan: empty.yaml is empty: start it with "version: 1" and a "customers:" mapping\n'],
    ["a blank file", () => write("blank.yaml", "\n   \n"), 'seatplan: blank.yaml is empty: start it with "version: 1" and a "customers:" mapping\n'],
    ["Latin-1 bytes", () => write("latin1.yaml", Buffer.from("version: 1\n# Caf\xe9\n", "latin1")), "seatplan: latin1.yaml is not UTF-8 text (byte 0xe9 on line 2): save it as UTF-8\n"],
    ["UTF-16", () => write("utf16.yaml", Buffer.from("\ufeffversion: 1\n", "utf16le")), "seatplan: utf16.yaml is UTF-16 text: save it as UTF-8\n"],
  ])("exits 1 with one clear line on stderr for %s", async (_what, make, message) => {
    const result = await seatplan("validate", make());
    expect(result).toEqual({ code: 1, stdout: "", stderr: message.replace("DIR", dir) });
  });

  it("reads a UTF-8 file with a byte-order mark", async () => {
    const file = write("bom.yaml", Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(apps())]));
    expect((await seatplan("validate", file)).code).toBe(0);
  });

  it("rejects an unknown --format with a usage error", async () => {
    const result = await seatplan("validate", "x.yaml", "--format", "xml");
    expect(result.code).toBe(1);
    expect(result.stderr.split("\n")[0]).toBe("error: option '--format <format>' argument 'xml' is invalid. Allowed choices are text, json.");
  });
});
