import { randomBytes } from "node:crypto";
import {
  closeSync,
  fsyncSync,
  linkSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  unlinkSync,
  utimesSync,
  writeSync,
} from "node:fs";
import { hostname } from "node:os";
import { basename, dirname, join } from "node:path";
import { ConfigError } from "../domain/errors";
import type { SimState } from "./state";

/**
 * The simulator state file on disk (design §6), shared by every process that names it (the
 * `seatplan simulator` server, the embedded backend in the CLI or a Pulumi provider, tests).
 *
 * - Reads are cached: a read only `stat`s the file and re-parses it when its inode, size or
 *   mtime changed, so thousands of reads cost thousands of `stat`s, not parses. Reads never write.
 * - Writes are transactions under a lock file (`<file>.lock`, created exclusively, holding the
 *   owner's token): re-read if another process wrote since, apply the change, write a temp file,
 *   fsync it, then — synchronously, in this order — refresh the lock, check the lock still holds
 *   this transaction's token and the state file is still the one the change was applied to, and
 *   rename the temp file over the state file. A transaction whose lock was taken over meanwhile
 *   (it ran longer than the stale period, e.g. a clock advance over a big tenant) writes nothing
 *   and runs again on the newer state: a write is acknowledged only once it is on disk and no
 *   other writer can have overwritten it or be overwritten by it.
 * - A lock not refreshed for `staleMs` (or held by a process of this host that is gone) is taken
 *   over: renamed aside, checked unchanged, deleted. Long changes call `keepAlive` to refresh it.
 * - A change function that throws leaves the file untouched and drops the cached copy (it may
 *   be half-changed in memory), so the next read comes from the file.
 * - No signal handlers: a process killed while holding the lock leaves a lock file that the next
 *   writer takes over at once (its pid is gone) or after `staleMs`.
 */

export interface StateStoreOptions {
  /** Written (under the lock) when the file does not exist yet; absent: a missing file is an error. */
  readonly initial?: () => SimState;
  /** A lock file not refreshed for this long is taken over. @default 10000 */
  readonly staleMs?: number;
}

/** What a change may call during long work so the lock stays fresh (cheap: refreshes at most every staleMs/4). */
export type KeepAlive = () => void;

interface Cached {
  readonly key: string;
  readonly state: SimState;
}

export const DEFAULT_LOCK_STALE_MS = 10_000;
/** Give up acquiring the lock after this long (a live holder refreshes it; a dead one goes stale). */
const ACQUIRE_TIMEOUT_MS = 60_000;
/** Runs of one transaction whose lock was taken over before it could commit. */
const MAX_ATTEMPTS = 20;

class LockLost extends Error {}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export class StateStore {
  private cached: Cached | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private tempCounter = 0;
  private readonly lockPath: string;
  private readonly staleMs: number;

  constructor(
    readonly path: string,
    private readonly options: StateStoreOptions = {},
  ) {
    this.lockPath = `${path}.lock`;
    this.staleMs = options.staleMs ?? DEFAULT_LOCK_STALE_MS;
  }

  /** Create the file from `initial` when it is missing (under the lock, so only one process does). */
  async init(): Promise<void> {
    if (this.fileKey() !== null) return;
    if (!this.options.initial) {
      throw new ConfigError(`simulator state file ${this.path} does not exist; create the demo tenant there with \`seatplan demo --state ${this.path}\``);
    }
    mkdirSync(dirname(this.path), { recursive: true });
    await this.update(() => false);
  }

  /** The current state (cached until the file changes). Do not mutate it: use {@link update}. */
  read(): SimState {
    const key = this.fileKey();
    if (key === null) {
      throw new ConfigError(`simulator state file ${this.path} does not exist (was it deleted?); restore it, or create a fresh demo tenant with \`seatplan demo --state ${this.path}\``);
    }
    if (this.cached?.key === key) return this.cached.state;
    const state = this.parse(readFileSync(this.path, "utf8"));
    // The key is read before the content: a write landing in between makes the next read parse again.
    this.cached = { key, state };
    return state;
  }

  /**
   * Run `change` on the latest state under the file lock; when it returns true the state is
   * written. Transactions of one process run one after another. `change` may run more than once
   * (again on the newer state when another process took the lock over meanwhile).
   */
  update(change: (state: SimState, keepAlive: KeepAlive) => boolean): Promise<void> {
    const run = this.queue.then(() => this.transaction(change));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async transaction(change: (state: SimState, keepAlive: KeepAlive) => boolean): Promise<void> {
    mkdirSync(dirname(this.path), { recursive: true });
    for (let attempt = 1; ; attempt++) {
      const token = await this.acquire();
      try {
        this.attempt(change, token);
        return;
      } catch (e) {
        if (!(e instanceof LockLost) || attempt >= MAX_ATTEMPTS) {
          if (e instanceof LockLost) throw new Error(`simulator state file ${this.path}: another process kept taking the lock over (${MAX_ATTEMPTS} attempts); nothing was written`);
          throw e;
        }
      } finally {
        this.release(token);
      }
    }
  }

  /** One run of a transaction, synchronous from reading the state to renaming the new file in. */
  private attempt(change: (state: SimState, keepAlive: KeepAlive) => boolean, token: string): void {
    let state: SimState;
    let created = false;
    const baseKey = this.fileKey();
    if (baseKey === null && this.options.initial) {
      state = this.options.initial();
      created = true;
    } else {
      state = this.read();
    }
    let refreshed = Date.now();
    const keepAlive: KeepAlive = () => {
      if (Date.now() - refreshed < this.staleMs / 4) return;
      refreshed = Date.now();
      if (!this.holds(token)) throw new LockLost();
    };
    let changed: boolean;
    try {
      changed = change(state, keepAlive);
    } catch (e) {
      this.cached = undefined;
      throw e;
    }
    if (changed || created) this.commit(state, token, baseKey);
  }

  private commit(state: SimState, token: string, baseKey: string | null): void {
    const temp = join(dirname(this.path), `.${basename(this.path)}.${process.pid}.${++this.tempCounter}.tmp`);
    try {
      const fd = openSync(temp, "w");
      try {
        writeSync(fd, `${JSON.stringify(state, null, 2)}\n`);
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
      // Refresh, then check: nobody can take a just-refreshed lock over before the rename below.
      if (!this.holds(token) || this.fileKey() !== baseKey) throw new LockLost();
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

  /** Refresh the lock's mtime and tell whether it still holds `token`. */
  private holds(token: string): boolean {
    try {
      const now = new Date();
      utimesSync(this.lockPath, now, now);
      return readFileSync(this.lockPath, "utf8") === token;
    } catch {
      return false;
    }
  }

  private async acquire(): Promise<string> {
    const token = `${process.pid}@${hostname()}#${randomBytes(8).toString("hex")}`;
    const deadline = Date.now() + ACQUIRE_TIMEOUT_MS + this.staleMs;
    let wait = 2;
    for (;;) {
      try {
        const fd = openSync(this.lockPath, "wx");
        try {
          writeSync(fd, token);
        } finally {
          closeSync(fd);
        }
        return token;
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code !== "EEXIST" && code !== "EISDIR") throw e;
      }
      this.takeOverIfStale();
      if (Date.now() > deadline) {
        throw new Error(`simulator state file ${this.path}: its lock ${this.lockPath} stayed held for ${Math.round(ACQUIRE_TIMEOUT_MS / 1000)} s; if no simulator is running, delete the lock file`);
      }
      await sleep(wait + Math.random() * wait);
      wait = Math.min(wait * 2, 50);
    }
  }

  /** Move a stale lock aside and delete it; put it back if its holder refreshed it meanwhile. */
  private takeOverIfStale(): void {
    let seen;
    try {
      seen = statSync(this.lockPath);
    } catch {
      return;
    }
    if (!seen.isDirectory() && Date.now() - seen.mtimeMs < this.staleMs && !this.holderGone()) return;
    if (seen.isDirectory()) {
      // A lock directory left by an older seatplan (proper-lockfile): stale by its mtime alone.
      if (Date.now() - seen.mtimeMs >= this.staleMs) rmSync(this.lockPath, { recursive: true, force: true });
      return;
    }
    const aside = `${this.lockPath}.${process.pid}.${randomBytes(4).toString("hex")}.stale`;
    try {
      renameSync(this.lockPath, aside);
    } catch {
      return;
    }
    try {
      if (statSync(aside).mtimeMs !== seen.mtimeMs) {
        // Refreshed between our look and the rename: its holder is alive; give it back (unless
        // someone already made a new lock, in which case the holder will see it lost the lock).
        try {
          linkSync(aside, this.lockPath);
        } catch {
          // A new lock exists: the holder's commit check fails and it runs again.
        }
      }
    } finally {
      unlinkSync(aside);
    }
  }

  /** The lock's holder is a process of this host that no longer exists. */
  private holderGone(): boolean {
    let token: string;
    try {
      token = readFileSync(this.lockPath, "utf8");
    } catch {
      return false;
    }
    const m = /^(\d+)@(.*)#/.exec(token);
    if (!m || m[2] !== hostname()) return false;
    try {
      process.kill(Number(m[1]), 0);
      return false;
    } catch (e) {
      return (e as NodeJS.ErrnoException).code === "ESRCH";
    }
  }

  private release(token: string): void {
    try {
      if (readFileSync(this.lockPath, "utf8") === token) unlinkSync(this.lockPath);
    } catch {
      // Already gone or taken over: nothing of ours to remove.
    }
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
