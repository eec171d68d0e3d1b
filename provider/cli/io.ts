import { redactKnown } from "../http/redact";

/** What a command may touch: its streams, environment and working directory (injected for tests). */
export interface CliIO {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
  /** True when stdout is a terminal (colour allowed). */
  readonly isTTY: boolean;
  /** The terminal's width when stdout is one; renderings fit 80 columns otherwise. */
  readonly columns?: number;
  /** True when stdin is a terminal: `seatplan apply` may ask for confirmation. @default false */
  readonly interactive?: boolean;
  /** True when stderr is a terminal: long runs show progress there. @default false */
  readonly stderrIsTTY?: boolean;
  /** Asks a question on the terminal and resolves with the answer line (only when `interactive`). */
  readonly prompt?: (question: string) => Promise<string>;
}

/** The width text renderings fit: the terminal's, else 80 (a pipe, a CI log, a file). */
export function widthOf(io: CliIO): number {
  return io.isTTY && io.columns !== undefined && io.columns > 0 ? io.columns : 80;
}

/** The process's streams. Whatever is written passes the redaction set last (a credential the
 *  process obtained, wherever the text came from). */
export function processIO(): CliIO {
  return {
    stdout: (t) => process.stdout.write(redactKnown(t)),
    stderr: (t) => process.stderr.write(redactKnown(t)),
    env: process.env,
    cwd: process.cwd(),
    isTTY: Boolean(process.stdout.isTTY),
    ...(process.stdout.isTTY && process.stdout.columns > 0 ? { columns: process.stdout.columns } : {}),
    interactive: Boolean(process.stdin.isTTY),
    stderrIsTTY: Boolean(process.stderr.isTTY),
    prompt: async (question) => {
      const { createInterface } = await import("node:readline/promises");
      const rl = createInterface({ input: process.stdin, output: process.stderr });
      try {
        return await rl.question(question);
      } finally {
        rl.close();
      }
    },
  };
}

/** Exit codes shared by every command (design §4). */
export const EXIT = {
  ok: 0,
  /** Invalid input, a blocked step, or a backend failure. */
  error: 1,
  /** `plan --detailed-exitcode`: changes planned. */
  changes: 2,
} as const;
