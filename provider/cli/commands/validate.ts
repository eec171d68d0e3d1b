import { type Command, Option } from "commander";
import { count, readDesiredFile } from "../desired-file";
import { type CliIO, EXIT } from "../io";

type Format = "text" | "json";

/** `seatplan validate <file> [--format text|json]`: checks a desired-state file, contacts nothing. */
export function registerValidate(program: Command, io: CliIO, setExit: (code: number) => void): void {
  program
    .command("validate")
    .description("check a desired-state YAML file and report every problem with its line and column")
    .argument("<file>", "the desired-state YAML file, e.g. licences.yaml")
    .addOption(new Option("--format <format>", "output format").choices(["text", "json"]).default("text"))
    .action(async (file: string, options: { format: Format }) => {
      setExit(await validate(file, options.format, io));
    });
}

async function validate(file: string, format: Format, io: CliIO): Promise<number> {
  const read = await readDesiredFile(file, io.cwd);
  if (!read.ok && read.kind === "unreadable") {
    io.stderr(`seatplan: ${read.message}\n`);
    return EXIT.error;
  }
  if (format === "json") {
    io.stdout(`${JSON.stringify({ valid: read.ok, issues: read.issues }, null, 2)}\n`);
  } else if (read.ok) {
    const subscriptions = read.state.customers.reduce((n, c) => n + c.subscriptions.length, 0);
    io.stdout(`${file} is valid: ${count(read.state.customers.length, "customer")}, ${count(subscriptions, "subscription")}\n`);
  } else {
    io.stdout(`${read.message}\n`);
  }
  return read.ok ? EXIT.ok : EXIT.error;
}
