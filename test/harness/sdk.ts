// The installed @pulumi/pulumi SDK as the harness sees it: where its processes live and its own
// generated gRPC stubs. The stubs and the harness must share one copy of @grpc/grpc-js and
// google-protobuf (messages from another copy fail instanceof checks during serialization), so both
// are loaded relative to the SDK, not to this file.
import { createRequire } from "node:module";
import * as path from "node:path";
import type * as GrpcModule from "@grpc/grpc-js";
import type * as EngineGrpc from "@pulumi/pulumi/proto/engine_grpc_pb";
import type * as EnginePb from "@pulumi/pulumi/proto/engine_pb";
import type * as ProviderGrpc from "@pulumi/pulumi/proto/provider_grpc_pb";
import type * as ProviderPb from "@pulumi/pulumi/proto/provider_pb";
import type * as ResourceGrpc from "@pulumi/pulumi/proto/resource_grpc_pb";
import type * as ResourcePb from "@pulumi/pulumi/proto/resource_pb";
import type * as StatusPb from "@pulumi/pulumi/proto/status_pb";
import type * as AnyPb from "google-protobuf/google/protobuf/any_pb";
import type * as EmptyPb from "google-protobuf/google/protobuf/empty_pb";
import type * as StructPb from "google-protobuf/google/protobuf/struct_pb";

const localRequire = createRequire(__filename);

/** Root directory of the installed @pulumi/pulumi package. */
export const sdkDir = path.dirname(localRequire.resolve("@pulumi/pulumi/package.json"));

const sdkRequire = createRequire(path.join(sdkDir, "package.json"));

/** `cmd/run`: the program runner that pulumi-language-nodejs starts for `preview`/`up`. */
export const runnerScript = path.join(sdkDir, "cmd", "run");
/** `cmd/dynamic-provider`: what the engine starts as the `pulumi-resource-pulumi-nodejs` plugin. */
export const dynamicProviderScript = path.join(sdkDir, "cmd", "dynamic-provider");

export const grpc = sdkRequire("@grpc/grpc-js") as typeof GrpcModule;
export const structPb = sdkRequire("google-protobuf/google/protobuf/struct_pb") as typeof StructPb;
export const emptyPb = sdkRequire("google-protobuf/google/protobuf/empty_pb") as typeof EmptyPb;
export const anyPb = sdkRequire("google-protobuf/google/protobuf/any_pb") as typeof AnyPb;
export const providerGrpc = sdkRequire("./proto/provider_grpc_pb") as typeof ProviderGrpc;
export const providerPb = sdkRequire("./proto/provider_pb") as typeof ProviderPb;
export const resourceGrpc = sdkRequire("./proto/resource_grpc_pb") as typeof ResourceGrpc;
export const resourcePb = sdkRequire("./proto/resource_pb") as typeof ResourcePb;
export const engineGrpc = sdkRequire("./proto/engine_grpc_pb") as typeof EngineGrpc;
export const enginePb = sdkRequire("./proto/engine_pb") as typeof EnginePb;
export const statusPb = sdkRequire("./proto/status_pb") as typeof StatusPb;

/** The string the SDK and engine use for a value not known until apply (`runtime/rpc.js`). */
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
/** Key and value that mark an object as a secret envelope `{[SIG_KEY]: SECRET_SIG, value}`. */
export const SIG_KEY = "4dabf18193072939515e22adb298388d";
export const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";

/** JSON-shaped value as carried by a protobuf Struct. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
/** A property map (resource inputs, outputs, config). */
export type Props = Record<string, Json>;

export function toStruct(props: Props): StructPb.Struct {
  return structPb.Struct.fromJavaScript(props as Record<string, StructPb.JavaScriptValue>);
}

export function fromStruct(struct: StructPb.Struct | undefined): Props {
  return (struct?.toJavaScript() ?? {}) as Props;
}
