import { readFile } from "node:fs/promises";
import { isAbsolute, resolve } from "node:path";
import { type Command, Option } from "commander";
import { decodeText, formatIssues, parseDesired } from "../../desired";
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
  const bytes = await readBytes(file, io.cwd);
  if (typeof bytes === "string") {
    io.stderr(`seatplan: ${bytes}\n`);
    return EXIT.error;
  }
  const decoded = decodeText(bytes, file);
  if (!decoded.ok) {
    io.stderr(`seatplan: ${decoded.message}\n`);
    return EXIT.error;
  }
  const { state, issues } = parseDesired(decoded.text, file);
  if (format === "json") {
    io.stdout(`${JSON.stringify({ valid: state !== undefined, issues }, null, 2)}\n`);
  } else if (state !== undefined) {
    const subscriptions = state.customers.reduce((n, c) => n + c.subscriptions.length, 0);
    io.stdout(`${file} is valid: ${count(state.customers.length, "customer")}, ${count(subscriptions, "subscription")}\n`);
  } else {
    io.stdout(`${formatIssues(issues)}${file}: ${count(issues.length, "problem")}\n`);
  }
  return state !== undefined ? EXIT.ok : EXIT.error;
}

/** The file's bytes, or a one-line reason it cannot be read (named as the user wrote it). */
async function readBytes(file: string, cwd: string): Promise<Uint8Array | string> {
  try {
    return await readFile(resolve(cwd, file));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    switch (code ?? "") {
      case "ENOENT":
        return `${file} does not exist: check the path${isAbsolute(file) ? "" : ` (relative to ${cwd})`}`;
      case "EISDIR":
        return `${file} is a directory: name the YAML file inside it, e.g. ${file.replace(/\/+$/, "")}/licences.yaml`;
      case "EACCES":
      case "EPERM":
        return `${file} cannot be read: permission denied`;
      default:
        return `${file} cannot be read (${code ?? "unknown error"})`;
    }
  }
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? "" : "s"}`;
}
