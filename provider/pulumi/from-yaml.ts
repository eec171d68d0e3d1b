import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { decodeText, formatIssues, parseDesired } from "../desired";
import type { DesiredState } from "../domain/types";
import { linkOrder, linksOf } from "../plan/links";
import { entryOf, relatedEntries } from "./inputs";
import { Subscription } from "./resource";
import { packageVersion } from "./version";

export interface FromYamlOptions {
  /** Options given to every `Subscription` resource (e.g. `parent`, `dependsOn`, `protect`). */
  readonly resourceOptions?: pulumi.CustomResourceOptions;
}

/** One subscription as the stack outputs show it. */
export interface SubscriptionSummary {
  readonly subscriptionId: string;
  readonly offer: string;
  readonly quantity: number;
  readonly status: string;
  readonly autoRenew: boolean;
  readonly endDate: string;
  /** Seats the next renewal is scheduled with; null when it renews as it is. */
  readonly renewalQuantity: number | null;
}

/** What `fromYaml` returns: meant to be exported as a stack output. */
export interface Licences {
  /** The YAML file, as given. */
  readonly file: string;
  /** `SEATPLAN_BACKEND` / `seatplan:backend`, so nobody mistakes the simulator for a tenant. */
  readonly backend: string;
  readonly customers: number;
  /** By resource name, `<customer>/<key>`. */
  readonly subscriptions: Readonly<Record<string, pulumi.Output<SubscriptionSummary>>>;
  readonly summary: pulumi.Output<{
    readonly subscriptions: number;
    readonly active: number;
    readonly cancelled: number;
    readonly seats: number;
    readonly renewalsScheduled: number;
  }>;
}

/**
 * Declares one `Subscription` resource per entry of a seatplan YAML file, named
 * `<customer>/<key>`. The file is read relative to the program's working directory (the Pulumi
 * project) and validated first: every problem is reported at once with its file, line and
 * column, and nothing is declared. The program itself never calls a backend, so `pulumi
 * preview` makes no API call beyond what the provider's diff needs — none.
 */
export function fromYaml(file: string, options: FromYamlOptions = {}): Licences {
  const desired = readDesired(file);
  const providerVersion = packageVersion();
  const resources: [string, Subscription][] = [];
  for (const customer of desired.customers) {
    const declared = new Map<string, Subscription>();
    for (const entry of linkOrder(customer.subscriptions)) {
      const name = `${customer.key}/${entry.key}`;
      // The entry an upgrade merges into, or a purchase aligns with, waits for the entry that names
      // it: planned first, that one sees the tenant as the PR plan did (a link to a subscription
      // not bought yet is blocked, never acted on because a concurrent create just bought it), and
      // when it fails, the other is not touched in that run either — as `seatplan apply` does.
      const sources = customer.subscriptions.filter((s) => linksOf(s).includes(entry.key)).flatMap((s) => declared.get(s.key) ?? []);
      const resourceOptions: pulumi.CustomResourceOptions =
        sources.length === 0 ? { ...options.resourceOptions } : { ...options.resourceOptions, dependsOn: [...dependsOnOf(options.resourceOptions), ...sources] };
      const resource = new Subscription(
        name,
        {
          entry: entryOf(entry),
          customerKey: customer.key,
          customerTenantId: customer.tenantId,
          reductions: desired.policy.reductions,
          removed: desired.policy.removed,
          // The PR plan blocks a change past the Business family's 300 seats under `block`: so does up.
          ...(desired.policy.businessSeatCap === "block" ? { businessSeatCap: "block" as const } : {}),
          desiredFile: file,
          related: relatedEntries(customer, entry.key).map(entryOf),
          providerVersion,
        },
        resourceOptions,
      );
      declared.set(entry.key, resource);
      resources.push([name, resource]);
    }
  }
  const subscriptions = Object.fromEntries(
    resources.map(([name, r]) => [
      name,
      pulumi.all([r.subscriptionId, r.offer, r.quantity, r.status, r.autoRenew, r.endDate, r.scheduledRenewal]).apply(
        ([subscriptionId, offer, quantity, status, autoRenew, endDate, renewal]): SubscriptionSummary => ({
          subscriptionId,
          offer,
          quantity,
          status,
          autoRenew,
          endDate,
          renewalQuantity: renewal?.quantity ?? null,
        }),
      ),
    ]),
  );
  const summary = pulumi.all(resources.map(([, r]) => pulumi.all([r.status, r.quantity, r.scheduledRenewal]))).apply((rows) => ({
    subscriptions: rows.length,
    active: rows.filter(([status]) => status === "active").length,
    cancelled: rows.filter(([status]) => status === "deleted").length,
    seats: rows.reduce((sum, [status, quantity]) => sum + (status === "active" ? quantity : 0), 0),
    renewalsScheduled: rows.filter(([, , renewal]) => renewal !== null).length,
  }));
  return { file, backend: backendName(), customers: desired.customers.length, subscriptions, summary };
}

function dependsOnOf(options: pulumi.CustomResourceOptions | undefined): pulumi.Resource[] {
  const d = options?.dependsOn;
  if (d === undefined) return [];
  return Array.isArray(d) ? (d as pulumi.Resource[]) : [d as pulumi.Resource];
}

function readDesired(file: string): DesiredState {
  const path = resolve(process.cwd(), file);
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? "unknown error";
    const why = code === "ENOENT" ? "does not exist" : code === "EISDIR" ? "is a directory: name the YAML file inside it" : `cannot be read (${code})`;
    throw new pulumi.RunError(`seatplan: ${file} ${why} (looked for ${path}; the path is relative to the Pulumi project directory)`);
  }
  const decoded = decodeText(bytes, file);
  if (!decoded.ok) throw new pulumi.RunError(`seatplan: ${decoded.message}`);
  const { state, issues } = parseDesired(decoded.text, file);
  if (state === undefined) {
    const count = `${issues.length} problem${issues.length === 1 ? "" : "s"}`;
    throw new pulumi.RunError(`seatplan: ${file} is invalid (${count}); nothing was declared:\n${formatIssues(issues)}`);
  }
  return state;
}

/** Environment over stack config, as the provider reads it. */
function backendName(): string {
  return process.env["SEATPLAN_BACKEND"] || new pulumi.Config("seatplan").get("backend") || "simulator";
}
