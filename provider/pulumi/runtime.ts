// The Subscription provider's work, run inside the Pulumi provider host. The serialized provider
// (provider.ts) only `require`s this module from the installed seatplan package and forwards each
// call, so nothing here is ever part of the Pulumi state.
import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import type * as pulumi from "@pulumi/pulumi";
import { applySubscription } from "../apply";
import { type AuditSink, DEFAULT_AUDIT_LOG, fileAuditSink } from "../audit";
import { decodeText, parseDesired } from "../desired";
import type { Backend } from "../backends/backend";
import { backendName, DEFAULT_BACKEND, knownCapabilities, openBackend, simulatorStatePath } from "../config/backends";
import { planningInstant } from "../config/clock";
import { ConfigError, isBackendError } from "../domain/errors";
import type {
  Catalog,
  DesiredState,
  DesiredSubscription,
  ObservedSubscription,
  PlanStep,
  TransitionEligibility,
} from "../domain/types";
import { observe } from "../observe";
import { describeValue, type Match, type Observation, plan, planRemovals, resolveCustomer } from "../plan";
import { dayText } from "../domain/time";
import { offerOf, renewalOffers } from "../rules/catalog";
import { builtInCatalogData } from "../simulator/catalog";
import { type DesiredInputs, desiredOf, entryOf, type InputFailure, type SubscriptionInputs } from "./inputs";
import { type OutputContext, observedOf, outputsOf, type SubscriptionOutputs } from "./outputs";
import { type ConfigSource, fixedNow, fromConfig, inPulumiTerms, mergeSettings, type Settings } from "./settings";

/**
 * What one provider process keeps between calls. It lives in this module, which the serialized
 * provider requires inside each method, so none of it is serialized: the stack config (secrets
 * included) stays in memory, backends (sockets, tokens) are opened once per process, and
 * `refresh` lists each customer's subscriptions once, however many resources it reads.
 */
const processState: {
  config: Settings;
  readonly backends: Map<string, Promise<Backend>>;
  readonly lists: Map<string, Promise<ObservedSubscription[]>>;
} = { config: {}, backends: new Map(), lists: new Map() };

/** What the runtime takes from the process it runs in: given by the entry point, so none of it is read here. */
export interface RuntimeHost {
  /** The real clock (used when neither `SEATPLAN_NOW` nor the backend has one). */
  readonly now: () => Date;
  /** One progress line for the Pulumi log. */
  readonly log: (line: string) => void;
  /** The environment (settings win over stack config). */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** The Pulumi project directory (relative paths, the state file, the audit log). */
  readonly cwd: () => string;
}

/** The provider's operations, bound to a host. */
export interface ProviderRuntime {
  configure(config: ConfigSource): void;
  check(olds: unknown, news: Record<string, unknown>): Promise<pulumi.dynamic.CheckResult>;
  diff(id: string, olds: SubscriptionOutputs, news: SubscriptionInputs): Promise<pulumi.dynamic.DiffResult>;
  create(inputs: WithProvider<SubscriptionInputs>): Promise<pulumi.dynamic.CreateResult>;
  update(id: string, olds: SubscriptionOutputs, news: WithProvider<SubscriptionInputs>): Promise<pulumi.dynamic.UpdateResult>;
  read(id: string, props: SubscriptionOutputs | undefined): Promise<pulumi.dynamic.ReadResult>;
  remove(id: string, props: SubscriptionOutputs): Promise<void>;
}

/** The runtime on `host`'s clock, log, environment and directory. */
export function createRuntime(host: RuntimeHost): ProviderRuntime {
  return {
    configure,
    check,
    diff: (id, olds, news) => diff(host, id, olds, news),
    create: (inputs) => create(host, inputs),
    update: (id, olds, news) => update(host, id, olds, news),
    read: (id, props) => read(host, id, props),
    remove: (id, props) => remove(host, id, props),
  };
}

/** The engine's placeholder for a value not known before apply. */
const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

/** Whether a value, at any depth, holds a value not known before apply. */
function hasUnknown(value: unknown): boolean {
  if (value === UNKNOWN) return true;
  return typeof value === "object" && value !== null && Object.values(value).some(hasUnknown);
}

/** Inputs and outputs as the provider host passes them: with the serialized provider beside them. */
type WithProvider<T> = T & { readonly __provider?: string };

function configure(config: ConfigSource): void {
  processState.config = fromConfig(config);
}

/** Validation only (no backend): the checks `seatplan validate` runs, on this entry. */
async function check(_olds: unknown, news: Record<string, unknown>): Promise<pulumi.dynamic.CheckResult> {
  if (hasUnknown(news)) return { inputs: news };
  const result = desiredOf(news);
  if ("failures" in result) return { inputs: news, failures: [...result.failures] };
  return { inputs: inputsOf(result.desired, String(news["providerVersion"]), news["desiredFile"]) };
}

/**
 * The plan for this entry on the stored outputs, at `SEATPLAN_NOW`, else the embedded simulator's
 * clock (a read of its local state file), else the real clock — and no backend call at all:
 * drift is seen only after `pulumi refresh`. A change is
 * any step the rules allow; a blocked step fails with its reason and the YAML that would work.
 */
async function diff(host: RuntimeHost, id: string, olds: SubscriptionOutputs, news: SubscriptionInputs): Promise<pulumi.dynamic.DiffResult> {
  // A `Subscription` declared with computed inputs has them unknown in preview: the engine's own
  // input comparison judges it, and `up` plans it with the real values.
  if (hasUnknown(news)) return {};
  const label = labelOf(news);
  refuseRebinding(label, id, olds, news);
  // Outputs written by another seatplan version may not read as this one's: update rewrites them
  // from a fresh read (and fails there if the rules refuse a change the YAML asks for).
  if (olds.providerVersion !== news.providerVersion) return { changes: true };
  // The other end of an `upgrade.into` is another resource whose live state this one cannot see
  // without a call: leave the decision to the engine's input comparison; `up` plans it fresh.
  if (news.entry.upgrade?.into != null || news.related.some((r) => r.upgrade?.into === news.entry.key)) return {};
  const d = desiredOrThrow(label, news, id);
  const settings = currentSettings(host);
  const observed = observedOf(olds);
  const catalog = builtInCatalogData();
  const observation: Observation = {
    catalog,
    customers: {
      [d.customer.key]: {
        subscriptions: [observed],
        ...(d.entry.upgrade === undefined ? {} : { eligibilities: { [observed.id]: offlineEligibilities(catalog, observed, d.entry.upgrade.to) } }),
      },
    },
  };
  const only: DesiredState = { ...d.state, customers: [{ ...d.customer, subscriptions: [d.entry] }] };
  // A backend's fixed capabilities are known without opening it: preview refuses what it cannot do.
  const capabilities = knownCapabilities(settings);
  const steps = plan(only, observation, {
    now: fixedNow(settings) ?? (await simulatorClock(host, settings)) ?? host.now(),
    backend: settings.SEATPLAN_BACKEND ?? "simulator",
    ...(capabilities === undefined ? {} : { capabilities }),
  }).steps;
  throwIfBlocked(label, steps);
  return { changes: steps.length > 0 };
}

/**
 * Adopts the subscription the entry matches (by `id`, else by `friendlyName` — so a purchase
 * interrupted after checkout is found, not bought again) or buys it, then applies the rest of
 * the entry. A failure after the subscription exists records it (a partial create).
 */
async function create(host: RuntimeHost, inputs: WithProvider<SubscriptionInputs>): Promise<pulumi.dynamic.CreateResult> {
  const label = labelOf(inputs);
  const d = desiredOrThrow(label, inputs);
  const { backend, key } = await backendFor(host, currentSettings(host));
  const tenant = d.customer.tenantId;
  const now = await planningNow(host, backend);
  const observation = await observe(d.state, backend);
  const live = observation.customers[d.customer.key]?.subscriptions ?? [];
  const steps = plan(d.state, observation, { now, backend: backend.name, capabilities: backend.capabilities }).steps.filter((s) => s.subscription === d.entry.key);
  const match = matchOf(d, live);
  const bound = match.kind === "id" || match.kind === "friendlyName" ? match.observed : d.entry.status === "cancelled" ? ended(live, d.entry) : null;
  const context = contextOf(inputs);
  const partial = (s: ObservedSubscription, message: string): Error => initFailure(s, context, inputs.__provider, message);

  const blocked = blockedText(label, steps);
  if (blocked !== null) throw bound === null ? new Error(blocked) : partial(bound, blocked);
  if (bound === null && steps.length === 0) {
    throw new Error(`${label}: status: cancelled, and tenant ${tenant} has no subscription named "${d.entry.friendlyName}", not even a cancelled one: there is nothing to manage; remove the entry from the YAML`);
  }
  if (bound !== null) host.log(`seatplan: ${label}: adopted subscription ${bound.id} (matched by ${match.kind === "id" ? "id" : "friendlyName"})`);
  const { last, failure } = await execute(host, label, steps, backend, key, tenant, bound);
  const subscription = last ?? bound;
  if (subscription === null) throw new Error(failure ?? `${label}: the plan neither matched nor bought a subscription`);
  if (failure !== null) throw partial(subscription, failure);
  return { id: subscription.id, outs: outputsOf(subscription, context) };
}

/** The executor on a plan made from a fresh read: what diff saw may be out of date. */
async function update(host: RuntimeHost, id: string, olds: SubscriptionOutputs, news: WithProvider<SubscriptionInputs>): Promise<pulumi.dynamic.UpdateResult> {
  const label = labelOf(news);
  refuseRebinding(label, id, olds, news);
  const d = desiredOrThrow(label, news, id);
  const { backend, key } = await backendFor(host, currentSettings(host));
  const tenant = d.customer.tenantId;
  const now = await planningNow(host, backend);
  const observation = await observe(d.state, backend);
  const match = matchOf(d, observation.customers[d.customer.key]?.subscriptions ?? []);
  if (match.kind !== "id" || (match.observed.status === "deleted" && d.entry.status === "active")) {
    const what = match.kind === "id" ? "was cancelled outside this stack" : "no longer exists";
    throw new Error(
      `${label}: subscription ${id} ${what} (tenant ${tenant}); run \`pulumi refresh\` to drop it from the stack, then \`pulumi up\` adopts or buys one as the YAML says (or set status: cancelled to record that it ended)`,
    );
  }
  const steps = plan(d.state, observation, { now, backend: backend.name, capabilities: backend.capabilities }).steps.filter((s) => s.subscription === d.entry.key);
  throwIfBlocked(label, steps);
  const { last, failure } = await execute(host, label, steps, backend, key, tenant, match.observed);
  const subscription = last ?? match.observed;
  const context = contextOf(news);
  if (failure !== null) throw initFailure(subscription, context, news.__provider, failure);
  return { outs: outputsOf(subscription, context) };
}

/**
 * Refresh: the live subscription, from one list call per customer per provider process. Gone, or
 * cancelled while the state still had it active, means the resource no longer exists.
 */
async function read(host: RuntimeHost, id: string, props: SubscriptionOutputs | undefined): Promise<pulumi.dynamic.ReadResult> {
  if (props === undefined || typeof props.customerTenantId !== "string") {
    throw new Error(
      `seatplan: subscription ${id} cannot be read without the state Pulumi keeps for it: \`pulumi import\` and the \`import\` resource option do not work with dynamic providers; adopt it with \`id: ${id}\` in the YAML (\`seatplan export\` writes it) and run \`pulumi up\``,
    );
  }
  const { backend, key } = await backendFor(host, currentSettings(host));
  const live = (await listOnce(key, backend, props.customerTenantId)).find((s) => s.id === id);
  if (live === undefined || (live.status === "deleted" && props.status !== "deleted")) return { id: "", props: {} };
  return {
    id,
    // A list read may not carry Partner Center's id (CloudCockpit): keep the one the state knows.
    props: outputsOf(live.providerSubscriptionId === undefined && typeof props.providerSubscriptionId === "string" ? { ...live, providerSubscriptionId: props.providerSubscriptionId } : live, {
      customerKey: props.customerKey,
      subscriptionKey: props.subscriptionKey,
      providerVersion: props.providerVersion,
      removed: props.removed === "cancel" ? "cancel" : "release",
      desiredFile: typeof props.desiredFile === "string" ? props.desiredFile : null,
    }),
  };
}

/**
 * The entry left the YAML (or the stack is destroyed): what `policy.removed` says, planned by the
 * same `planRemovals` that `seatplan plan --base` shows. The policy is the one of the YAML file
 * the program read, as it is now (a removal and a policy change in one commit follow the new
 * policy, as the PR plan does); when that file cannot be read, the policy recorded at the last
 * create or update. `release` (the default) calls nothing: the subscription stays as it is and is
 * no longer managed. `cancel` cancels it inside its window, otherwise ends it at term end.
 */
async function remove(host: RuntimeHost, id: string, props: SubscriptionOutputs): Promise<void> {
  const label = `${props.customerKey}/${props.subscriptionKey}`;
  const tenant = props.customerTenantId;
  const current = currentDesired(host, props);
  const policy = current?.policy.removed ?? (props.removed === "cancel" ? "cancel" : "release");
  if (policy === "release") {
    host.log(`seatplan: ${label}: removed from the YAML: policy.removed: release: subscription ${id} is no longer managed and stays as it is in tenant ${tenant}; nothing was called`);
    return;
  }
  if (props.status === "deleted") {
    host.log(`seatplan: ${label}: subscription ${id} is already cancelled; nothing to do`);
    return;
  }
  const { backend, key } = await backendFor(host, currentSettings(host));
  let live: ObservedSubscription[];
  try {
    live = await backend.listSubscriptions(tenant);
  } catch (e) {
    if (!isBackendError(e) || e.status !== 404) throw e;
    live = [];
  }
  const entry: DesiredSubscription = {
    customer: props.customerKey,
    key: props.subscriptionKey,
    id,
    offer: props.offer,
    term: props.term,
    billing: props.billing,
    quantity: props.quantity,
    autoRenew: props.autoRenew,
    status: "active",
    friendlyName: props.friendlyName,
  };
  const base: DesiredState = { version: 1, file: label, policy: { reductions: "block", removed: policy }, customers: [{ key: props.customerKey, tenantId: tenant, subscriptions: [entry] }] };
  // The YAML as it is, without this resource's own entry: a destroy removes every entry, one at a time.
  const others: DesiredState = {
    version: 1,
    file: current?.file ?? label,
    policy: { reductions: "block", removed: policy },
    customers: (current?.customers ?? [])
      .filter((c) => c.tenantId === tenant)
      .map((c) => ({ ...c, subscriptions: c.subscriptions.filter((s) => !(c.key === props.customerKey && s.key === props.subscriptionKey)) })),
  };
  const observation: Observation = { catalog: await backend.getCatalog(), customers: { [props.customerKey]: { subscriptions: live } } };
  const removal = planRemovals(base, others, observation, { now: await planningNow(host, backend), backend: backend.name, capabilities: backend.capabilities });
  const [outcome] = removal.removed;
  throwIfBlocked(label, removal.steps);
  const { failure } = await execute(host, label, removal.steps, backend, key, tenant, live.find((s) => s.id === id) ?? null, false);
  if (failure !== null) throw new Error(failure);
  host.log(`seatplan: ${label}: removed from the YAML: ${outcome === undefined ? `subscription ${id}: nothing to do` : outcome.note}`);
}

/** The YAML file the program read, parsed as it is now; null when the outputs do not name it or it cannot be read. */
function currentDesired(host: RuntimeHost, props: SubscriptionOutputs): DesiredState | null {
  if (typeof props.desiredFile !== "string" || props.desiredFile === "") return null;
  let bytes: Buffer;
  try {
    bytes = readFileSync(resolve(host.cwd(), props.desiredFile));
  } catch {
    return null;
  }
  const decoded = decodeText(bytes, props.desiredFile);
  return decoded.ok ? (parseDesired(decoded.text, props.desiredFile).state ?? null) : null;
}

// ---------------------------------------------------------------------------------------------

function currentSettings(host: RuntimeHost): Settings {
  return mergeSettings(host.env, processState.config);
}

/**
 * The audit log of every write the provider makes (`SEATPLAN_AUDIT_LOG` / `seatplan:auditLog`,
 * relative to the project directory), scrubbed of the run's credentials.
 */
function auditSink(host: RuntimeHost): AuditSink {
  const settings = currentSettings(host);
  const path = resolve(host.cwd(), settings.SEATPLAN_AUDIT_LOG ?? DEFAULT_AUDIT_LOG);
  return fileAuditSink(path, [settings.SEATPLAN_CLIENT_SECRET, settings.SEATPLAN_REFRESH_TOKEN, settings.SEATPLAN_ACCESS_TOKEN]);
}

/** One backend per configuration per process, opened on first use (never in check or diff). */
async function backendFor(host: RuntimeHost, settings: Settings): Promise<{ backend: Backend; key: string }> {
  const { SEATPLAN_NOW: _now, ...identity } = settings;
  const cwd = host.cwd();
  const key = createHash("sha256").update(JSON.stringify([cwd, identity])).digest("hex");
  let opened = processState.backends.get(key);
  if (opened === undefined) {
    opened = openBackend(identity, cwd, { progress: (line) => host.log(`seatplan: ${line}`) }).catch((e: unknown) => {
      processState.backends.delete(key);
      throw e instanceof ConfigError ? inPulumiTerms(e) : e;
    });
    processState.backends.set(key, opened);
  }
  return { backend: await opened, key };
}

/**
 * The embedded simulator's clock, so `preview` plans at the instant `up` will (its state file may
 * hold a clock days behind the real one). Reading it is a local file read, not an API call; other
 * backends are not opened here (a REST backend has no clock to offer without a request), nor is a
 * state file that does not exist yet (there is no tenant to plan against: the real clock it is).
 */
async function simulatorClock(host: RuntimeHost, settings: Settings): Promise<Date | undefined> {
  if (backendName(settings) !== DEFAULT_BACKEND) return undefined;
  // Opening a missing state file creates the demo tenant: a write, which preview must never make.
  if (!existsSync(simulatorStatePath(settings, host.cwd()))) return undefined;
  const { backend } = await backendFor(host, settings);
  return backend.now ? new Date(await backend.now()) : undefined;
}

/** `SEATPLAN_NOW`, else the backend's clock (the simulator's), else the real one. */
function planningNow(host: RuntimeHost, backend: Backend): Promise<Date> {
  return planningInstant(fixedNow(currentSettings(host)), backend, host.now);
}

function listOnce(key: string, backend: Backend, tenant: string): Promise<ObservedSubscription[]> {
  const cacheKey = `${key}|${tenant}`;
  let list = processState.lists.get(cacheKey);
  if (list === undefined) {
    list = backend.listSubscriptions(tenant).catch((e: unknown) => {
      processState.lists.delete(cacheKey);
      throw e;
    });
    processState.lists.set(cacheKey, list);
  }
  return list;
}

/** Runs the steps; a write makes the customer's cached list stale. */
async function execute(
  host: RuntimeHost,
  label: string,
  steps: readonly PlanStep[],
  backend: Backend,
  key: string,
  tenant: string,
  observed: ObservedSubscription | null,
  report = true,
): Promise<{ last: ObservedSubscription | null; failure: string | null }> {
  if (steps.length === 0) return { last: null, failure: null };
  const outcomes = await applySubscription(steps, backend, {
    customerId: tenant,
    ...(observed === null ? {} : { observed }),
    audit: { sink: auditSink(host), source: "pulumi", planId: null },
  });
  processState.lists.delete(`${key}|${tenant}`);
  let last: ObservedSubscription | null = null;
  let failure: string | null = null;
  for (const o of outcomes) {
    if (o.status === "done") {
      last = o.subscription;
      if (report) host.log(`seatplan: ${label}: ${o.step.action} ${change(o.step)} (${o.step.timing}${o.step.timing === "at-renewal" && o.step.effectiveAt !== null ? `, from ${dayText(o.step.effectiveAt)}` : ""})`);
    }
    if (o.status === "failed" && failure === null) {
      const skipped = outcomes.filter((x) => x.status === "skipped").map((x) => x.step.action);
      failure =
        `${label}: ${o.step.action} ${change(o.step)} failed [${o.code}]: ${o.message}` +
        (skipped.length > 0 ? `\n  not run: ${skipped.join(", ")}` : "") +
        "\n  hint: run `pulumi refresh` to read the subscription as it is now, then `pulumi preview` (or `seatplan plan`) to see what the rules allow";
    }
  }
  return { last, failure };
}

function change(step: PlanStep): string {
  return step.from === null ? describeValue(step.to) : `${describeValue(step.from)} → ${describeValue(step.to)}`;
}

/** Every blocked step with its reason and the YAML that would work; null when none is blocked. */
function blockedText(label: string, steps: readonly PlanStep[]): string | null {
  const blocked = steps.filter((s) => s.timing === "blocked");
  if (blocked.length === 0) return null;
  return blocked
    .map((s) => `${label}: ${s.action} ${change(s)} is blocked: ${s.reason ?? "the commerce rules refuse it"}${s.hint === null ? "" : `\n  hint: ${s.hint}`}`)
    .join("\n");
}

function throwIfBlocked(label: string, steps: readonly PlanStep[]): void {
  const blocked = blockedText(label, steps);
  if (blocked !== null) throw new Error(blocked);
}

/** A resource stays bound to the subscription it manages: another tenant or id is another resource. */
function refuseRebinding(label: string, id: string, olds: SubscriptionOutputs, news: SubscriptionInputs): void {
  const forget = `forget this one with \`pulumi state delete\` (the subscription is left as it is), then \`pulumi up\` adopts the other`;
  if (String(olds.customerTenantId).toLowerCase() !== news.customerTenantId.toLowerCase()) {
    throw new Error(`${label}: this resource manages subscription ${id} of tenant ${olds.customerTenantId}, but the YAML now says tenantId: ${news.customerTenantId}; a resource cannot move to another tenant: ${forget}, or restore the tenantId`);
  }
  const known = [id, olds.providerSubscriptionId].flatMap((x) => (typeof x === "string" ? [x.toLowerCase()] : []));
  if (news.entry.id !== null && !known.includes(news.entry.id.toLowerCase())) {
    throw new Error(`${label}: this resource manages subscription ${id}, but the YAML now says id: ${news.entry.id}; a resource cannot switch subscriptions: ${forget}, or set id: ${id} again`);
  }
}

function desiredOrThrow(label: string, inputs: unknown, pinnedId?: string): DesiredInputs {
  const result = desiredOf(inputs, pinnedId);
  if ("failures" in result) throw new Error(`${label}: ${failureText(result.failures)}`);
  return result.desired;
}

function failureText(failures: readonly InputFailure[]): string {
  return failures.map((f) => `${f.property === "" ? "" : `${f.property}: `}${f.reason}`).join("; ");
}

/** The checked inputs: canonical, so equal YAML gives equal inputs. */
function inputsOf(d: DesiredInputs, providerVersion: string, desiredFile: unknown): SubscriptionInputs {
  return {
    entry: entryOf(d.entry),
    customerKey: d.customer.key,
    customerTenantId: d.customer.tenantId,
    reductions: d.state.policy.reductions,
    removed: d.state.policy.removed,
    ...(d.state.policy.businessSeatCap === "block" ? { businessSeatCap: "block" as const } : {}),
    ...(typeof desiredFile === "string" && desiredFile !== "" ? { desiredFile } : {}),
    related: d.customer.subscriptions.filter((s) => s.key !== d.entry.key).map(entryOf),
    providerVersion,
  };
}

function labelOf(inputs: SubscriptionInputs): string {
  return `${inputs.customerKey}/${inputs.entry.key}`;
}

function contextOf(inputs: SubscriptionInputs): OutputContext {
  return {
    customerKey: inputs.customerKey,
    subscriptionKey: inputs.entry.key,
    providerVersion: inputs.providerVersion,
    removed: inputs.removed ?? "release",
    desiredFile: inputs.desiredFile ?? null,
  };
}

function matchOf(d: DesiredInputs, live: readonly ObservedSubscription[]): Match {
  return resolveCustomer(d.customer, live).find((r) => r.desired.key === d.entry.key)?.match ?? { kind: "none" };
}

/**
 * The subscription a `status: cancelled` entry stands for once it has ended (the planner matches
 * by name among live ones only): the latest ended one of that name, so the resource records it.
 */
function ended(live: readonly ObservedSubscription[], entry: DesiredSubscription): ObservedSubscription | null {
  const named = live.filter((s) => s.friendlyName === entry.friendlyName && (s.status === "deleted" || s.status === "expired"));
  return [...named].sort((a, b) => Date.parse(b.endDate) - Date.parse(a.endDate) || (a.id < b.id ? -1 : 1))[0] ?? null;
}

/**
 * Transition eligibilities as far as the built-in catalog knows them (diff may not ask the
 * backend): its upgrade paths, or — for an offer it does not know — the target as asked, so an
 * unknown offer is judged by `up`, which reads the backend's answer.
 */
function offlineEligibilities(catalog: Catalog, observed: ObservedSubscription, to: string): TransitionEligibility[] {
  const targets = offerOf(catalog, observed.offer) === undefined ? [to] : renewalOffers(catalog, observed.offer).filter((o) => o !== observed.offer);
  return targets.map((offer) => ({ offer, isEligible: true, errors: [], into: [] }));
}

/** The error shape the provider host turns into a partial failure: the resource exists and is recorded. */
function initFailure(s: ObservedSubscription, context: OutputContext, provider: string | undefined, message: string): Error {
  return Object.assign(new Error(message), {
    id: s.id,
    properties: { ...outputsOf(s, context), __provider: provider ?? "" },
    reasons: [message],
  });
}
