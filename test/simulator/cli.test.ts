import { spawn } from "node:child_process";
import { existsSync, statSync } from "node:fs";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { beforeAll, describe, expect, it } from "vitest";
import { runSimulator } from "../../provider/cli/commands/simulator";
import type { CliIO } from "../../provider/cli/io";
import { main } from "../../provider/cli/main";
import { DEMO_CUSTOMERS } from "../../provider/simulator/demo";
import { buildForChildren, ROOT } from "./child-build";
import { tempDir } from "./helpers";

/**
 * `seatplan simulator`: in process (flags, output), and as the real command in a child process
 * (first stdout line is the URL, `/v1/customers` lists the demo customers, SIGINT/SIGTERM stop
 * it with exit code 0).
 */

function io(cwd: string, env: Record<string, string> = {}): CliIO & { out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return { stdout: (t) => out.push(t), stderr: (t) => err.push(t), env, cwd, isTTY: false, out, err };
}

const OPTIONS = { port: "0", host: "127.0.0.1", latencyMs: "0", rateLimit: "500" };

describe("seatplan simulator (in process)", () => {
  it("prints the URL first, creates the demo tenant in the state file from the environment, stops when asked", async () => {
    const cwd = tempDir();
    const cli = io(cwd, { SEATPLAN_SIMULATOR_STATE: "state/sim.json" });
    let stop: () => void = () => undefined;
    let url = "";
    const running = runSimulator(OPTIONS, cli, () => {
      return new Promise<void>((resolve) => {
        stop = resolve;
      });
    });
    await expect.poll(() => cli.out.length).toBe(1);
    url = (cli.out[0] ?? "").trim();
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const customers = (await (await fetch(`${url}/v1/customers`)).json()) as { items: { id: string }[] };
    expect(customers.items.map((c) => c.id)).toEqual([DEMO_CUSTOMERS.rockit, DEMO_CUSTOMERS.northwind]);
    expect(existsSync(join(cwd, "state", "sim.json"))).toBe(true);
    stop();
    expect(await running).toBe(0);
    expect(cli.err.join("")).toMatch(/^seatplan simulator: created the demo tenant in .*state\/sim\.json; clock .*; rate limit 500\/min per customer; writes take effect at once\. Press Ctrl-C to stop\.\nseatplan simulator: stopped\n$/);
  });

  it("--async-ms and --bom: writes answer 202 and take effect later, responses start with a byte order mark, subscribedskus by Graph SKU id", async () => {
    const cli = io(tempDir());
    let stop: () => void = () => undefined;
    const running = runSimulator({ ...OPTIONS, asyncMs: "50", bom: true }, cli, () => new Promise<void>((resolve) => (stop = resolve)));
    await expect.poll(() => cli.out.length).toBe(1);
    const url = (cli.out[0] ?? "").trim();
    const read = async (path: string): Promise<Record<string, unknown>> => {
      // Bytes, not text(): the WHATWG decoder drops a byte order mark.
      const bytes = Buffer.from(await (await fetch(`${url}${path}`)).arrayBuffer());
      expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
      return JSON.parse(bytes.subarray(3).toString("utf8")) as Record<string, unknown>;
    };
    const customers = (await read("/v1/customers")) as { items: { id: string }[] };
    const customerId = customers.items[0]?.id ?? "";
    const subs = (await read(`/v1/customers/${customerId}/subscriptions`)) as { items: { id: string; quantity: number }[] };
    const sub = subs.items[0] as { id: string; quantity: number };
    const path = `/v1/customers/${customerId}/subscriptions/${sub.id}`;
    const res = await fetch(`${url}${path}`, { method: "PATCH", body: JSON.stringify({ quantity: sub.quantity + 1 }) });
    expect([res.status, res.headers.get("location")]).toEqual([202, path]);
    await expect.poll(async () => (await read(path))["quantity"], { timeout: 5000, interval: 20 }).toBe(sub.quantity + 1);
    const skus = (await read(`/v1/customers/${customerId}/subscribedskus`)) as { items: { productSku: { id: string } }[] };
    for (const item of skus.items) expect(item.productSku.id).toMatch(/^[0-9a-f]{8}-/);
    stop();
    expect(await running).toBe(0);
    expect(cli.err.join("")).toContain("writes take effect 50 ms after they are accepted");
  });

  it.each`
    flag                              | message
    ${["--port", "http"]}             | ${'seatplan: --port must be a whole number from 0 to 65535 (got "http")\n'}
    ${["--rate-limit", "-1"]}         | ${'seatplan: --rate-limit must be a whole number from 0 to 1000000 (got "-1")\n'}
    ${["--latency-ms", "1.5"]}        | ${'seatplan: --latency-ms must be a whole number from 0 to 600000 (got "1.5")\n'}
    ${["--async-ms", "soon"]}         | ${'seatplan: --async-ms must be a whole number from 0 to 3600000 (got "soon")\n'}
  `("refuses $flag with exit code 1 and a message", async ({ flag, message }) => {
    const cli = io(tempDir());
    expect(await main(["node", "seatplan", "simulator", ...(flag as string[])], cli)).toBe(1);
    expect(cli.err.join("")).toBe(message);
    expect(cli.out).toEqual([]);
  });
});

interface Started {
  readonly url: string;
  readonly exit: Promise<{ code: number | null; stderr: string }>;
  readonly kill: (signal: NodeJS.Signals) => void;
}

function startCli(launcher: string, statePath: string): Promise<Started> {
  const child = spawn(process.execPath, [launcher, "simulator", "--state", statePath, "--port", "0"], { stdio: ["ignore", "pipe", "pipe"] });
  let stderr = "";
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  const exit = new Promise<{ code: number | null; stderr: string }>((resolve) => child.on("exit", (code) => resolve({ code, stderr })));
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout });
    lines.once("line", (url) => resolve({ url, exit, kill: (s) => child.kill(s) }));
    void exit.then(({ code }) => reject(new Error(`the simulator exited (${code}) before printing its URL: ${stderr}`)));
  });
}

async function checkCli(launcher: string, signal: NodeJS.Signals): Promise<void> {
  const statePath = join(tempDir(), "fresh", "s.json");
  const cli = await startCli(launcher, statePath);
  expect(cli.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  const res = await fetch(`${cli.url}/v1/customers`);
  const body = (await res.json()) as { items: { companyProfile: { companyName: string } }[] };
  expect(body.items.map((c) => c.companyProfile.companyName)).toEqual(["Rockit", "Northwind Traders"]);
  cli.kill(signal);
  const { code, stderr } = await cli.exit;
  expect(code).toBe(0);
  expect(stderr).toMatch(/seatplan simulator: stopped\n$/);
}

describe("seatplan simulator (child process)", () => {
  let launcher: string;
  beforeAll(() => {
    launcher = join(buildForChildren(["provider/cli/main.ts"]), "bin", "seatplan.js");
  });

  it.each(["SIGINT", "SIGTERM"] as const)("bin/seatplan.js on the current sources serves the demo tenant and stops on %s", async (signal) => {
    await checkCli(launcher, signal);
  });

  // `npm test` builds before it tests: then the real build (what `npx seatplan` runs) is checked too.
  const built = join(ROOT, "dist", "provider", "cli", "commands", "simulator.js");
  const fresh = existsSync(built) && statSync(built).mtimeMs >= statSync(join(ROOT, "provider", "cli", "commands", "simulator.ts")).mtimeMs;
  it.skipIf(!fresh)("the built CLI (npx seatplan simulator) serves the demo tenant", async () => {
    await checkCli(join(ROOT, "bin", "seatplan.js"), "SIGTERM");
  });
});
