import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { Command, CommanderError } from "commander";
import { isSeatplanError } from "../domain/errors";
import { terminalLines } from "../domain/escape";
import { redact, redactError } from "../http/redact";
import { type CliIO, EXIT, processIO } from "./io";
import { registerValidate } from "./commands/validate";
import { registerSimulator } from "./commands/simulator";
import { registerPlan } from "./commands/plan";
import { registerExport } from "./commands/export";
import { registerCatalog, registerRenewals, registerUsage } from "./commands/insight";
import { registerApply } from "./commands/apply";
import { registerHistory } from "./commands/history";

/**
 * Every command registers itself here. A command's action returns its exit code; `main` never
 * calls `process.exit` so the whole CLI can run inside a test.
 */
const COMMANDS: ReadonlyArray<(program: Command, io: CliIO, setExit: (code: number) => void) => void> = [
  registerValidate,
  registerSimulator,
  registerPlan,
  registerExport,
  registerRenewals,
  registerUsage,
  registerCatalog,
  registerApply,
  registerHistory,
];

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
  for (const register of COMMANDS) register(program, io, (code) => (exitCode = code));
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
