import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { DateTime } from "luxon";
import type { Backend } from "../backends/backend";
import { formatIssues } from "../desired";
import { ConfigError } from "../domain/errors";
import type { DesiredState, ObservedSubscription, Plan } from "../domain/types";
import { observe } from "../observe";
import { plan, removedState } from "../plan";
import { count, readDesiredFile } from "./desired-file";
import type { CliIO } from "./io";

/** The desired state of `file`, or null after printing every problem (no backend is contacted). */
export async function loadDesiredFile(file: string, io: CliIO): Promise<DesiredState | null> {
  const read = await readDesiredFile(file, io.cwd);
  if (read.ok) return read.state;
  if (read.kind === "unreadable") io.stderr(`seatplan: ${read.message}\n`);
  else io.stderr(`${formatIssues(read.issues)}seatplan: ${file} is invalid (${count(read.issues.length, "problem")}); nothing was planned\n`);
  return null;
}

/** `--customer KEY`: only that customer of the YAML. */
export function onlyCustomer(desired: DesiredState, key: string | undefined): DesiredState {
  if (key === undefined) return desired;
  const customers = desired.customers.filter((c) => c.key === key);
  if (customers.length === 0) {
    throw new ConfigError(`--customer ${key} is not a customer of ${desired.file}: use one of ${desired.customers.map((c) => c.key).join(", ")}`);
  }
  return { ...desired, customers };
}

/** `--now` / `SEATPLAN_NOW`: an ISO 8601 instant, or undefined when not given. */
export function instantOption(value: string | undefined, name: string): Date | undefined {
  if (value === undefined || value === "") return undefined;
  const parsed = DateTime.fromISO(value, { zone: "utc" });
  if (!parsed.isValid || !/^\d{4}-\d{2}-\d{2}/.test(value)) {
    throw new ConfigError(`${name} must be an ISO 8601 instant such as 2026-11-23T10:00:00Z (got "${value}")`);
  }
  return parsed.toJSDate();
}

/** A YAML file as planned: its parsed state and its text (a saved plan embeds the text). */
export interface LoadedFile {
  readonly file: string;
  readonly state: DesiredState;
  readonly text: string;
}

/** The desired state and text of `file`, or null after printing every problem (no backend is contacted). */
export async function loadFile(file: string, io: CliIO): Promise<LoadedFile | null> {
  const state = await loadDesiredFile(file, io);
  if (state === null) return null;
  return { file, state, text: await readFile(resolve(io.cwd, file), "utf8") };
}

/** A plan with what it was made on: each customer's subscriptions as read (for a saved plan's bases). */
export interface Planned {
  readonly plan: Plan;
  readonly subscriptions: Readonly<Record<string, readonly ObservedSubscription[]>>;
}

/**
 * Observe and plan `desired` at `now`, or at the backend's clock (the simulator's), or at the
 * real one; with `base`, the entries it has and `desired` lost are planned as removals. The
 * customers of removed entries are read too (one list call each, like every customer). The
 * clock is asked after the reads: a REST backend learns the server's clock from them.
 */
export async function planAgainst(desired: DesiredState, backend: Backend, now: Date | undefined, base?: DesiredState): Promise<Planned> {
  const removed = base === undefined ? undefined : removedState(base, desired);
  const extra = removed?.customers.filter((c) => !desired.customers.some((d) => d.key === c.key)) ?? [];
  const observation = await observe({ ...desired, customers: [...desired.customers, ...extra] }, backend);
  const at = now ?? (backend.now ? new Date(await backend.now()) : new Date());
  const result = plan(desired, observation, { now: at, backend: backend.name }, base === undefined ? {} : { base });
  const subscriptions = Object.fromEntries(Object.entries(observation.customers).map(([k, c]) => [k, c.subscriptions]));
  return { plan: result, subscriptions };
}
