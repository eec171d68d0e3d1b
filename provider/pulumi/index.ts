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
export function providerRuntime(): typeof Runtime {
  runtime ??= redactingErrors(require("./runtime") as typeof Runtime);
  return runtime;
}

let runtime: typeof Runtime | undefined;

/**
 * Every method of the runtime with its errors redacted as they leave for the engine: a failed
 * create's reasons are stored in the stack state (`initErrors`), and a token obtained during the
 * call may echo in a message built before it was known.
 */
function redactingErrors(r: typeof Runtime): typeof Runtime {
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
