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
}

/** The width text renderings fit: the terminal's, else 80 (a pipe, a CI log, a file). */
export function widthOf(io: CliIO): number {
  return io.isTTY && io.columns !== undefined && io.columns > 0 ? io.columns : 80;
}

export function processIO(): CliIO {
  return {
    stdout: (t) => process.stdout.write(t),
    stderr: (t) => process.stderr.write(t),
    env: process.env,
    cwd: process.cwd(),
    isTTY: Boolean(process.stdout.isTTY),
    ...(process.stdout.isTTY && process.stdout.columns > 0 ? { columns: process.stdout.columns } : {}),
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
