// The dynamic provider object. `new dynamic.Resource(provider, …)` serializes it — class, methods
// and everything they reference — into every resource's `__provider` in the Pulumi state, and the
// provider host later runs that text with no file name. So it holds nothing: no field, no secret,
// no module object. Each method loads seatplan in the host and forwards the call; the code that
// runs is the installed package's, so a new seatplan version is used for resources created by an
// older one too (reference/pulumi-dynamic.md §3, pitfalls 1, 3 and 6). Only `import type` here.
import type * as NodeModule from "node:module";
import type * as NodePath from "node:path";
import type * as pulumi from "@pulumi/pulumi";
import type { SubscriptionInputs } from "./inputs";
import type { SubscriptionOutputs } from "./outputs";
import type { ProviderRuntime } from "./runtime";

/** The `Subscription` provider: validation, plan, apply and refresh through seatplan's pipeline. */
export class SubscriptionProvider implements pulumi.dynamic.ResourceProvider<SubscriptionInputs, SubscriptionOutputs> {
  /** Stack config (`seatplan:*`, secrets included) for this provider process; read again in every method. */
  async configure(req: pulumi.dynamic.ConfigureRequest): Promise<void> {
    seatplanRuntime().configure(req.config);
  }

  check(olds: SubscriptionInputs, news: SubscriptionInputs): Promise<pulumi.dynamic.CheckResult<SubscriptionInputs>> {
    return seatplanRuntime().check(olds, news as unknown as Record<string, unknown>) as Promise<pulumi.dynamic.CheckResult<SubscriptionInputs>>;
  }

  diff(id: string, olds: SubscriptionOutputs, news: SubscriptionInputs): Promise<pulumi.dynamic.DiffResult> {
    return seatplanRuntime().diff(id, olds, news);
  }

  create(inputs: SubscriptionInputs): Promise<pulumi.dynamic.CreateResult<SubscriptionOutputs>> {
    return seatplanRuntime().create(inputs) as Promise<pulumi.dynamic.CreateResult<SubscriptionOutputs>>;
  }

  read(id: string, props?: SubscriptionOutputs): Promise<pulumi.dynamic.ReadResult<SubscriptionOutputs>> {
    return seatplanRuntime().read(id, props) as Promise<pulumi.dynamic.ReadResult<SubscriptionOutputs>>;
  }

  update(id: string, olds: SubscriptionOutputs, news: SubscriptionInputs): Promise<pulumi.dynamic.UpdateResult<SubscriptionOutputs>> {
    return seatplanRuntime().update(id, olds, news) as Promise<pulumi.dynamic.UpdateResult<SubscriptionOutputs>>;
  }

  delete(id: string, props: SubscriptionOutputs): Promise<void> {
    return seatplanRuntime().remove(id, props);
  }
}

/**
 * seatplan's provider code as installed for the project. `seatplan/pulumi` is resolved the way the
 * program resolves it, from the project directory (the host's working directory): from
 * `node_modules/seatplan` in a user's project, by package self-reference inside the seatplan
 * repository (examples/quickstart).
 */
function seatplanRuntime(): ProviderRuntime {
  const { createRequire } = require("node:module") as typeof NodeModule;
  const { join } = require("node:path") as typeof NodePath;
  const fromProject = createRequire(join(process.cwd(), "__seatplan_provider__.js"));
  let entry: { providerRuntime(): ProviderRuntime };
  try {
    entry = fromProject("seatplan/pulumi") as typeof entry;
  } catch (e) {
    throw new Error(
      `seatplan: the Pulumi provider cannot load seatplan/pulumi from ${process.cwd()} (${e instanceof Error ? e.message.split("\n")[0] : String(e)}); install seatplan in the Pulumi project (npm install seatplan) and run pulumi from that directory`,
    );
  }
  return entry.providerRuntime();
}
