import { existsSync } from "node:fs";
import { resolve } from "node:path";
import type { Command } from "commander";
import { ConfigError } from "../../domain/errors";
import { DEFAULT_RATE_LIMIT_PER_MINUTE } from "../../simulator/service";
import { startSimulatorServer } from "../../simulator/server";
import { type CliIO, EXIT } from "../io";

/** Default state file of the simulator (design §5, `SEATPLAN_SIMULATOR_STATE`). */
export const DEFAULT_SIMULATOR_STATE = ".seatplan/simulator.json";

export interface SimulatorCommandOptions {
  readonly state?: string;
  readonly port: string;
  readonly host: string;
  readonly latencyMs: string;
  readonly rateLimit: string;
  readonly asyncMs?: string;
  readonly bom?: boolean;
}

/**
 * `seatplan simulator [--state FILE] [--port N] [--host H] [--latency-ms N] [--rate-limit N] [--async-ms N] [--bom]`:
 * serves the commerce simulator over HTTP until SIGINT/SIGTERM. The first stdout line is the
 * base URL (scripts read it); notes go to stderr.
 */
export function registerSimulator(program: Command, io: CliIO, setExit: (code: number) => void): void {
  program
    .command("simulator")
    .description("serve the commerce simulator (Partner Center paths, token endpoint, /_sim admin routes) on a state file")
    .option("--state <file>", `simulator state file, created with the demo tenant when missing (env SEATPLAN_SIMULATOR_STATE, default ${DEFAULT_SIMULATOR_STATE})`)
    .option("--port <n>", "port to listen on; 0 = any free port", "0")
    .option("--host <host>", "address to bind", "127.0.0.1")
    .option("--latency-ms <n>", "delay added to every API response", "0")
    .option("--rate-limit <n>", "requests per minute per customer before 429; 0 = off", String(DEFAULT_RATE_LIMIT_PER_MINUTE))
    .option("--async-ms <n>", "writes take effect N ms later (PATCH 202, transitions Started, orders pending); 0 = synchronous", "0")
    .option("--bom", "start every JSON response of the API with a UTF-8 byte order mark")
    .action(async (options: SimulatorCommandOptions) => {
      setExit(await runSimulator(options, io, untilSignal));
    });
}

/** Run the server until the promise `stop()` returns (asked once the server is up) resolves; returns the exit code. */
export async function runSimulator(options: SimulatorCommandOptions, io: CliIO, stop: () => Promise<unknown>): Promise<number> {
  const statePath = resolve(io.cwd, options.state ?? io.env["SEATPLAN_SIMULATOR_STATE"] ?? DEFAULT_SIMULATOR_STATE);
  const port = integer(options.port, "--port", 65535);
  const latencyMs = integer(options.latencyMs, "--latency-ms", 600_000);
  const rateLimitPerMinute = integer(options.rateLimit, "--rate-limit", 1_000_000);
  const asyncMs = integer(options.asyncMs ?? "0", "--async-ms", 3_600_000);
  const created = !existsSync(statePath);
  const server = await startSimulatorServer({
    statePath,
    port,
    host: options.host,
    latencyMs,
    rateLimitPerMinute,
    asyncMs,
    bom: options.bom === true,
    // Over HTTP the simulator answers as Partner Center: subscribedskus by Graph SKU id.
    subscribedSkuIds: "graph",
  });
  const stopped = stop();
  io.stdout(`${server.url}\n`);
  io.stderr(
    `seatplan simulator: ${created ? "created the demo tenant in" : "serving"} ${statePath}; ` +
      `clock ${server.service.now()}; rate limit ${rateLimitPerMinute === 0 ? "off" : `${rateLimitPerMinute}/min per customer`}; ` +
      `${asyncMs === 0 ? "writes take effect at once" : `writes take effect ${asyncMs} ms after they are accepted`}. ` +
      "Press Ctrl-C to stop.\n",
  );
  await stopped;
  await server.close();
  io.stderr("seatplan simulator: stopped\n");
  return EXIT.ok;
}

function integer(value: string, flag: string, max: number): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || n > max) {
    throw new ConfigError(`${flag} must be a whole number from 0 to ${max} (got "${value}")`);
  }
  return n;
}

/** Resolves on the first SIGINT or SIGTERM (and stops listening for them). */
function untilSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const stop = (signal: NodeJS.Signals): void => {
      process.off("SIGINT", stop);
      process.off("SIGTERM", stop);
      resolve(signal);
    };
    process.on("SIGINT", stop);
    process.on("SIGTERM", stop);
  });
}
