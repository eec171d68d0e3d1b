// The real dynamic-provider host (`@pulumi/pulumi/cmd/dynamic-provider`), started the way the
// engine starts the `pulumi-resource-pulumi-nodejs` plugin, and driven over gRPC with the SDK's own
// ResourceProviderClient. Each method is a promise over one RPC with plain JSON in and out.
import { type ChildProcess, spawn } from "node:child_process";
import type { ServiceError } from "@grpc/grpc-js";
import type { ResourceProviderClient } from "@pulumi/pulumi/proto/provider_grpc_pb";
import type * as pb from "@pulumi/pulumi/proto/provider_pb";
import {
  type Props,
  dynamicProviderScript,
  fromStruct,
  grpc,
  providerGrpc,
  providerPb,
  statusPb,
  toStruct,
} from "./sdk";

/** How to start a provider host. */
export interface ProviderHostOptions {
  /**
   * Working directory of the host. The engine uses the project directory; `require()` inside a
   * serialized provider's methods resolves from here.
   */
  cwd: string;
  /** Project name: un-namespaced `config.get(key)` inside the provider reads `<project>:key`. */
  project: string;
  /** Stack name, passed in the environment as the engine does. */
  stack: string;
  /** Full namespaced stack config (`{"proj:key": "value"}`), put in `PULUMI_CONFIG` as the CLI does. */
  config?: Record<string, string>;
  /** Extra environment for the host, on top of this process's environment. */
  env?: Record<string, string>;
}

/** The answer of Check: the inputs the provider wants stored, and validation failures. */
export interface CheckResult {
  inputs: Props;
  failures: { property: string; reason: string }[];
}

/** The answer of Diff, with the engine's three-valued `changes`. */
export interface DiffResult {
  changes: "some" | "none" | "unknown";
  replaces: string[];
  deleteBeforeReplace: boolean;
}

/** A create or update that reached the backend but failed afterwards (gRPC ErrorResourceInitFailed). */
export interface InitFailure {
  id: string;
  properties: Props;
  reasons: string[];
}

/** A failed RPC. `initFailure` is set when the resource exists despite the error and must be recorded. */
export class ProviderCallError extends Error {
  override readonly name = "ProviderCallError";
  constructor(
    readonly method: string,
    readonly code: number,
    readonly details: string,
    readonly initFailure: InitFailure | undefined,
  ) {
    super(`${method} failed: ${details}`);
  }
}

/** A running `cmd/dynamic-provider` process and a client connected to it. */
export class ProviderHost {
  private constructor(
    private readonly child: ChildProcess,
    private readonly client: ResourceProviderClient,
    private readonly output: { stdout: string; stderr: string },
    /** Resolves with the exit code (or signal name) once the process has exited. */
    readonly exited: Promise<number | string>,
  ) {}

  /** Spawns the host, waits for the port it prints first, and connects to it. */
  static async start(options: ProviderHostOptions): Promise<ProviderHost> {
    const config = options.config ?? {};
    // The engine address is required but never dialled by the Node host (reference §1.2).
    const child = spawn(process.execPath, [dynamicProviderScript, "127.0.0.1:1"], {
      cwd: options.cwd,
      env: {
        ...process.env,
        PULUMI_NODEJS_PROJECT: options.project,
        PULUMI_PROJECT: options.project,
        PULUMI_NODEJS_STACK: options.stack,
        PULUMI_STACK: options.stack,
        PULUMI_CONFIG: JSON.stringify(config),
        ...options.env,
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    const output = { stdout: "", stderr: "" };
    child.stderr?.setEncoding("utf8").on("data", (chunk: string) => (output.stderr += chunk));
    const exited = new Promise<number | string>((resolve) =>
      child.once("close", (code, signal) => resolve(code ?? signal ?? "unknown")),
    );
    const port = await new Promise<number>((resolve, reject) => {
      child.stdout?.setEncoding("utf8").on("data", (chunk: string) => {
        output.stdout += chunk;
        const firstLine = /^(\d+)\r?\n/.exec(output.stdout);
        if (firstLine?.[1] !== undefined) resolve(Number(firstLine[1]));
      });
      exited.then(
        (code) => reject(new Error(`provider host exited (${code}) before printing its port:\n${output.stderr}`)),
        reject,
      );
    });
    const client = new providerGrpc.ResourceProviderClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
    return new ProviderHost(child, client, output, exited);
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** Everything the host printed after its port line (provider `console.log` output lands here). */
  get stdout(): string {
    return this.output.stdout.replace(/^\d+\r?\n/, "");
  }

  get stderr(): string {
    return this.output.stderr;
  }

  /**
   * Sends the stack config the way the engine does for dynamic providers: the full config with
   * namespaces kept, secrets as secret envelopes the host unwraps.
   */
  async configure(config: Props): Promise<void> {
    const req = new providerPb.ConfigureRequest();
    req.setArgs(toStruct(config));
    for (const [key, value] of Object.entries(config)) {
      req.getVariablesMap().set(key, typeof value === "string" ? value : JSON.stringify(value));
    }
    req.setAcceptsecrets(true);
    req.setAcceptresources(true);
    await this.call<pb.ConfigureResponse>("Configure", (cb) => this.client.configure(req, cb));
  }

  async check(urn: string, olds: Props, news: Props): Promise<CheckResult> {
    const req = new providerPb.CheckRequest();
    req.setUrn(urn);
    req.setOlds(toStruct(olds));
    req.setNews(toStruct(news));
    const resp = await this.call<pb.CheckResponse>("Check", (cb) => this.client.check(req, cb));
    return {
      inputs: fromStruct(resp.getInputs()),
      failures: resp.getFailuresList().map((f) => ({ property: f.getProperty(), reason: f.getReason() })),
    };
  }

  /** `olds` are the stored OUTPUTS (the host passes them to `provider.diff`), `news` the checked inputs. */
  async diff(urn: string, id: string, olds: Props, news: Props, oldInputs: Props = {}): Promise<DiffResult> {
    const req = new providerPb.DiffRequest();
    req.setUrn(urn);
    req.setId(id);
    req.setOlds(toStruct(olds));
    req.setNews(toStruct(news));
    req.setOldInputs(toStruct(oldInputs));
    const resp = await this.call<pb.DiffResponse>("Diff", (cb) => this.client.diff(req, cb));
    const changes = resp.getChanges();
    const { DIFF_SOME, DIFF_NONE } = providerPb.DiffResponse.DiffChanges;
    return {
      changes: changes === DIFF_SOME ? "some" : changes === DIFF_NONE ? "none" : "unknown",
      replaces: resp.getReplacesList(),
      deleteBeforeReplace: resp.getDeletebeforereplace(),
    };
  }

  async create(urn: string, inputs: Props): Promise<{ id: string; outputs: Props }> {
    const req = new providerPb.CreateRequest();
    req.setUrn(urn);
    req.setProperties(toStruct(inputs));
    const resp = await this.call<pb.CreateResponse>("Create", (cb) => this.client.create(req, cb));
    return { id: resp.getId(), outputs: fromStruct(resp.getProperties()) };
  }

  /** Refresh: an empty `id` in the answer means the resource is gone. `inputs` only if the provider rewrote them. */
  async read(urn: string, id: string, outputs: Props, inputs: Props = {}): Promise<{ id: string; outputs: Props; inputs: Props | undefined }> {
    const req = new providerPb.ReadRequest();
    req.setUrn(urn);
    req.setId(id);
    req.setProperties(toStruct(outputs));
    req.setInputs(toStruct(inputs));
    const resp = await this.call<pb.ReadResponse>("Read", (cb) => this.client.read(req, cb));
    const newInputs = resp.getInputs();
    return {
      id: resp.getId(),
      outputs: fromStruct(resp.getProperties()),
      inputs: newInputs === undefined ? undefined : fromStruct(newInputs),
    };
  }

  async update(urn: string, id: string, olds: Props, news: Props, oldInputs: Props = {}): Promise<{ outputs: Props }> {
    const req = new providerPb.UpdateRequest();
    req.setUrn(urn);
    req.setId(id);
    req.setOlds(toStruct(olds));
    req.setNews(toStruct(news));
    req.setOldInputs(toStruct(oldInputs));
    const resp = await this.call<pb.UpdateResponse>("Update", (cb) => this.client.update(req, cb));
    return { outputs: fromStruct(resp.getProperties()) };
  }

  async delete(urn: string, id: string, outputs: Props, oldInputs: Props = {}): Promise<void> {
    const req = new providerPb.DeleteRequest();
    req.setUrn(urn);
    req.setId(id);
    req.setProperties(toStruct(outputs));
    req.setOldInputs(toStruct(oldInputs));
    await this.call("Delete", (cb) => this.client.delete(req, cb));
  }

  /** Shuts the host down as the engine does at the end of an operation, and waits until it is gone. */
  close(): Promise<void> {
    return this.stop("SIGTERM");
  }

  /** Stops the host the way a crash would, and waits until it is gone. */
  kill(): Promise<void> {
    return this.stop("SIGKILL");
  }

  private async stop(signal: NodeJS.Signals): Promise<void> {
    this.client.close();
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill(signal);
    await this.exited;
  }

  private call<T>(method: string, start: (cb: (err: ServiceError | null, resp: T) => void) => unknown): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      start((err, resp) => (err ? reject(toCallError(method, err)) : resolve(resp)));
    });
  }
}

/** Unpacks `grpc-status-details-bin`, where the host puts ErrorResourceInitFailed for partial failures. */
function toCallError(method: string, err: ServiceError): ProviderCallError {
  let initFailure: InitFailure | undefined;
  for (const raw of err.metadata?.get("grpc-status-details-bin") ?? []) {
    const status = statusPb.Status.deserializeBinary(typeof raw === "string" ? Buffer.from(raw) : raw);
    for (const detail of status.getDetailsList()) {
      const failed = detail.unpack(
        (bytes) => providerPb.ErrorResourceInitFailed.deserializeBinary(bytes),
        "pulumirpc.ErrorResourceInitFailed",
      );
      if (failed) {
        initFailure = { id: failed.getId(), properties: fromStruct(failed.getProperties()), reasons: failed.getReasonsList() };
      }
    }
  }
  return new ProviderCallError(method, err.code, err.details, initFailure);
}
