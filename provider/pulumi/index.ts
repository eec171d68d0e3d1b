/**
 * `seatplan/pulumi`: the YAML as Pulumi resources.
 *
 * ```ts
 * import { fromYaml } from "seatplan/pulumi";
 * export const licences = fromYaml("licences.yaml");
 * ```
 */
import type * as Redact from "../http/redact";
import type * as Runtime from "./runtime";
import type { ProviderRuntime } from "./runtime";

export { fromYaml, type FromYamlOptions, type Licences, type SubscriptionSummary } from "./from-yaml";
export { Subscription, type SubscriptionArgs, subscriptionProvider } from "./resource";
export { SubscriptionProvider } from "./provider";
export { entryOf, type SubscriptionEntry, type SubscriptionInputs } from "./inputs";
export type { SubscriptionOutputs } from "./outputs";
export { SETTINGS } from "./settings";

/**
 * The provider's implementation, loaded by the serialized `SubscriptionProvider` inside the Pulumi
 * provider host. Not for programs: its functions follow the provider host's calling convention.
 * Loaded on demand so a program does not pay for the backends it never calls.
 */
export function providerRuntime(): ProviderRuntime {
  const { createRuntime } = require("./runtime") as typeof Runtime;
  // The provider host's process: its clock, its log (the engine shows the host's stdout), its
  // environment and working directory (the Pulumi project).
  runtime ??= redactingErrors(
    createRuntime({
      now: () => new Date(),
      log: (line) => console.log(line),
      env: process.env,
      cwd: () => process.cwd(),
    }),
  );
  return runtime;
}

let runtime: ProviderRuntime | undefined;

/**
 * Every method of the runtime with its errors redacted as they leave for the engine: a failed
 * create's reasons are stored in the stack state (`initErrors`), and a token obtained during the
 * call may echo in a message built before it was known.
 */
function redactingErrors(r: ProviderRuntime): ProviderRuntime {
  // Loaded here, not at the top: a program that imports seatplan/pulumi never needs it.
  const { redactError } = require("../http/redact") as typeof Redact;
  const guard =
    <A extends unknown[], R>(f: (...args: A) => Promise<R>) =>
    (...args: A): Promise<R> =>
      f(...args).catch((e: unknown) => {
        throw redactError(e);
      });
  return { ...r, check: guard(r.check), diff: guard(r.diff), create: guard(r.create), read: guard(r.read), update: guard(r.update), remove: guard(r.remove) };
}
