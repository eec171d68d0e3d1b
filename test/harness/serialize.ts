// Serializes a provider object the way `new dynamic.Resource(provider, …)` does, in a fresh Node
// process (the serializer reads function source and scopes through the V8 inspector, so it must
// see the code as Node loads it, not as the test runner transformed it).
import { execFile } from "node:child_process";
import * as path from "node:path";
import { promisify } from "node:util";
import { sdkDir } from "./sdk";

/** Which exported provider object to serialize. */
export interface SerializeOptions {
  /** Absolute path of the module exporting the provider object (.js, or .ts via the SDK's ts-node). */
  module: string;
  /** Name of the export holding the provider object. */
  exportName: string;
  /** Extra environment, e.g. a PULUMI_CONFIG holding secrets the serialized text must not contain. */
  env?: Record<string, string>;
}

/** What `dynamic.Resource` stores as `__provider`, and whether the SDK would mark it secret. */
export interface SerializedProvider {
  text: string;
  containsSecrets: boolean;
}

// `() => provider` with allowSecrets is exactly dynamic/index.js `serializeProvider`. A .ts module
// is loaded the way cmd/run loads a TypeScript program: the vendored ts-node, the project's tsconfig.
const CHILD = `
const path = require("path");
const fs = require("fs");
const [sdkDir, modulePath, exportName] = process.argv.slice(1);
if (modulePath.endsWith(".ts")) {
  const tsconfig = path.join(path.dirname(modulePath), "tsconfig.json");
  require(path.join(sdkDir, "vendor", "ts-node@7.0.1")).register({
    compiler: require.resolve("typescript", { paths: [sdkDir] }),
    transpileOnly: true,
    project: tsconfig,
    skipProject: !fs.existsSync(tsconfig),
    compilerOptions: {},
  });
}
const pulumi = require(sdkDir);
const provider = require(modulePath)[exportName];
if (provider === undefined) throw new Error(modulePath + " has no export " + exportName);
pulumi.runtime.serializeFunction(() => provider, { allowSecrets: true }).then((sf) => {
  process.stdout.write(JSON.stringify({ text: sf.text, containsSecrets: sf.containsSecrets }));
});
`;

export async function serializeProvider(options: SerializeOptions): Promise<SerializedProvider> {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ["-e", CHILD, sdkDir, options.module, options.exportName],
    { cwd: path.dirname(options.module), env: { ...process.env, ...options.env }, maxBuffer: 64 * 1024 * 1024 },
  );
  return JSON.parse(stdout) as SerializedProvider;
}
