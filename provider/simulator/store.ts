import { mkdirSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import type * as Lockfile from "proper-lockfile";
import { ConfigError } from "../domain/errors";
import type { SimState } from "./state";

/**
 * The simulator state file on disk (design §6), shared by every process that names it (the
 * `seatplan simulator` server, the embedded backend in the CLI or a Pulumi provider, tests).
 *
 * - Reads are cached: a read only `stat`s the file and re-parses it when its inode, size or
 *   mtime changed, so thousands of reads cost thousands of `stat`s, not parses.
 * - Writes are transactions: take the lock (`<file>.lock`, proper-lockfile), re-read if another
 *   process wrote since, apply the change, write a temp file and rename it over the state file
 *   (readers never see a half-written file), release. Two processes never lose an update.
 * - A change function that throws leaves the file untouched and drops the cached copy (it may
 *   be half-changed in memory), so the next read comes from the file.
 */

export interface StateStoreOptions {
  /** Written (under the lock) when the file does not exist yet; absent: a missing file is an error. */
  readonly initial?: () => SimState;
}

interface Cached {
  readonly key: string;
  readonly state: SimState;
}

const LOCK_OPTIONS = {
  realpath: false,
  stale: 10_000,
  retries: { retries: 400, factor: 1.3, minTimeout: 2, maxTimeout: 50, randomize: true },
} as const;

export class StateStore {
  private cached: Cached | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private tempCounter = 0;

  constructor(
    readonly path: string,
    private readonly options: StateStoreOptions = {},
  ) {}

  /** Create the file from `initial` when it is missing (under the lock, so only one process does). */
  async init(): Promise<void> {
    if (this.fileKey() !== null) return;
    if (!this.options.initial) {
      throw new ConfigError(`simulator state file ${this.path} does not exist; start \`seatplan simulator --state ${this.path}\` once to create the demo tenant`);
    }
    mkdirSync(dirname(this.path), { recursive: true });
    await this.update(() => false);
  }

  /** The current state (cached until the file changes). Do not mutate it: use {@link update}. */
  read(): SimState {
    const key = this.fileKey();
    if (key === null) {
      throw new ConfigError(`simulator state file ${this.path} does not exist (was it deleted?); restart the simulator to create the demo tenant`);
    }
    if (this.cached?.key === key) return this.cached.state;
    const state = this.parse(readFileSync(this.path, "utf8"));
    // The key is read before the content: a write landing in between makes the next read parse again.
    this.cached = { key, state };
    return state;
  }

  /**
   * Run `change` on the latest state under the file lock; when it returns true the state is
   * written. Transactions of one process run one after another.
   */
  update(change: (state: SimState) => boolean): Promise<void> {
    const run = this.queue.then(() => this.transaction(change));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async transaction(change: (state: SimState) => boolean): Promise<void> {
    mkdirSync(dirname(this.path), { recursive: true });
    // Loaded here, where a lock is taken, not with the module: proper-lockfile loads signal-exit,
    // whose SIGINT/SIGTERM handlers make Ctrl-C wait for any synchronous work in every command.
    const { lock } = require("proper-lockfile") as typeof Lockfile;
    const release = await lock(this.path, { ...LOCK_OPTIONS, lockfilePath: `${this.path}.lock` });
    try {
      let state: SimState;
      let created = false;
      if (this.fileKey() === null && this.options.initial) {
        state = this.options.initial();
        created = true;
      } else {
        state = this.read();
      }
      let changed: boolean;
      try {
        changed = change(state);
      } catch (e) {
        this.cached = undefined;
        throw e;
      }
      if (changed || created) this.write(state);
    } finally {
      await release();
    }
  }

  private write(state: SimState): void {
    const temp = join(dirname(this.path), `.${basename(this.path)}.${process.pid}.${++this.tempCounter}.tmp`);
    try {
      writeFileSync(temp, `${JSON.stringify(state, null, 2)}\n`);
      renameSync(temp, this.path);
    } catch (e) {
      try {
        unlinkSync(temp);
      } catch {
        // The temp file was never created or is already gone.
      }
      this.cached = undefined;
      throw e;
    }
    const key = this.fileKey();
    this.cached = key === null ? undefined : { key, state };
  }

  private fileKey(): string | null {
    try {
      const s = statSync(this.path, { bigint: true });
      return `${s.ino}:${s.size}:${s.mtimeNs}:${s.ctimeNs}`;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "ENOENT") return null;
      throw e;
    }
  }

  private parse(text: string): SimState {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (e) {
      throw new ConfigError(`simulator state file ${this.path} is not valid JSON (${(e as Error).message}); fix it, or delete it to start again from the demo tenant`);
    }
    const problem = checkState(json);
    if (problem) throw new ConfigError(`simulator state file ${this.path}: ${problem}; fix it, or delete it to start again from the demo tenant`);
    return json as SimState;
  }
}

const REQUIRED_SUBSCRIPTION_FIELDS: ReadonlyArray<[string, string]> = [
  ["id", "string"],
  ["offerId", "string"],
  ["quantity", "number"],
  ["status", "string"],
  ["autoRenewEnabled", "boolean"],
  ["termDuration", "string"],
  ["billingCycle", "string"],
  ["effectiveStartDate", "string"],
  ["commitmentEndDate", "string"],
];

/** The first structural problem of a state file, or null. */
export function checkState(json: unknown): string | null {
  if (typeof json !== "object" || json === null) return "the file must hold a JSON object";
  const state = json as Record<string, unknown>;
  if (state["version"] !== 1) return `version must be 1 (got ${JSON.stringify(state["version"])})`;
  if (state["now"] !== undefined && (typeof state["now"] !== "string" || Number.isNaN(Date.parse(state["now"])))) {
    return `now must be an ISO 8601 date (got ${JSON.stringify(state["now"])})`;
  }
  if (state["catalog"] !== undefined && !Array.isArray(state["catalog"])) return "catalog must be an array of offers";
  const customers = state["customers"];
  if (!Array.isArray(customers)) return "customers must be an array";
  for (const [i, c] of customers.entries()) {
    if (typeof c !== "object" || c === null) return `customers[${i}] must be an object`;
    const customer = c as Record<string, unknown>;
    if (typeof customer["id"] !== "string") return `customers[${i}].id must be a string`;
    const subs = customer["subscriptions"];
    if (!Array.isArray(subs)) return `customers[${i}].subscriptions must be an array`;
    for (const [j, s] of subs.entries()) {
      if (typeof s !== "object" || s === null) return `customers[${i}].subscriptions[${j}] must be an object`;
      for (const [name, type] of REQUIRED_SUBSCRIPTION_FIELDS) {
        if (typeof (s as Record<string, unknown>)[name] !== type) return `customers[${i}].subscriptions[${j}].${name} must be a ${type}`;
      }
    }
  }
  return null;
}
