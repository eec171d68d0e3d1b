import { type ChildProcess, spawn } from "node:child_process";
import { cpSync } from "node:fs";
import { join } from "node:path";
import { buildForChildren, ROOT } from "../simulator/child-build";

/**
 * The CLI as a user runs it: a child process of the code under test (compiled by
 * `buildForChildren`), with its own environment and working directory. The package ships the
 * quickstart example (`seatplan demo` plans it), so the build has it too.
 */
export function buildCli(): string {
  const built = buildForChildren(["provider/cli/main.ts"]);
  cpSync(join(ROOT, "examples", "quickstart"), join(built, "examples", "quickstart"), { recursive: true });
  return built;
}

export interface Finished {
  /** Exit code, or null when a signal ended it. */
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  /** True when the test's budget ran out and the test killed the child. */
  readonly killed: boolean;
}

export interface Running {
  readonly child: ChildProcess;
  readonly stdout: () => string;
  readonly stderr: () => string;
  /** Resolves when the child exits, or after `budgetMs` (then it is killed and `killed` is true). */
  readonly exit: (budgetMs: number) => Promise<Finished>;
}

export interface SpawnOptions {
  readonly cwd: string;
  readonly env?: Readonly<Record<string, string>>;
  /**
   * CPU seconds the child may use (`ulimit -t`): the kernel stops it past that, however busy the
   * machine — a budget on the work, not on the wall clock of a shared test box.
   */
  readonly cpuSeconds?: number;
  /** Node options, e.g. `--require <preload>`. */
  readonly nodeArgs?: readonly string[];
}

export function startCli(built: string, args: readonly string[], options: SpawnOptions): Running {
  const node = [process.execPath, ...(options.nodeArgs ?? []), join(built, "bin", "seatplan.js"), ...args];
  const quoted = node.map((a) => `'${a.replace(/'/g, "'\\''")}'`).join(" ");
  const command = options.cpuSeconds === undefined ? `exec ${quoted}` : `ulimit -t ${options.cpuSeconds}; exec ${quoted}`;
  const child = spawn("/bin/sh", ["-c", command], {
    cwd: options.cwd,
    env: { PATH: process.env["PATH"] ?? "/usr/bin:/bin", HOME: options.cwd, NO_COLOR: "1", ...options.env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  let err = "";
  child.stdout?.on("data", (c: Buffer) => (out += c.toString("utf8")));
  child.stderr?.on("data", (c: Buffer) => (err += c.toString("utf8")));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on("close", (code, signal) => resolve({ code, signal })));
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    async exit(budgetMs) {
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<"late">((resolve) => (timer = setTimeout(() => resolve("late"), budgetMs)));
      const first = await Promise.race([exited, late]);
      clearTimeout(timer);
      if (first === "late") {
        child.kill("SIGKILL");
        const { code, signal } = await exited;
        return { code, signal, stdout: out, stderr: err, killed: true };
      }
      return { ...first, stdout: out, stderr: err, killed: false };
    },
  };
}

/** Runs the CLI to its end (or the budget's). */
export function runCli(built: string, args: readonly string[], options: SpawnOptions & { readonly budgetMs?: number }): Promise<Finished> {
  return startCli(built, args, options).exit(options.budgetMs ?? 60_000);
}
