// A small stand-in for the Pulumi engine, for tests on machines without the Pulumi CLI.
//
// It runs the real program through the SDK's `cmd/run` against a stub ResourceMonitor + Engine
// served here, runs every dynamic resource through the real `cmd/dynamic-provider` host, and keeps
// a JSON state file. The step rules follow the engine (reference/pulumi-dynamic.md §1.2, §2):
// Check, then Create for a new URN or Diff(old OUTPUTS, checked inputs) for a known one; preview
// runs only Check and Diff; refresh is Read per stored resource; destroy is Delete per resource.
// What it does not model is listed in test/harness/README.md.
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { isDeepStrictEqual } from "node:util";
import type { Server, UntypedServiceImplementation } from "@grpc/grpc-js";
import type { IEngineServer } from "@pulumi/pulumi/proto/engine_grpc_pb";
import type { IResourceMonitorServer } from "@pulumi/pulumi/proto/resource_grpc_pb";
import type { RegisterResourceRequest } from "@pulumi/pulumi/proto/resource_pb";
import YAML from "yaml";
import { ProviderCallError, ProviderHost } from "./providerHost";
import {
  type Props,
  emptyPb,
  enginePb,
  engineGrpc,
  fromStruct,
  grpc,
  resourceGrpc,
  resourcePb,
  runnerScript,
  toStruct,
} from "./sdk";
import {
  type ResourceState,
  type StackState,
  annotateSecrets,
  readState,
  secret,
  stripProps,
  writeState,
} from "./state";

/** How to run one project/stack. */
export interface HarnessOptions {
  /** Project directory (where Pulumi.yaml is): cwd of the program and of the provider host. */
  projectDir: string;
  /** Project name. @default `name` in Pulumi.yaml */
  project?: string;
  stack: string;
  /** Path of the JSON state file; created on the first `up`. */
  statePath: string;
  /** Stack config. Keys without a namespace get `<project>:`. */
  config?: Record<string, string>;
  /** Secret stack config (`pulumi config set --secret`): secret in the program, unwrapped for the provider. */
  secretConfig?: Record<string, string>;
  /**
   * Program to run, relative to `projectDir`.
   * @default `main` in Pulumi.yaml, else "." (package.json `main`/`exports`, as the CLI does)
   */
  program?: string;
  /**
   * Run the program through the SDK's vendored ts-node, as pulumi-language-nodejs does for the
   * `typescript` runtime option. @default true
   */
  typescript?: boolean;
  /** Extra environment for the program and the provider host (e.g. backend selection). */
  env?: Record<string, string>;
}

/** Per-operation extras. */
export interface OperationOptions {
  /** Extra environment for this operation's provider host only (e.g. a crash switch in a fixture). */
  providerEnv?: Record<string, string>;
}

export type Operation = "preview" | "up" | "refresh" | "destroy";
export type StepOp = "create" | "same" | "update" | "replace" | "delete" | "read";

/** One step the engine took (or, in preview, would take) for a custom resource. */
export interface Step {
  urn: string;
  op: StepOp;
  /** Refresh only: how the live resource compared with the state. */
  drift?: "none" | "changed" | "gone";
}

/** A message the program sent to the engine; debug messages are dropped, as the CLI hides them. */
export interface LogEntry {
  severity: "info" | "warning" | "error";
  message: string;
  /** "" when the message is not about one resource. */
  urn: string;
}

export interface StepError {
  /** "" when the failure is not about one resource (e.g. the program crashed). */
  urn: string;
  message: string;
}

export interface OperationResult {
  operation: Operation;
  /** False if any step failed, the program failed, or it logged an error. */
  ok: boolean;
  /** Steps for custom resources (not the stack or components), in the order they were decided. */
  steps: Step[];
  errors: StepError[];
  /** Messages the program sent to the engine (pulumi.log, uncaught errors). */
  logs: LogEntry[];
  /** Stack outputs as registered (secrets as envelopes, unknowns as the unknown sentinel). */
  outputs: Props;
  /** What the program runner and the provider host printed. */
  processes: { program: ProcessOutput | undefined; provider: ProcessOutput | undefined };
}

export interface ProcessOutput {
  exit: number | string;
  stdout: string;
  stderr: string;
}

type ResolvedOptions = Omit<HarnessOptions, "project" | "program"> & { project: string; program: string };

const STACK_TYPE = "pulumi:pulumi:Stack";
const DYNAMIC_TYPE_PREFIX = "pulumi-nodejs:dynamic";
const SEVERITIES = [undefined, "info", "warning", "error"] as const;

/** Runs preview/up/refresh/destroy for one stack; one operation at a time. */
export class Harness {
  private current: Deployment | undefined;

  private constructor(
    private readonly options: ResolvedOptions,
    private readonly server: Server,
    private readonly address: string,
  ) {}

  /** Starts the stub monitor/engine server (127.0.0.1, ephemeral port). */
  static async start(options: HarnessOptions): Promise<Harness> {
    const project = readProject(options.projectDir);
    const resolved: ResolvedOptions = {
      ...options,
      project: options.project ?? project.name,
      program: options.program ?? project.main ?? ".",
    };
    const server = new grpc.Server();
    let harness: Harness | undefined;
    const active = (): Deployment => {
      if (harness?.current === undefined) throw new Error("no operation is running");
      return harness.current;
    };
    server.addService(resourceGrpc.ResourceMonitorService, monitorService(active));
    server.addService(engineGrpc.EngineService, engineService(active));
    const port = await new Promise<number>((resolve, reject) =>
      server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))),
    );
    harness = new Harness(resolved, server, `127.0.0.1:${port}`);
    return harness;
  }

  /** `pulumi preview`: runs the program with --dry-run; Check and Diff only; never writes state. */
  preview(options: OperationOptions = {}): Promise<OperationResult> {
    return this.run("preview", options);
  }

  /** `pulumi up --yes --skip-preview`. */
  up(options: OperationOptions = {}): Promise<OperationResult> {
    return this.run("up", options);
  }

  /** `pulumi refresh --yes`: Read for every stored custom resource; the program does not run. */
  refresh(options: OperationOptions = {}): Promise<OperationResult> {
    return this.run("refresh", options);
  }

  /** `pulumi destroy --yes`: Delete for every stored custom resource, last first. */
  destroy(options: OperationOptions = {}): Promise<OperationResult> {
    return this.run("destroy", options);
  }

  /** The state file as the next operation will see it (secrets decrypted, as envelopes). */
  state(): StackState {
    return readState(this.options.statePath);
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => this.server.tryShutdown(() => resolve()));
  }

  private async run(operation: Operation, options: OperationOptions): Promise<OperationResult> {
    if (this.current !== undefined) throw new Error(`cannot start ${operation}: ${this.current.operation} is running`);
    const deployment = new Deployment(operation, this.options, options, this.address);
    this.current = deployment;
    try {
      return await deployment.run();
    } finally {
      this.current = undefined;
    }
  }
}

/** One operation: its prior and next state, the provider host it started, and what happened. */
class Deployment {
  private readonly prior: StackState;
  private readonly priorCustom = new Map<string, ResourceState>();
  private readonly next = new Map<string, ResourceState>();
  private readonly registrationOrder: string[] = [];
  private readonly inFlight = new Set<Promise<unknown>>();
  private readonly steps: Step[] = [];
  private readonly errors: StepError[] = [];
  private readonly logs: LogEntry[] = [];
  private host: Promise<ProviderHost> | undefined;
  private programOutput: ProcessOutput | undefined;
  rootUrn = "";

  constructor(
    readonly operation: Operation,
    private readonly options: ResolvedOptions,
    private readonly operationOptions: OperationOptions,
    private readonly address: string,
  ) {
    this.prior = readState(options.statePath);
    for (const r of this.prior.resources) {
      this.next.set(r.urn, r);
      if (r.custom) this.priorCustom.set(r.urn, r);
    }
  }

  private get dryRun(): boolean {
    return this.operation === "preview";
  }

  /** Namespaced plain and secret config, as the CLI resolves it. */
  private config(): { plain: Record<string, string>; secretKeys: string[] } {
    const ns = (key: string): string => (key.includes(":") ? key : `${this.options.project}:${key}`);
    const plain: Record<string, string> = {};
    for (const [k, v] of Object.entries(this.options.config ?? {})) plain[ns(k)] = v;
    const secretKeys: string[] = [];
    for (const [k, v] of Object.entries(this.options.secretConfig ?? {})) {
      plain[ns(k)] = v;
      secretKeys.push(ns(k));
    }
    return { plain, secretKeys };
  }

  async run(): Promise<OperationResult> {
    let provider: ProcessOutput | undefined;
    try {
      switch (this.operation) {
        case "preview":
        case "up":
          // Started alongside the program rather than at its first registration: same behaviour, faster.
          this.providerHost().catch(() => undefined);
          await this.runProgram();
          await Promise.all(this.inFlight);
          if (this.errors.length === 0) await this.deleteUnregistered();
          break;
        case "refresh":
          await this.refreshAll();
          break;
        case "destroy":
          await this.destroyAll();
          break;
        default: {
          const never: never = this.operation;
          throw new Error(`unknown operation ${String(never)}`);
        }
      }
    } finally {
      if (!this.dryRun) writeState(this.options.statePath, this.finalState());
      provider = await this.closeHost();
    }
    const stack = this.next.get(this.rootUrn) ?? this.prior.resources.find((r) => r.type === STACK_TYPE);
    return {
      operation: this.operation,
      ok: this.errors.length === 0,
      steps: this.steps,
      errors: this.errors,
      logs: this.logs,
      outputs: this.operation === "destroy" ? {} : (stack?.outputs ?? {}),
      processes: { program: this.programOutput, provider },
    };
  }

  // ---- the program ----

  private async runProgram(): Promise<void> {
    const { plain, secretKeys } = this.config();
    const args = [
      runnerScript,
      `--monitor=${this.address}`,
      `--engine=${this.address}`,
      `--project=${this.options.project}`,
      `--stack=${this.options.stack}`,
      `--root-directory=${this.options.projectDir}`,
      `--pwd=${this.options.projectDir}`,
      ...(this.dryRun ? ["--dry-run"] : []),
      this.options.program,
    ];
    const child = spawn(process.execPath, args, {
      cwd: this.options.projectDir,
      env: {
        ...process.env,
        PULUMI_CONFIG: JSON.stringify(plain),
        PULUMI_CONFIG_SECRET_KEYS: JSON.stringify(secretKeys),
        PULUMI_NODEJS_TYPESCRIPT: String(this.options.typescript ?? true),
        ...this.options.env,
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    const output = { stdout: "", stderr: "" };
    child.stdout.setEncoding("utf8").on("data", (s: string) => (output.stdout += s));
    child.stderr.setEncoding("utf8").on("data", (s: string) => (output.stderr += s));
    const exit = await new Promise<number | string>((resolve) =>
      child.once("close", (code, signal) => resolve(code ?? signal ?? "unknown")),
    );
    this.programOutput = { exit, ...output };
    // 32: the program already reported its error through Engine.Log (collected in `errors`).
    if (exit !== 0 && exit !== 32) {
      this.errors.push({ urn: "", message: `program exited with ${exit}:\n${output.stderr}` });
    }
  }

  /** RegisterResource: the engine's step for one resource. Returns what the program sees. */
  register(req: RegisterResourceRequest): Promise<{ urn: string; id: string; outputs: Props }> {
    const urn = this.urnFor(req.getType(), req.getName(), req.getParent());
    this.registrationOrder.push(urn);
    const step = this.step(urn, req);
    // Failures are already in `errors`; the run only waits for every step to settle.
    this.inFlight.add(step.catch(() => undefined));
    return step;
  }

  private urnFor(type: string, name: string, parent: string): string {
    const parentType = parent === "" ? "" : (parent.split("::")[2] ?? "");
    const qualified = parentType === "" || parentType === STACK_TYPE ? type : `${parentType}$${type}`;
    return `urn:pulumi:${this.options.stack}::${this.options.project}::${qualified}::${name}`;
  }

  private async step(urn: string, req: RegisterResourceRequest): Promise<{ urn: string; id: string; outputs: Props }> {
    const type = req.getType();
    const inputs = fromStruct(req.getObject());
    const base = { urn, type, custom: req.getCustom(), parent: req.getParent() };
    if (!req.getCustom()) {
      // The root stack and components: recorded, no provider. Outputs arrive via RegisterResourceOutputs.
      const old = this.next.get(urn);
      this.next.set(urn, { ...base, id: "", inputs, outputs: old?.outputs ?? {} });
      return { urn, id: "", outputs: inputs };
    }
    try {
      if (!type.startsWith(DYNAMIC_TYPE_PREFIX)) {
        throw new Error(`the harness only runs dynamic resources, not ${type}`);
      }
      rejectUnsupportedOptions(req);
      return await this.dynamicStep(urn, base, req, inputs);
    } catch (e) {
      this.fail(urn, e);
      throw e;
    }
  }

  private async dynamicStep(
    urn: string,
    base: Pick<ResourceState, "urn" | "type" | "custom" | "parent">,
    req: RegisterResourceRequest,
    news: Props,
  ): Promise<{ urn: string; id: string; outputs: Props }> {
    const host = await this.providerHost();
    const old = this.priorCustom.get(urn);
    const checked = await host.check(urn, stripProps(old?.inputs ?? {}), stripProps(news));
    if (checked.failures.length > 0) {
      const problems = checked.failures.map((f) => (f.property === "" ? f.reason : `property ${f.property}: ${f.reason}`));
      throw new Error(`${base.type} resource '${req.getName()}' has a problem: ${problems.join("; ")}`);
    }
    const inputs = annotateSecrets(checked.inputs, news);
    const record = (id: string, outputs: Props, initErrors?: string[]): Props => {
      const annotated = annotateSecrets(outputs, inputs);
      this.next.set(urn, { ...base, id, inputs, outputs: annotated, ...(initErrors ? { initErrors } : {}) });
      return annotated;
    };

    if (old === undefined) {
      this.steps.push({ urn, op: "create" });
      if (this.dryRun) return { urn, id: "", outputs: inputs };
      const created = await this.recordingInitFailure(record, () => host.create(urn, stripProps(inputs)));
      return { urn, id: created.id, outputs: record(created.id, created.outputs) };
    }

    const diff = await host.diff(urn, old.id, stripProps(old.outputs), stripProps(inputs), stripProps(old.inputs));
    const changed =
      diff.changes === "some" ||
      (diff.changes === "unknown" && !isDeepStrictEqual(stripProps(old.inputs), stripProps(inputs))) ||
      // A resource whose last create/update failed part-way gets another update.
      (old.initErrors?.length ?? 0) > 0;
    if (!changed) {
      this.steps.push({ urn, op: "same" });
      if (!this.dryRun) this.next.set(urn, { ...old, inputs });
      return { urn, id: old.id, outputs: old.outputs };
    }
    const replace = diff.changes === "some" && diff.replaces.length > 0;
    this.steps.push({ urn, op: replace ? "replace" : "update" });
    if (this.dryRun) return { urn, id: old.id, outputs: inputs };

    if (!replace) {
      const updated = await this.recordingInitFailure(record, () =>
        host.update(urn, old.id, stripProps(old.outputs), stripProps(inputs), stripProps(old.inputs)),
      );
      return { urn, id: old.id, outputs: record(old.id, updated.outputs) };
    }
    // Create-before-delete is the default; the provider or the resource option can ask for the reverse.
    // (The real engine deletes the old copy at the end of the run; here it goes right after.)
    const deleteFirst = diff.deleteBeforeReplace || req.getDeletebeforereplace();
    const deleteOld = (): Promise<void> =>
      host.delete(urn, old.id, stripProps(old.outputs), stripProps(old.inputs));
    if (deleteFirst) {
      await deleteOld();
      this.next.delete(urn);
    }
    const created = await this.recordingInitFailure(record, () => host.create(urn, stripProps(inputs)));
    const outputs = record(created.id, created.outputs);
    if (!deleteFirst) await deleteOld();
    return { urn, id: created.id, outputs };
  }

  /** A create/update that failed after the resource came to exist is recorded, then still fails the step. */
  private async recordingInitFailure<T>(
    record: (id: string, outputs: Props, initErrors?: string[]) => Props,
    call: () => Promise<T>,
  ): Promise<T> {
    try {
      return await call();
    } catch (e) {
      if (e instanceof ProviderCallError && e.initFailure !== undefined) {
        record(e.initFailure.id, e.initFailure.properties, e.initFailure.reasons);
      }
      throw e;
    }
  }

  /** RegisterResourceOutputs: the stack's exports, or a component's outputs. */
  registerOutputs(urn: string, outputs: Props): void {
    const r = this.next.get(urn);
    if (r !== undefined) this.next.set(urn, { ...r, outputs });
  }

  log(entry: LogEntry): void {
    this.logs.push(entry);
    if (entry.severity === "error") this.errors.push({ urn: entry.urn, message: entry.message });
  }

  private fail(urn: string, e: unknown): void {
    this.errors.push({ urn, message: e instanceof Error ? e.message : String(e) });
  }

  /** After a clean `up`, whatever the program no longer declares is deleted, last registered first. */
  private async deleteUnregistered(): Promise<void> {
    const registered = new Set(this.registrationOrder);
    for (const r of [...this.prior.resources].reverse()) {
      if (registered.has(r.urn)) continue;
      await this.deleteResource(r);
    }
  }

  private async deleteResource(r: ResourceState): Promise<void> {
    if (!r.custom) {
      if (!this.dryRun) this.next.delete(r.urn);
      return;
    }
    this.steps.push({ urn: r.urn, op: "delete" });
    if (this.dryRun) return;
    try {
      const host = await this.providerHost();
      await host.delete(r.urn, r.id, stripProps(r.outputs), stripProps(r.inputs));
      this.next.delete(r.urn);
    } catch (e) {
      this.fail(r.urn, e);
    }
  }

  // ---- refresh and destroy (the program does not run) ----

  private async refreshAll(): Promise<void> {
    for (const r of this.prior.resources) {
      if (!r.custom) continue;
      try {
        const host = await this.providerHost();
        const read = await host.read(r.urn, r.id, stripProps(r.outputs), stripProps(r.inputs));
        if (read.id === "") {
          this.steps.push({ urn: r.urn, op: "read", drift: "gone" });
          this.next.delete(r.urn);
          continue;
        }
        const inputs = read.inputs === undefined ? r.inputs : annotateSecrets(read.inputs, r.inputs);
        const outputs = annotateSecrets(read.outputs, inputs);
        const same = isDeepStrictEqual(stripProps(outputs), stripProps(r.outputs));
        this.steps.push({ urn: r.urn, op: "read", drift: same ? "none" : "changed" });
        this.next.set(r.urn, { ...r, id: read.id, inputs, outputs });
      } catch (e) {
        this.fail(r.urn, e);
      }
    }
  }

  private async destroyAll(): Promise<void> {
    for (const r of [...this.prior.resources].reverse()) await this.deleteResource(r);
  }

  // ---- provider host and state ----

  /** Started on first use, as the engine loads a plugin when a resource first needs it. */
  private providerHost(): Promise<ProviderHost> {
    this.host ??= (async () => {
      const { plain, secretKeys } = this.config();
      const host = await ProviderHost.start({
        cwd: this.options.projectDir,
        project: this.options.project,
        stack: this.options.stack,
        config: plain,
        env: { ...this.options.env, ...this.operationOptions.providerEnv },
      });
      const args: Props = { ...plain };
      for (const key of secretKeys) args[key] = secret(plain[key] ?? "");
      await host.configure(args);
      return host;
    })();
    return this.host;
  }

  private async closeHost(): Promise<ProcessOutput | undefined> {
    if (this.host === undefined) return undefined;
    const host = await this.host.catch(() => undefined);
    if (host === undefined) return undefined;
    await host.close();
    return { exit: await host.exited, stdout: host.stdout, stderr: host.stderr };
  }

  /** Resources registered this run in registration order, then the prior ones the run left alone. */
  private finalState(): StackState {
    const urns = [...new Set([...this.registrationOrder, ...this.prior.resources.map((r) => r.urn)])];
    const resources = urns.flatMap((urn) => {
      const r = this.next.get(urn);
      return r === undefined ? [] : [r];
    });
    return { version: 1, resources };
  }
}

/** The fields of Pulumi.yaml the harness honours. */
function readProject(projectDir: string): { name: string; main: string | undefined } {
  const file = path.join(projectDir, "Pulumi.yaml");
  const doc = (fs.existsSync(file) ? YAML.parse(fs.readFileSync(file, "utf8")) : {}) as { name?: unknown; main?: unknown };
  return {
    name: typeof doc.name === "string" ? doc.name : path.basename(projectDir),
    main: typeof doc.main === "string" ? doc.main : undefined,
  };
}

/** Options whose engine semantics the harness does not emulate: refuse them rather than ignore them. */
function rejectUnsupportedOptions(req: RegisterResourceRequest): void {
  const unsupported = [
    req.getProtect() === true ? "protect" : "",
    req.getIgnorechangesList().length > 0 ? "ignoreChanges" : "",
    req.getRetainondelete() === true ? "retainOnDelete" : "",
    req.getAdditionalsecretoutputsList().length > 0 ? "additionalSecretOutputs" : "",
    req.getImportid() !== "" ? "import" : "",
  ].filter((o) => o !== "");
  if (unsupported.length > 0) {
    throw new Error(`the harness does not emulate the resource option(s) ${unsupported.join(", ")}`);
  }
}

function monitorService(active: () => Deployment): UntypedServiceImplementation {
  const impl: Partial<IResourceMonitorServer> = {
    supportsFeature(call, callback) {
      // Secrets only: without it the SDK sends secret values as plain ones.
      callback(null, new resourcePb.SupportsFeatureResponse().setHassupport(call.request.getId() === "secrets"));
    },
    registerResource(call, callback) {
      active()
        .register(call.request)
        .then(
          ({ urn, id, outputs }) => {
            const resp = new resourcePb.RegisterResourceResponse();
            resp.setUrn(urn).setId(id).setObject(toStruct(outputs)).setResult(resourcePb.Result.SUCCESS);
            callback(null, resp);
          },
          // The engine's answer after a failed step (pkg/resource/deploy/source_eval.go): the SDK
          // stops quietly; the step's own error is in the result.
          () =>
            callback({
              code: grpc.status.UNAVAILABLE,
              details: "resource monitor shut down while waiting on step's done channel",
            }),
        );
    },
    registerResourceOutputs(call, callback) {
      active().registerOutputs(call.request.getUrn(), fromStruct(call.request.getOutputs()));
      callback(null, new emptyPb.Empty());
    },
  };
  return impl as UntypedServiceImplementation;
}

function engineService(active: () => Deployment): UntypedServiceImplementation {
  const impl: Partial<IEngineServer> = {
    log(call, callback) {
      const req = call.request;
      const severity = SEVERITIES[req.getSeverity()];
      if (severity !== undefined) active().log({ severity, message: req.getMessage(), urn: req.getUrn() });
      callback(null, new emptyPb.Empty());
    },
    getRootResource(_call, callback) {
      callback(null, new enginePb.GetRootResourceResponse().setUrn(active().rootUrn));
    },
    setRootResource(call, callback) {
      active().rootUrn = call.request.getUrn();
      callback(null, new enginePb.SetRootResourceResponse());
    },
  };
  return impl as UntypedServiceImplementation;
}
