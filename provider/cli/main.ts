import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { Command, CommanderError } from "commander";
import { isSeatplanError } from "../domain/errors";
import { terminalLines } from "../domain/escape";
import { redact, redactError } from "../http/redact";
import { type CliIO, EXIT, processIO } from "./io";

type Register = (program: Command, io: CliIO, setExit: (code: number) => void) => void;

/**
 * Every command registers itself here, by name, loaded on demand: `seatplan validate` then loads
 * the YAML reader only, not the backends (HTTP client, MSAL) that plan and export need. Help, a
 * typo or no command load them all. A command's action returns its exit code; `main` never
 * calls `process.exit` so the whole CLI can run inside a test.
 */
const COMMANDS: Readonly<Record<string, () => Promise<Register>>> = {
  validate: async () => (await import("./commands/validate.js")).registerValidate,
  simulator: async () => (await import("./commands/simulator.js")).registerSimulator,
  demo: async () => (await import("./commands/demo.js")).registerDemo,
  plan: async () => (await import("./commands/plan.js")).registerPlan,
  export: async () => (await import("./commands/export.js")).registerExport,
  apply: async () => (await import("./commands/apply.js")).registerApply,
  history: async () => (await import("./commands/history.js")).registerHistory,
  renewals: async () => (await import("./commands/insight.js")).registerRenewals,
  usage: async () => (await import("./commands/insight.js")).registerUsage,
  catalog: async () => (await import("./commands/insight.js")).registerCatalog,
};

/** The commands to register for `argv`: the one it names, or all of them. */
async function commandsFor(argv: readonly string[]): Promise<Register[]> {
  const named = argv.slice(2).find((a) => !a.startsWith("-"));
  const one = named !== undefined && Object.hasOwn(COMMANDS, named) ? COMMANDS[named] : undefined;
  const registers = await Promise.all((one ? [one] : Object.values(COMMANDS)).map((load) => load()));
  return [...new Set(registers)];
}

function version(): string {
  // Works from the sources (provider/cli) and from the build (dist/provider/cli).
  for (let dir = __dirname; dir !== dirname(dir); dir = dirname(dir)) {
    const file = join(dir, "package.json");
    if (existsSync(file)) return (JSON.parse(readFileSync(file, "utf8")) as { version: string }).version;
  }
  return "unknown";
}

export async function main(argv: readonly string[], io: CliIO = processIO()): Promise<number> {
  let exitCode: number = EXIT.ok;
  const program = new Command("seatplan")
    .description("Microsoft CSP licence subscriptions as code")
    .version(version())
    .exitOverride()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr })
    .showHelpAfterError();
  for (const register of await commandsFor(argv)) register(program, io, (code) => (exitCode = code));
  try {
    await program.parseAsync([...argv]);
  } catch (e) {
    if (e instanceof CommanderError) {
      // --help and --version exit 0; usage errors (already printed by commander) exit 1.
      return e.exitCode === 0 ? EXIT.ok : EXIT.error;
    }
    if (isSeatplanError(e)) {
      // A message may quote a tenant's text (an API error's description): shown, not obeyed.
      io.stderr(`seatplan: ${terminalLines(redact(e.message))}\n`);
      return EXIT.error;
    }
    throw redactError(e);
  }
  return exitCode;
}
